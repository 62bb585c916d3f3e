// The engine's side of the hook layer, per connection: what each hook point runs on and what
// refusing or passing a packet means for the connection (the pipeline itself, parking and
// resuming included, is hooks/hook_pipeline.h), reading again once a parked packet is
// handled, the actions of after_* hooks, and the ACL's read check on delivery. Nothing here
// runs unless a hook is configured (hooks_ is null otherwise).
#include <spdlog/spdlog.h>
#include <sys/epoll.h>

#include <variant>

#include "broker/connection/accepted_requests.h"
#include "broker/connection/client_connection.h"
#include "broker/connection/subscription_admission.h"
#include "broker/hooks/hook_pipeline.h"
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

// The connection as the hook pipeline (hooks/hook_pipeline.h) sees it: its hook state and the
// worker's, and, per point, what refusing and passing a packet mean for it.
class ClientConnection::HookHost {
  public:
    explicit HookHost(ClientConnection& connection) : c_(connection) {}

    HookSession& session() { return *c_.hooks_; }
    const HookServices& services() { return *c_.worker_->context().hooks; }
    std::chrono::seconds hook_timeout() const { return c_.config().hook_timeout; }
    HookDispatch& dispatch() { return c_.worker_->hook_dispatch(); }
    Clock::time_point now() { return c_.worker_->now(); }
    void watch(std::uint64_t call_id, bool blocking, Clock::time_point deadline) {
        dispatch().watch(call_id, c_, blocking, deadline);
    }
    void hold_input() {
        c_.flow_.hold();
        c_.update_interest();
    }
    bool connected() const { return c_.session_ && c_.state_ == State::Connected; }
    void apply_actions(std::vector<hook::Action>& actions) { c_.apply_actions(actions); }
    void unreadable(const mqtt::DecodeError& error) {
        c_.protocol_violation(error.reason, error.message);
    }

    // CONNECT: refused with its CONNACK; passed on, the session is attached (maybe on another
    // worker).
    void refused(mqtt::Connect&, ConnectPoint::State&, const hook::Decision& decision) {
        c_.refuse_connect(
            c_.version_, decision.reason,
            decision.reason_string.empty() ? "refused by a hook" : decision.reason_string.c_str());
    }
    void passed(mqtt::Connect&, ConnectPoint::State& state) {
        c_.worker_->attach(c_, std::move(state.request));
    }

    // PUBLISH: refused in its acknowledgement (v5) or dropped; passed on, routed.
    void refused(mqtt::Publish& publish, PublishPoint::State&, const hook::Decision& decision) {
        c_.refuse_publish(publish, decision.reason);
    }
    void passed(mqtt::Publish& publish, PublishPoint::State& state) {
        c_.finish_publish(publish, state.changed);
    }

    // SUBSCRIBE / UNSUBSCRIBE: a refusal of the whole packet refuses each filter in the
    // acknowledgement; the engine then handles the packet with the hooks' reasons.
    template <class Packet>
    void refused(Packet& packet, FilterPoint::State& state, const hook::Decision& decision) {
        hook::HookChain::apply(decision, state.reasons);
        passed(packet, state);
    }
    void passed(mqtt::Subscribe& subscribe, FilterPoint::State& state) {
        c_.handle_subscribe(subscribe, state.reasons);
    }
    void passed(mqtt::Unsubscribe& unsubscribe, FilterPoint::State& state) {
        c_.handle_unsubscribe(unsubscribe, state.reasons);
    }

  private:
    ClientConnection& c_;
};

namespace {

const HookServices& services(Worker& worker) {
    return *worker.context().hooks;
}

}  // namespace

// --- Answers and timeouts ---

void ClientConnection::on_hook_answer(hook::CompletedCall call) {
    if (state_ == State::Closed || !hooks_) return;
    HookHost host(*this);
    if (HookPipeline(host).answered(call)) unpark_and_continue();
}

void ClientConnection::on_hook_timeout(std::uint64_t call_id, bool blocking) {
    if (state_ == State::Closed || !hooks_) return;
    HookHost host(*this);
    if (HookPipeline(host).timed_out(call_id, blocking)) unpark_and_continue();
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

// --- The hook points: what the pipeline runs on, per packet ---

void ClientConnection::connect_with_hooks(const mqtt::FixedHeader& header,
                                          std::span<const std::uint8_t> body,
                                          mqtt::Connect& connect, ConnectRequest&& request) {
    const auto& transport = transport_->info();
    hooks_ = std::make_unique<HookSession>(request.client_id, request.username, peer(),
                                           std::string(transport.listener),
                                           transport.tls_peer_subject, version_);
    ConnectPoint::State state{header, body, std::move(request)};
    HookHost host(*this);
    HookPipeline(host).before<ConnectPoint>(connect, state);
}

void ClientConnection::after_connect_hooks(bool session_present) {
    HookHost host(*this);
    HookPipeline(host).after<AfterConnectPoint>(session_present);
}

bool ClientConnection::publish_hooked() const {
    const auto& chain = services(*worker_).chain;
    return chain.any_for(HookPoint::BeforePublish) || chain.any_for(HookPoint::AfterPublish);
}

void ClientConnection::publish_with_hooks(const mqtt::FixedHeader& header,
                                          std::span<const std::uint8_t> body,
                                          mqtt::Publish& publish) {
    PublishPoint::State state{header, body, version_, false};
    HookHost host(*this);
    HookPipeline(host).before<PublishPoint>(publish, state);
}

void ClientConnection::finish_publish(mqtt::Publish& publish, bool changed) {
    if (changed && !mqtt::validate_topic_name(publish.topic)) {
        spdlog::warn("a hook rewrote a PUBLISH of client {} to an invalid topic name", client_id());
        return refuse_publish(publish, ReasonCode::TopicNameInvalid);
    }
    if (changed) {
        if (const auto breach = topic_limits().check_name(publish.topic)) {
            spdlog::warn("a hook rewrote a PUBLISH of client {} to topic \"{}\", which has {}",
                         client_id(), topic_for_log(publish.topic), breach->describe());
            return refuse_publish(publish, ReasonCode::TopicNameInvalid);
        }
    }
    accept_publish(publish, publish.topic);
    HookHost host(*this);
    HookPipeline(host).after<AfterPublishPoint>(publish, changed);
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

bool ClientConnection::subscribe_hooked() const {
    const auto& chain = services(*worker_).chain;
    return chain.any_for(HookPoint::BeforeSubscribe) || chain.any_for(HookPoint::AfterSubscribe);
}

void ClientConnection::subscribe_with_hooks(const mqtt::Subscribe& subscribe) {
    auto packet = SubscribePoint::for_hooks(subscribe);
    SubscribePoint::State state;
    state.reasons.reserve(packet.topics.size());
    for (const auto& topic : packet.topics) {
        // Hooks (the ACL) see only valid filters; the engine refuses the others.
        auto why = filter_refusal(topic_limits(), topic.filter);
        if (why) log_refused_filter("SUBSCRIBE", *why);
        state.reasons.push_back(why ? ReasonCode::TopicFilterInvalid : ReasonCode::Success);
    }
    HookHost host(*this);
    HookPipeline(host).before<SubscribePoint>(packet, state);
}

void ClientConnection::after_subscribe_hooks(const mqtt::Subscribe& subscribe,
                                             std::span<const std::uint8_t> reason_codes) {
    HookHost host(*this);
    HookPipeline(host).after<AfterSubscribePoint>(subscribe, reason_codes);
}

bool ClientConnection::unsubscribe_hooked() const {
    const auto& chain = services(*worker_).chain;
    return chain.any_for(HookPoint::BeforeUnsubscribe) ||
           chain.any_for(HookPoint::AfterUnsubscribe);
}

void ClientConnection::unsubscribe_with_hooks(const mqtt::Unsubscribe& unsubscribe) {
    auto packet = UnsubscribePoint::for_hooks(unsubscribe);
    UnsubscribePoint::State state;
    state.reasons.reserve(packet.topic_filters.size());
    for (const auto filter : packet.topic_filters) {
        // As for SUBSCRIBE: hooks see only filters within the topic limits.
        state.reasons.push_back(filter_within_limits(filter, "UNSUBSCRIBE")
                                    ? ReasonCode::Success
                                    : ReasonCode::TopicFilterInvalid);
    }
    HookHost host(*this);
    HookPipeline(host).before<UnsubscribePoint>(packet, state);
}

void ClientConnection::after_unsubscribe_hooks(const mqtt::Unsubscribe& unsubscribe) {
    HookHost host(*this);
    HookPipeline(host).after<AfterUnsubscribePoint>(unsubscribe);
}

// --- Actions of after_* hooks, on behalf of the session ---

void ClientConnection::apply_actions(std::vector<hook::Action>& actions) {
    const auto& config = this->config();
    for (auto& action : actions) {
        if (!session_ || state_ != State::Connected) return;
        if (auto* publish = std::get_if<hook::PublishAction>(&action)) {
            if (!mqtt::validate_topic_name(publish->topic)) {
                spdlog::warn("hook publish action for client {}: invalid topic name \"{}\"",
                             client_id(), publish->topic);
                continue;
            }
            if (const auto breach = topic_limits().check_name(publish->topic)) {
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
            // The client's own rules and path from here (subscription_admission.h).
            const auto admission = admit_subscription(
                *worker_, generation(), *session_,
                {subscribe->filter, subscribe->options, 0, SharedNoLocal::Clear});
            if (!admission.admitted()) {
                if (!admission.why.empty()) {
                    spdlog::warn("hook subscribe action for client {} refused: {}", client_id(),
                                 admission.why);
                }
                continue;
            }
            if (admission.retained_due) {
                worker_->send_retained(*session_, subscribe->filter, admission.stored);
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
