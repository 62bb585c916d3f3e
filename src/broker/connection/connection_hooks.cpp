// The engine's side of the hook layer, per connection: running each hook point, parking a
// packet while a before_* hook answers asynchronously (the connection reads nothing more
// until the answer or the timeout, every other client is served meanwhile), the actions of
// after_* hooks, and the ACL's read check on delivery. Nothing here runs unless a hook is
// configured (hooks_ is null otherwise).
#include <spdlog/spdlog.h>
#include <sys/epoll.h>

#include <variant>

#include "broker/connection/accepted_requests.h"
#include "broker/connection/client_connection.h"
#include "broker/hooks/hook_services.h"
#include "broker/session/session.h"
#include "broker/topic_limits.h"
#include "broker/worker/worker.h"
#include "mqtt/topic.h"

namespace akasa::broker {

using hook::HookPoint;
using mqtt::ProtocolVersion;
using mqtt::QoS;
using mqtt::ReasonCode;

namespace {

const HookServices& services(Worker& worker) {
    return *worker.context().hooks;
}

mqtt::Subscribe rebuild_subscribe(const ParkedPacket& p) {
    mqtt::Subscribe subscribe;
    subscribe.packet_id = p.packet_id;
    for (std::size_t i = 0; i < p.filters.size(); ++i)
        subscribe.topics.push_back({p.filters[i], p.options[i]});
    subscribe.properties.subscription_identifiers = p.subscription_identifiers;
    return subscribe;
}

mqtt::Unsubscribe rebuild_unsubscribe(const ParkedPacket& p) {
    mqtt::Unsubscribe unsubscribe;
    unsubscribe.packet_id = p.packet_id;
    for (const auto& filter : p.filters)
        unsubscribe.topic_filters.push_back(filter);
    return unsubscribe;
}

const char* why(const hook::Decision& decision, const char* otherwise) {
    return decision.reason_string.empty() ? otherwise : decision.reason_string.c_str();
}

}  // namespace

hook::CallSite ClientConnection::call_site(hook::PacketArena& arena, std::uint64_t call_id) {
    return hook::CallSite{hooks_->info(), arena, worker_->hook_dispatch().poster(), call_id};
}

// --- Parking ---

void ClientConnection::park(ParkedPacket&& parked) {
    const auto timeout = services(*worker_).timeout;
    spdlog::debug("{} hook for {} from {} answers asynchronously; waiting up to {}s",
                  hook::to_string(parked.point), hooks_->info().client_id, peer(), timeout.count());
    parked.deadline = worker_->now() + timeout;
    worker_->hook_dispatch().watch(parked.call_id, *this, /*blocking=*/true, parked.deadline);
    hooks_->parked.emplace(std::move(parked));
    // Nothing more is read until the answer: the client's next packets wait in the socket.
    flow_.hold();
    update_interest();
}

void ClientConnection::unpark_and_continue() {
    if (state_ == State::Closed || hook_waiting()) return;
    flow_.release();
    hold_reading_if_output_full();
    if (migrating_) {
        // attach() handed the session to another worker: the connection follows it there
        // and reads again once it arrived (Worker::adopt).
        interest_ = (flow_.held() ? 0u : std::uint32_t{EPOLLIN}) |
                    (has_pending_output() ? std::uint32_t{EPOLLOUT} : 0u);
        worker_->migrate(*this);
        return;
    }
    update_interest();
    handle_input({});
    if (migrating_ && state_ != State::Closed) worker_->migrate(*this);
}

template <class Context>
void ClientConnection::watch_after_call(const hook::ChainResult& result, std::uint64_t call_id,
                                        Context&& context) {
    if (!result.pending || state_ != State::Connected) return;
    hooks_->after_calls.emplace(call_id, context());  // owned copies only in this rare case
    worker_->hook_dispatch().watch(call_id, *this, /*blocking=*/false,
                                   worker_->now() + services(*worker_).timeout);
}

void ClientConnection::resume_after(AfterCall&& context, std::size_t from) {
    const auto& chain = services(*worker_).chain;
    hook::PacketArena arena;
    const auto call_id = worker_->hook_dispatch().next_call_id();
    const auto site = call_site(arena, call_id);
    hook::ChainResult result;
    switch (context.point) {
        case HookPoint::AfterConnect:
            result = chain.after_connect(site, context.session_present, from);
            break;
        case HookPoint::AfterPublish: {
            mqtt::Publish publish;
            publish.topic = context.topic;
            publish.payload = context.payload;
            publish.qos = context.qos;
            publish.retain = context.retain;
            result = chain.after_publish(site, publish, context.changed, from);
            break;
        }
        case HookPoint::AfterSubscribe: {
            mqtt::Subscribe subscribe;
            subscribe.packet_id = context.packet_id;
            for (std::size_t i = 0; i < context.filters.size(); ++i)
                subscribe.topics.push_back({context.filters[i], context.options[i]});
            result = chain.after_subscribe(site, subscribe, context.codes, from);
            break;
        }
        case HookPoint::AfterUnsubscribe: {
            mqtt::Unsubscribe unsubscribe;
            unsubscribe.packet_id = context.packet_id;
            for (const auto& filter : context.filters)
                unsubscribe.topic_filters.push_back(filter);
            result = chain.after_unsubscribe(site, unsubscribe, from);
            break;
        }
        default:
            return;
    }
    apply_actions(result.decision.actions);
    watch_after_call(result, call_id, [&] { return std::move(context); });
}

void ClientConnection::on_hook_answer(hook::CompletedCall call) {
    if (state_ == State::Closed || !hooks_) return;
    if (hooks_->parked && hooks_->parked->call_id == call.call_id) {
        ParkedPacket parked = std::move(*hooks_->parked);
        hooks_->parked.reset();
        switch (parked.point) {
            case HookPoint::BeforeConnect:
                resume_connect(parked, call);
                break;
            case HookPoint::BeforePublish:
                resume_publish(parked, call);
                break;
            case HookPoint::BeforeSubscribe:
                resume_subscribe(parked, call);
                break;
            case HookPoint::BeforeUnsubscribe:
                resume_unsubscribe(parked, call);
                break;
            default:
                break;
        }
        unpark_and_continue();
        return;
    }
    // An after_* hook answered: its actions, then the hooks after it.
    auto it = hooks_->after_calls.find(call.call_id);
    if (it == hooks_->after_calls.end()) return;
    AfterCall context = std::move(it->second);
    hooks_->after_calls.erase(it);
    if (!session_ || state_ != State::Connected) return;
    apply_actions(call.decision.actions);
    if (state_ == State::Connected) resume_after(std::move(context), call.resume_from);
}

void ClientConnection::on_hook_timeout(std::uint64_t call_id, bool blocking) {
    if (state_ == State::Closed || !hooks_) return;
    if (!blocking) {
        hooks_->after_calls.erase(call_id);
        spdlog::warn(
            "hook answer for client {} not received within hook_timeout ({}s); its "
            "actions are dropped",
            client_id(), services(*worker_).timeout.count());
        return;
    }
    if (!hooks_->parked || hooks_->parked->call_id != call_id) return;
    const HookPoint point = hooks_->parked->point;
    spdlog::warn("{} hook for {} from {} not answered within hook_timeout ({}s): refused",
                 hook::to_string(point), hooks_->info().client_id, peer(),
                 services(*worker_).timeout.count());
    const auto reason = point == HookPoint::BeforeConnect ? ReasonCode::ServerUnavailable
                                                          : ReasonCode::ImplementationSpecificError;
    on_hook_answer(
        hook::CompletedCall{call_id, point, 0, hook::Decision::refuse(reason, "hook timed out")});
}

// --- CONNECT ---

void ClientConnection::connect_with_hooks(const mqtt::FixedHeader& header,
                                          std::span<const std::uint8_t> body,
                                          mqtt::Connect& connect, ConnectRequest&& request) {
    const auto& transport = transport_->info();
    hooks_ = std::make_unique<HookSession>(request.client_id, request.username, peer(),
                                           std::string(transport.listener),
                                           transport.tls_peer_subject, version_);
    const auto& chain = services(*worker_).chain;
    if (!chain.any_for(HookPoint::BeforeConnect)) return worker_->attach(*this, std::move(request));
    hook::PacketArena arena;
    const auto call_id = worker_->hook_dispatch().next_call_id();
    const auto result = chain.before_connect(call_site(arena, call_id), connect);
    if (result.pending) {
        ParkedPacket parked;
        parked.call_id = call_id;
        parked.point = HookPoint::BeforeConnect;
        parked.header = header;
        parked.body.assign(body.begin(), body.end());
        parked.request.emplace(std::move(request));
        return park(std::move(parked));
    }
    if (result.decision.refuses()) {
        return refuse_connect(version_, result.decision.reason,
                              why(result.decision, "refused by a hook"));
    }
    worker_->attach(*this, std::move(request));
}

void ClientConnection::resume_connect(ParkedPacket& parked, hook::CompletedCall& call) {
    if (call.decision.refuses()) {
        return refuse_connect(version_, call.decision.reason,
                              why(call.decision, "refused by a hook"));
    }
    mqtt::Connect connect;
    if (auto error = mqtt::decode_connect(parked.header, parked.body, connect)) {
        // It decoded before it was parked; the copy cannot differ.
        return close(CloseReason{error->message, std::nullopt, false});
    }
    hook::PacketArena arena;
    const auto call_id = worker_->hook_dispatch().next_call_id();
    const auto result = services(*worker_).chain.before_connect(call_site(arena, call_id), connect,
                                                                call.resume_from);
    if (result.pending) {
        parked.call_id = call_id;
        return park(std::move(parked));
    }
    if (result.decision.refuses()) {
        return refuse_connect(version_, result.decision.reason,
                              why(result.decision, "refused by a hook"));
    }
    worker_->attach(*this, std::move(*parked.request));
}

void ClientConnection::after_connect_hooks(bool session_present) {
    const auto& chain = services(*worker_).chain;
    if (!chain.any_for(HookPoint::AfterConnect) || state_ != State::Connected) return;
    hook::PacketArena arena;
    const auto call_id = worker_->hook_dispatch().next_call_id();
    auto result = chain.after_connect(call_site(arena, call_id), session_present);
    apply_actions(result.decision.actions);
    watch_after_call(result, call_id, [&] {
        AfterCall context;
        context.point = HookPoint::AfterConnect;
        context.session_present = session_present;
        return context;
    });
}

// --- PUBLISH ---

bool ClientConnection::publish_hooked() const {
    const auto& chain = services(*worker_).chain;
    return chain.any_for(HookPoint::BeforePublish) || chain.any_for(HookPoint::AfterPublish);
}

void ClientConnection::publish_with_hooks(const mqtt::FixedHeader& header,
                                          std::span<const std::uint8_t> body,
                                          mqtt::Publish& publish) {
    const auto& chain = services(*worker_).chain;
    if (!chain.any_for(HookPoint::BeforePublish)) return finish_publish(publish, false);
    hook::PacketArena arena;  // rewritten topics and payloads live here until routed
    const auto call_id = worker_->hook_dispatch().next_call_id();
    const auto result = chain.before_publish(call_site(arena, call_id), publish);
    if (result.pending) {
        ParkedPacket parked;
        parked.call_id = call_id;
        parked.point = HookPoint::BeforePublish;
        parked.header = header;
        parked.body.assign(body.begin(), body.end());
        parked.topic.assign(publish.topic);
        parked.payload.assign(publish.payload);
        parked.changed = result.changed;
        return park(std::move(parked));
    }
    if (result.decision.refuses()) return refuse_publish(publish, result.decision.reason);
    finish_publish(publish, result.changed);
}

void ClientConnection::resume_publish(ParkedPacket& parked, hook::CompletedCall& call) {
    mqtt::Publish publish;
    if (auto error = mqtt::decode_publish(parked.header, parked.body, version_, publish)) {
        return protocol_violation(error->reason, error->message);
    }
    publish.topic = parked.topic;
    publish.payload = parked.payload;
    if (call.decision.refuses()) return refuse_publish(publish, call.decision.reason);
    hook::PacketArena arena;
    bool changed = hook::HookChain::apply(call.decision, publish, arena) || parked.changed;
    const auto call_id = worker_->hook_dispatch().next_call_id();
    const auto result = services(*worker_).chain.before_publish(call_site(arena, call_id), publish,
                                                                call.resume_from);
    changed = changed || result.changed;
    if (result.pending) {
        std::string topic(publish.topic);  // may view into `parked` itself
        std::string payload(publish.payload);
        parked.call_id = call_id;
        parked.topic = std::move(topic);
        parked.payload = std::move(payload);
        parked.changed = changed;
        return park(std::move(parked));
    }
    if (result.decision.refuses()) return refuse_publish(publish, result.decision.reason);
    finish_publish(publish, changed);
}

void ClientConnection::finish_publish(mqtt::Publish& publish, bool changed) {
    if (changed && !mqtt::validate_topic_name(publish.topic)) {
        spdlog::warn("a hook rewrote a PUBLISH of client {} to an invalid topic name", client_id());
        return refuse_publish(publish, ReasonCode::TopicNameInvalid);
    }
    if (changed) {
        if (const auto breach = worker_->context().topic_limits.check_name(publish.topic)) {
            spdlog::warn("a hook rewrote a PUBLISH of client {} to topic \"{}\", which has {}",
                         client_id(), topic_for_log(publish.topic), breach->describe());
            return refuse_publish(publish, ReasonCode::TopicNameInvalid);
        }
    }
    accept_publish(publish, publish.topic);
    const auto& chain = services(*worker_).chain;
    if (!chain.any_for(HookPoint::AfterPublish) || state_ != State::Connected) return;
    hook::PacketArena arena;
    const auto call_id = worker_->hook_dispatch().next_call_id();
    auto result = chain.after_publish(call_site(arena, call_id), publish, changed);
    apply_actions(result.decision.actions);
    watch_after_call(result, call_id, [&] {
        AfterCall context;
        context.point = HookPoint::AfterPublish;
        context.topic = publish.topic;
        context.payload = publish.payload;
        context.qos = publish.qos;
        context.retain = publish.retain;
        context.changed = changed;
        return context;
    });
}

void ClientConnection::refuse_publish(const mqtt::Publish& publish, ReasonCode reason) {
    spdlog::debug("PUBLISH of client {} to {} refused: {}", client_id(), publish.topic,
                  mqtt::to_string(reason));
    if (publish.qos == QoS::AtMostOnce) return;
    // v5 tells the client why; 3.x has no way to, so the message is dropped silently (and
    // acknowledged, or the client would resend it forever).
    const bool v5 = version_ == ProtocolVersion::V5;
    const ReasonCode code = v5 ? reason : ReasonCode::Success;
    if (publish.qos == QoS::AtLeastOnce) {
        send(mqtt::PubAck{publish.packet_id, code, {}});
        return;
    }
    if (!v5 && !session_->awaiting_release(publish.packet_id)) {
        session_->add_awaiting_release(publish.packet_id);  // its PUBREL is then known
    }
    send(mqtt::PubRec{publish.packet_id, code, {}});
}

// --- SUBSCRIBE / UNSUBSCRIBE ---

bool ClientConnection::subscribe_hooked() const {
    const auto& chain = services(*worker_).chain;
    return chain.any_for(HookPoint::BeforeSubscribe) || chain.any_for(HookPoint::AfterSubscribe);
}

void ClientConnection::subscribe_with_hooks(const mqtt::Subscribe& subscribe) {
    // An owned copy: hooks may rewrite filters, and a pending answer outlives the read buffer.
    ParkedPacket owned;
    owned.point = HookPoint::BeforeSubscribe;
    owned.packet_id = subscribe.packet_id;
    owned.subscription_identifiers = subscribe.properties.subscription_identifiers;
    for (const auto& topic : subscribe.topics) {
        owned.filters.emplace_back(topic.filter);
        owned.options.push_back(topic.options);
        // Hooks (the ACL) see only valid filters; the engine refuses the others.
        owned.reasons.push_back(mqtt::validate_topic_filter(topic.filter) &&
                                        filter_within_limits(topic.filter, "SUBSCRIBE")
                                    ? ReasonCode::Success
                                    : ReasonCode::TopicFilterInvalid);
    }
    mqtt::Subscribe packet = rebuild_subscribe(owned);
    const auto& chain = services(*worker_).chain;
    if (!chain.any_for(HookPoint::BeforeSubscribe)) return handle_subscribe(packet, owned.reasons);
    hook::PacketArena arena;
    const auto call_id = worker_->hook_dispatch().next_call_id();
    const auto result = chain.before_subscribe(call_site(arena, call_id), packet, owned.reasons);
    if (result.pending) {
        for (std::size_t i = 0; i < packet.topics.size(); ++i) {
            owned.filters[i] = std::string(packet.topics[i].filter);
            owned.options[i] = packet.topics[i].options;
        }
        owned.call_id = call_id;
        return park(std::move(owned));
    }
    handle_subscribe(packet, owned.reasons);
}

void ClientConnection::resume_subscribe(ParkedPacket& parked, hook::CompletedCall& call) {
    mqtt::Subscribe packet = rebuild_subscribe(parked);
    hook::HookChain::apply(call.decision, parked.reasons);
    if (!call.decision.refuses()) {
        hook::PacketArena arena;
        const auto call_id = worker_->hook_dispatch().next_call_id();
        const auto result = services(*worker_).chain.before_subscribe(
            call_site(arena, call_id), packet, parked.reasons, call.resume_from);
        if (result.pending) {
            std::vector<std::string> filters;
            for (const auto& topic : packet.topics)
                filters.emplace_back(topic.filter);
            parked.filters = std::move(filters);
            parked.call_id = call_id;
            return park(std::move(parked));
        }
    }
    handle_subscribe(packet, parked.reasons);
}

void ClientConnection::after_subscribe_hooks(const mqtt::Subscribe& subscribe,
                                             std::span<const std::uint8_t> reason_codes) {
    const auto& chain = services(*worker_).chain;
    if (!chain.any_for(HookPoint::AfterSubscribe) || state_ != State::Connected) return;
    hook::PacketArena arena;
    const auto call_id = worker_->hook_dispatch().next_call_id();
    auto result = chain.after_subscribe(call_site(arena, call_id), subscribe, reason_codes);
    apply_actions(result.decision.actions);
    watch_after_call(result, call_id, [&] {
        AfterCall context;
        context.point = HookPoint::AfterSubscribe;
        context.packet_id = subscribe.packet_id;
        for (const auto& topic : subscribe.topics) {
            context.filters.emplace_back(topic.filter);
            context.options.push_back(topic.options);
        }
        context.codes.assign(reason_codes.begin(), reason_codes.end());
        return context;
    });
}

bool ClientConnection::unsubscribe_hooked() const {
    const auto& chain = services(*worker_).chain;
    return chain.any_for(HookPoint::BeforeUnsubscribe) ||
           chain.any_for(HookPoint::AfterUnsubscribe);
}

void ClientConnection::unsubscribe_with_hooks(const mqtt::Unsubscribe& unsubscribe) {
    ParkedPacket owned;
    owned.point = HookPoint::BeforeUnsubscribe;
    owned.packet_id = unsubscribe.packet_id;
    for (const auto filter : unsubscribe.topic_filters) {
        owned.filters.emplace_back(filter);
        // As for SUBSCRIBE: hooks see only filters within the topic limits.
        owned.reasons.push_back(filter_within_limits(filter, "UNSUBSCRIBE")
                                    ? ReasonCode::Success
                                    : ReasonCode::TopicFilterInvalid);
    }
    mqtt::Unsubscribe packet = rebuild_unsubscribe(owned);
    const auto& chain = services(*worker_).chain;
    if (!chain.any_for(HookPoint::BeforeUnsubscribe)) {
        return handle_unsubscribe(packet, owned.reasons);
    }
    hook::PacketArena arena;
    const auto call_id = worker_->hook_dispatch().next_call_id();
    const auto result = chain.before_unsubscribe(call_site(arena, call_id), packet, owned.reasons);
    if (result.pending) {
        for (std::size_t i = 0; i < packet.topic_filters.size(); ++i)
            owned.filters[i] = std::string(packet.topic_filters[i]);
        owned.call_id = call_id;
        return park(std::move(owned));
    }
    handle_unsubscribe(packet, owned.reasons);
}

void ClientConnection::resume_unsubscribe(ParkedPacket& parked, hook::CompletedCall& call) {
    mqtt::Unsubscribe packet = rebuild_unsubscribe(parked);
    hook::HookChain::apply(call.decision, parked.reasons);
    if (!call.decision.refuses()) {
        hook::PacketArena arena;
        const auto call_id = worker_->hook_dispatch().next_call_id();
        const auto result = services(*worker_).chain.before_unsubscribe(
            call_site(arena, call_id), packet, parked.reasons, call.resume_from);
        if (result.pending) {
            std::vector<std::string> filters;
            for (const auto filter : packet.topic_filters)
                filters.emplace_back(filter);
            parked.filters = std::move(filters);
            parked.call_id = call_id;
            return park(std::move(parked));
        }
    }
    handle_unsubscribe(packet, parked.reasons);
}

void ClientConnection::after_unsubscribe_hooks(const mqtt::Unsubscribe& unsubscribe) {
    const auto& chain = services(*worker_).chain;
    if (!chain.any_for(HookPoint::AfterUnsubscribe) || state_ != State::Connected) return;
    hook::PacketArena arena;
    const auto call_id = worker_->hook_dispatch().next_call_id();
    auto result = chain.after_unsubscribe(call_site(arena, call_id), unsubscribe);
    apply_actions(result.decision.actions);
    watch_after_call(result, call_id, [&] {
        AfterCall context;
        context.point = HookPoint::AfterUnsubscribe;
        context.packet_id = unsubscribe.packet_id;
        for (const auto filter : unsubscribe.topic_filters)
            context.filters.emplace_back(filter);
        return context;
    });
}

// --- Actions of after_* hooks, on behalf of the session ---

void ClientConnection::apply_actions(std::vector<hook::Action>& actions) {
    const auto& config = worker_->config();
    for (auto& action : actions) {
        if (!session_ || state_ != State::Connected) return;
        if (auto* publish = std::get_if<hook::PublishAction>(&action)) {
            if (!mqtt::validate_topic_name(publish->topic)) {
                spdlog::warn("hook publish action for client {}: invalid topic name \"{}\"",
                             client_id(), publish->topic);
                continue;
            }
            if (const auto breach = worker_->context().topic_limits.check_name(publish->topic)) {
                spdlog::warn("hook publish action for client {}: topic \"{}\" has {}", client_id(),
                             topic_for_log(publish->topic), breach->describe());
                continue;
            }
            mqtt::Publish p;
            p.topic = publish->topic;
            p.payload = publish->payload;
            p.qos = static_cast<QoS>(std::min<std::uint8_t>(static_cast<std::uint8_t>(publish->qos),
                                                            config.max_allowed_qos));
            p.retain = publish->retain && config.retain_available;
            // The client's own path from here: retained store, persistent store, routing.
            publish_accepted(*worker_, p, p.topic, session_->id());
        } else if (auto* subscribe = std::get_if<hook::SubscribeAction>(&action)) {
            const std::string& filter = subscribe->filter;
            if (!mqtt::validate_topic_filter(filter)) {
                spdlog::warn("hook subscribe action for client {}: invalid topic filter \"{}\"",
                             client_id(), filter);
                continue;
            }
            if (const auto breach = worker_->context().topic_limits.check_filter(filter)) {
                spdlog::warn("hook subscribe action for client {}: topic filter \"{}\" has {}",
                             client_id(), topic_for_log(filter), breach->describe());
                continue;
            }
            const auto shared = mqtt::parse_shared_subscription(filter);
            const std::string_view plain = shared ? shared->filter : std::string_view(filter);
            if ((shared && !config.shared_subscription_available) ||
                (!config.wildcard_subscription_available &&
                 plain.find_first_of("+#") != std::string_view::npos)) {
                spdlog::warn(
                    "hook subscribe action for client {}: \"{}\" is not available "
                    "(shared_subscription_available / wildcard_subscription_available)",
                    client_id(), filter);
                continue;
            }
            const auto granted = std::min<std::uint8_t>(
                static_cast<std::uint8_t>(subscribe->options.qos), config.max_allowed_qos);
            StoredSubscription stored{subscribe->options, 0};
            stored.options.qos = static_cast<QoS>(granted);
            stored.options.no_local = subscribe->options.no_local && !shared;
            // The client's own path from here: index, session, persistent store.
            const auto result = subscribe_accepted(*worker_, *session_, filter, stored);
            const auto rh = subscribe->options.retain_handling;
            if (!shared && (rh == 0 || (rh == 1 && result == SubscribeResult::kAdded))) {
                worker_->send_retained(*session_, filter, stored);
            }
        } else if (auto* unsubscribe = std::get_if<hook::UnsubscribeAction>(&action)) {
            unsubscribe_accepted(*worker_, *session_, unsubscribe->filter);
        }
    }
}

// --- End of the connection, delivery ---

void ClientConnection::hooks_connection_closed(bool was_connected, bool taken_over) {
    if (hooks_->parked || !hooks_->after_calls.empty()) worker_->hook_dispatch().forget(*this);
    hooks_->parked.reset();
    hooks_->after_calls.clear();
    const auto& chain = services(*worker_).chain;
    if (was_connected && chain.any_for(HookPoint::AfterDisconnect)) {
        chain.after_disconnect(hooks_->info(), taken_over);
    }
}

bool ClientConnection::hook_may_deliver(const Message& message) {
    const auto& acl = services(*worker_).acl;
    if (!acl || acl->can_deliver(hooks_->info(), message.topic)) return true;
    spdlog::debug("ACL: not delivering {} to client {}", message.topic, client_id());
    return false;
}

}  // namespace akasa::broker
