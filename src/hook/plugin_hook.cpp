#include "hook/plugin_hook.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

// The opaque handles of the C ABI, defined here, outside any namespace, as plugin.h
// declares them.
struct akasa_answer {
    akasa::hook::Decision decision;
    std::size_t filter_count = 0;  // bounds set_filter_reason
};

struct akasa_call {
    akasa::hook::HookCall* call;
    std::size_t filter_count;
};

struct akasa_completion {
    akasa::hook::Completion completion;
    akasa_answer answer;
};

namespace akasa::hook {

namespace {

akasa_str to_c(std::string_view s) {
    return {s.data(), s.size()};
}

std::string to_string(akasa_str s) {
    return s.data ? std::string(s.data, s.len) : std::string();
}

akasa_session to_c(const SessionInfo& s) {
    akasa_session c{};
    c.client_id = to_c(s.client_id);
    c.has_username = s.username.has_value();
    if (s.username) c.username = to_c(*s.username);
    c.protocol_version = static_cast<std::uint8_t>(s.version);
    c.peer_address = to_c(s.peer_address);
    c.has_tls_peer_subject = s.tls_peer_subject.has_value();
    if (s.tls_peer_subject) c.tls_peer_subject = to_c(*s.tls_peer_subject);
    c.listener = to_c(s.listener);
    return c;
}

// Views of `options`, valid while it lives.
std::vector<akasa_kv> to_c(const PluginOptions& options) {
    std::vector<akasa_kv> c_options;
    c_options.reserve(options.size());
    for (const auto& [key, value] : options)
        c_options.push_back({to_c(key), to_c(value)});
    return c_options;
}

akasa_subscription to_c(const mqtt::SubscribeTopic& t) {
    akasa_subscription c{};
    c.filter = to_c(t.filter);
    c.qos = static_cast<std::uint8_t>(t.options.qos);
    c.no_local = t.options.no_local;
    c.retain_as_published = t.options.retain_as_published;
    c.retain_handling = t.options.retain_handling;
    return c;
}

mqtt::QoS to_qos(std::uint8_t qos) {
    return static_cast<mqtt::QoS>(std::min<std::uint8_t>(qos, 2));
}

// ---- The host functions. noexcept: an exception must never unwind through the plugin's
// C frames (running out of memory here ends the process, as it would anywhere else). ----

void host_log(int level, akasa_str message) noexcept {
    const std::string_view text(message.data ? message.data : "", message.len);
    switch (level) {
        case AKASA_LOG_DEBUG:
            spdlog::debug("plugin: {}", text);
            break;
        case AKASA_LOG_INFO:
            spdlog::info("plugin: {}", text);
            break;
        case AKASA_LOG_WARN:
            spdlog::warn("plugin: {}", text);
            break;
        default:
            spdlog::error("plugin: {}", text);
            break;
    }
}

void host_set_reason(akasa_answer* a, std::uint8_t code, akasa_str why) noexcept {
    if (!a) return;
    a->decision.reason = static_cast<mqtt::ReasonCode>(code);
    a->decision.reason_string = to_string(why);
}

void host_set_publish_topic(akasa_answer* a, akasa_str topic) noexcept {
    if (a) a->decision.publish_topic = to_string(topic);
}

void host_set_publish_payload(akasa_answer* a, akasa_str payload) noexcept {
    if (a) a->decision.publish_payload = to_string(payload);
}

void host_set_filter_reason(akasa_answer* a, std::size_t index, std::uint8_t code) noexcept {
    if (!a || index >= a->filter_count) return;
    auto& reasons = a->decision.filter_reasons;
    if (reasons.size() <= index) reasons.resize(index + 1, mqtt::ReasonCode::Success);
    reasons[index] = static_cast<mqtt::ReasonCode>(code);
}

void host_add_publish_action(akasa_answer* a, akasa_str topic, akasa_str payload, std::uint8_t qos,
                             int retain) noexcept {
    if (!a) return;
    a->decision.actions.emplace_back(
        PublishAction{to_string(topic), to_string(payload), to_qos(qos), retain != 0});
}

void host_add_subscribe_action(akasa_answer* a, akasa_str filter, std::uint8_t qos) noexcept {
    if (!a) return;
    mqtt::SubscriptionOptions options;
    options.qos = to_qos(qos);
    a->decision.actions.emplace_back(SubscribeAction{to_string(filter), options});
}

void host_add_unsubscribe_action(akasa_answer* a, akasa_str filter) noexcept {
    if (a) a->decision.actions.emplace_back(UnsubscribeAction{to_string(filter)});
}

akasa_completion* host_defer(akasa_call* call) noexcept {
    if (!call || !call->call) return nullptr;
    Completion completion = call->call->defer();
    if (!completion.valid()) return nullptr;
    auto* c = new akasa_completion{std::move(completion), {}};
    c->answer.filter_count = call->filter_count;
    return c;
}

akasa_answer* host_completion_answer(akasa_completion* c) noexcept {
    return c ? &c->answer : nullptr;
}

void host_complete(akasa_completion* c) noexcept {
    if (!c) return;
    c->completion.complete(std::move(c->answer.decision));
    delete c;
}

constexpr akasa_plugin_host kHost = {
    AKASA_PLUGIN_ABI_VERSION,
    sizeof(akasa_plugin_host),
    host_log,
    host_set_reason,
    host_set_publish_topic,
    host_set_publish_payload,
    host_set_filter_reason,
    host_add_publish_action,
    host_add_subscribe_action,
    host_add_unsubscribe_action,
    host_defer,
    host_completion_answer,
    host_complete,
};

Outcome finish(int rc, HookCall& call, akasa_answer& answer) {
    if (rc == AKASA_PENDING) return Outcome::deferred();
    // A plugin that deferred but answered now after all: the synchronous answer counts.
    if (call.deferred()) call.revoke();
    return Outcome(std::move(answer.decision));
}

template <class Fn>
Fn resolve(const PluginLibrary& library, const char* name) {
    return reinterpret_cast<Fn>(library.symbol(name));
}

}  // namespace

const akasa_plugin_host& PluginHook::host() {
    return kHost;
}

std::shared_ptr<PluginHook> PluginHook::load(const std::string& path,
                                             const PluginOptions& options) {
    auto library = std::make_unique<PluginLibrary>(path);
    const auto abi_version = reinterpret_cast<akasa_plugin_abi_version_fn>(
        library->required_symbol("akasa_plugin_abi_version"));
    const std::uint32_t version = abi_version();
    if (version != AKASA_PLUGIN_ABI_VERSION) {
        throw PluginError(fmt::format(
            "plugin {}: it was built for plugin ABI version {}, but this server supports "
            "version {}; rebuild it against this release's include/akasa/plugin.h",
            path, version, AKASA_PLUGIN_ABI_VERSION));
    }
    const auto init =
        reinterpret_cast<akasa_plugin_init_fn>(library->required_symbol("akasa_plugin_init"));
    Exports exports;
    exports.deinit =
        reinterpret_cast<akasa_plugin_deinit_fn>(library->required_symbol("akasa_plugin_deinit"));
    const auto& lib = *library;
    exports.reconfigure = resolve<akasa_plugin_reconfigure_fn>(lib, "akasa_plugin_reconfigure");
    exports.thread_init = resolve<akasa_plugin_thread_fn>(lib, "akasa_plugin_thread_init");
    exports.thread_deinit = resolve<akasa_plugin_thread_fn>(lib, "akasa_plugin_thread_deinit");
    exports.before_connect =
        resolve<akasa_plugin_before_connect_fn>(lib, "akasa_plugin_before_connect");
    exports.after_connect =
        resolve<akasa_plugin_after_connect_fn>(lib, "akasa_plugin_after_connect");
    exports.before_publish =
        resolve<akasa_plugin_before_publish_fn>(lib, "akasa_plugin_before_publish");
    exports.after_publish =
        resolve<akasa_plugin_after_publish_fn>(lib, "akasa_plugin_after_publish");
    exports.before_subscribe =
        resolve<akasa_plugin_before_subscribe_fn>(lib, "akasa_plugin_before_subscribe");
    exports.after_subscribe =
        resolve<akasa_plugin_after_subscribe_fn>(lib, "akasa_plugin_after_subscribe");
    exports.before_unsubscribe =
        resolve<akasa_plugin_unsubscribe_fn>(lib, "akasa_plugin_before_unsubscribe");
    exports.after_unsubscribe =
        resolve<akasa_plugin_unsubscribe_fn>(lib, "akasa_plugin_after_unsubscribe");
    exports.after_disconnect =
        resolve<akasa_plugin_after_disconnect_fn>(lib, "akasa_plugin_after_disconnect");

    const std::vector<akasa_kv> c_options = to_c(options);
    void* state = nullptr;
    const int rc = init(&kHost, c_options.data(), c_options.size(), &state);
    if (rc != 0) {
        throw PluginError(fmt::format(
            "plugin {}: akasa_plugin_init failed with code {} (its log lines say why)", path, rc));
    }
    return std::shared_ptr<PluginHook>(new PluginHook(std::move(library), exports, state));
}

PluginHook::PluginHook(std::unique_ptr<PluginLibrary> library, Exports exports, void* state)
    : library_(std::move(library)), exports_(exports), state_(state) {
    const std::pair<bool, HookPoint> present[] = {
        {exports_.before_connect != nullptr, HookPoint::BeforeConnect},
        {exports_.after_connect != nullptr, HookPoint::AfterConnect},
        {exports_.before_publish != nullptr, HookPoint::BeforePublish},
        {exports_.after_publish != nullptr, HookPoint::AfterPublish},
        {exports_.before_subscribe != nullptr, HookPoint::BeforeSubscribe},
        {exports_.after_subscribe != nullptr, HookPoint::AfterSubscribe},
        {exports_.before_unsubscribe != nullptr, HookPoint::BeforeUnsubscribe},
        {exports_.after_unsubscribe != nullptr, HookPoint::AfterUnsubscribe},
        {exports_.after_disconnect != nullptr, HookPoint::AfterDisconnect},
    };
    for (const auto& [has, point] : present) {
        if (has) points_ |= bit(point);
    }
}

std::optional<std::string> PluginHook::reconfigure(const PluginOptions& options) {
    if (!exports_.reconfigure) return "it does not export akasa_plugin_reconfigure";
    const std::vector<akasa_kv> c_options = to_c(options);
    const int rc = exports_.reconfigure(state_, c_options.data(), c_options.size());
    if (rc == 0) return std::nullopt;
    return fmt::format(
        "akasa_plugin_reconfigure refused the new options with code {} (its log "
        "lines say why)",
        rc);
}

PluginHook::~PluginHook() {
    exports_.deinit(state_);
    // library_ closes after this body: deinit ran while the code was certainly mapped.
}

void PluginHook::on_worker_start(unsigned worker_index) {
    if (exports_.thread_init) exports_.thread_init(state_, worker_index);
}

void PluginHook::on_worker_stop(unsigned worker_index) {
    if (exports_.thread_deinit) exports_.thread_deinit(state_, worker_index);
}

Outcome PluginHook::before_connect(HookCall& call, mqtt::Connect& connect) {
    const akasa_session session = to_c(call.session());
    akasa_connect c{};
    c.client_id = to_c(connect.client_id);
    c.has_username = connect.username.has_value();
    if (connect.username) c.username = to_c(*connect.username);
    c.has_password = connect.password.has_value();
    if (connect.password) c.password = to_c(*connect.password);
    c.keep_alive = connect.keep_alive;
    c.clean_start = connect.clean_start;
    c.has_will = connect.will.has_value();
    if (connect.will) {
        c.will_topic = to_c(connect.will->topic);
        c.will_payload = to_c(connect.will->payload);
        c.will_qos = static_cast<std::uint8_t>(connect.will->qos);
        c.will_retain = connect.will->retain;
    }
    akasa_call c_call{&call, 0};
    akasa_answer answer;
    return finish(exports_.before_connect(state_, &session, &c, &c_call, &answer), call, answer);
}

Outcome PluginHook::after_connect(HookCall& call, bool session_present) {
    const akasa_session session = to_c(call.session());
    akasa_call c_call{&call, 0};
    akasa_answer answer;
    return finish(exports_.after_connect(state_, &session, session_present, &c_call, &answer), call,
                  answer);
}

namespace {

struct CPublish {
    akasa_publish view{};
    std::vector<akasa_kv> user_properties;

    explicit CPublish(const mqtt::Publish& p) {
        view.topic = to_c(p.topic);
        view.payload = to_c(p.payload);
        view.qos = static_cast<std::uint8_t>(p.qos);
        view.retain = p.retain;
        view.dup = p.dup;
        if (!p.properties.user_properties.empty()) {
            user_properties.reserve(p.properties.user_properties.size());
            for (const auto& [k, v] : p.properties.user_properties) {
                user_properties.push_back({to_c(k), to_c(v)});
            }
            view.user_properties = user_properties.data();
            view.user_property_count = user_properties.size();
        }
    }
};

std::vector<akasa_subscription> to_c(const mqtt::Subscribe& subscribe) {
    std::vector<akasa_subscription> out;
    out.reserve(subscribe.topics.size());
    for (const auto& topic : subscribe.topics)
        out.push_back(to_c(topic));
    return out;
}

std::vector<akasa_str> to_c(const mqtt::Unsubscribe& unsubscribe) {
    std::vector<akasa_str> out;
    out.reserve(unsubscribe.topic_filters.size());
    for (const auto filter : unsubscribe.topic_filters)
        out.push_back(to_c(filter));
    return out;
}

}  // namespace

Outcome PluginHook::before_publish(HookCall& call, mqtt::Publish& publish) {
    const akasa_session session = to_c(call.session());
    const CPublish c(publish);
    akasa_call c_call{&call, 0};
    akasa_answer answer;
    return finish(exports_.before_publish(state_, &session, &c.view, &c_call, &answer), call,
                  answer);
}

Outcome PluginHook::after_publish(HookCall& call, const mqtt::Publish& publish, bool changed) {
    const akasa_session session = to_c(call.session());
    const CPublish c(publish);
    akasa_call c_call{&call, 0};
    akasa_answer answer;
    return finish(exports_.after_publish(state_, &session, &c.view, changed, &c_call, &answer),
                  call, answer);
}

Outcome PluginHook::before_subscribe(HookCall& call, mqtt::Subscribe& subscribe,
                                     std::span<mqtt::ReasonCode> /*reasons*/) {
    const akasa_session session = to_c(call.session());
    const auto subs = to_c(subscribe);
    akasa_call c_call{&call, subs.size()};
    akasa_answer answer;
    answer.filter_count = subs.size();
    return finish(
        exports_.before_subscribe(state_, &session, subs.data(), subs.size(), &c_call, &answer),
        call, answer);
}

Outcome PluginHook::after_subscribe(HookCall& call, const mqtt::Subscribe& subscribe,
                                    std::span<const std::uint8_t> reason_codes) {
    const akasa_session session = to_c(call.session());
    const auto subs = to_c(subscribe);
    // The ABI promises one code per subscription.
    std::vector<std::uint8_t> codes(reason_codes.begin(), reason_codes.end());
    codes.resize(subs.size(), static_cast<std::uint8_t>(mqtt::ReasonCode::UnspecifiedError));
    akasa_call c_call{&call, 0};
    akasa_answer answer;
    return finish(exports_.after_subscribe(state_, &session, subs.data(), codes.data(), subs.size(),
                                           &c_call, &answer),
                  call, answer);
}

Outcome PluginHook::before_unsubscribe(HookCall& call, mqtt::Unsubscribe& unsubscribe,
                                       std::span<mqtt::ReasonCode> /*reasons*/) {
    const akasa_session session = to_c(call.session());
    const auto filters = to_c(unsubscribe);
    akasa_call c_call{&call, filters.size()};
    akasa_answer answer;
    answer.filter_count = filters.size();
    return finish(exports_.before_unsubscribe(state_, &session, filters.data(), filters.size(),
                                              &c_call, &answer),
                  call, answer);
}

Outcome PluginHook::after_unsubscribe(HookCall& call, const mqtt::Unsubscribe& unsubscribe) {
    const akasa_session session = to_c(call.session());
    const auto filters = to_c(unsubscribe);
    akasa_call c_call{&call, 0};
    akasa_answer answer;
    return finish(exports_.after_unsubscribe(state_, &session, filters.data(), filters.size(),
                                             &c_call, &answer),
                  call, answer);
}

void PluginHook::after_disconnect(const SessionInfo& info, bool taken_over) {
    const akasa_session session = to_c(info);
    exports_.after_disconnect(state_, &session, taken_over);
}

}  // namespace akasa::hook
