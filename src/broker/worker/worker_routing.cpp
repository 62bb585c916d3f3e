// The publish path: match a message against the subscription index, merge the matches per
// session, deliver to sessions of this worker directly and batch the others per worker;
// encode each wire form of a message once and copy it to every subscriber with its packet
// id patched in.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>

#include "broker/mqtt5/mqtt5_message_expiry.h"
#include "broker/mqtt5/shared_redispatch.h"
#include "broker/persist/persist_writer.h"
#include "broker/routing/shared_member_pick.h"
#include "broker/sys/sys_tree.h"
#include "broker/worker/worker.h"
#include "mqtt/encoder.h"

namespace akasa::broker {

using mqtt::ProtocolVersion;
using mqtt::QoS;

void Worker::route(const MessagePtr& message) {
    matches_.clear();
    const auto mode = config().shared_subscription_mode;
    context_.subscriptions.match(
        message->topic,
        [&](const Subscription& s) {
            // No Local: not back to the publishing session [MQTT-3.8.3-3].
            if (s.no_local && s.session == message->publisher) return;
            matches_.push_back({s.session, s.qos, s.retain_as_published, s.identifier, 0});
        },
        [&](std::string_view group, std::span<const Subscription> members) {
            const auto random = static_cast<std::uint32_t>(random_());
            // One online member when there is one (spec 4.8.2), offline ones queue.
            const std::size_t pick =
                first_online_member(context_.online, members,
                                    shared_member_for(mode, members.size(), *message, random));
            const auto& s = members[pick];
            matches_.push_back({s.session, s.qos, s.retain_as_published, s.identifier,
                                mqtt5::shared_group_tag(group)});
        });
    if (matches_.empty()) return;
    pass_routed_bytes_ += matches_.size() * message->size;
    if (matches_.size() > 1) {
        std::sort(matches_.begin(), matches_.end(),
                  [](const Match& a, const Match& b) { return a.session < b.session; });
    }
    // Per session: one delivery at the highest granted QoS of its matching subscriptions,
    // carrying all their identifiers [MQTT-3.3.4-2][MQTT-3.3.4-3]; or, when identifiers
    // are involved and multiple_subscription_id_in_publish is false, one delivery per
    // matching subscription, each with its own identifier (both allowed by 3.3.4).
    const bool one_per_subscription = !config().multiple_subscription_id_in_publish;
    const auto publish_qos = static_cast<std::uint8_t>(message->qos);
    auto dispatch = [&](SessionId target, Delivery&& delivery) {
        const std::uint32_t owner = owner_of(target);
        if (owner == index_) {
            if (Session* found = sessions_.find(target)) {
                // Stored before the publisher's acknowledgement (persist_writer.h): as a
                // queued copy, unless it is sent at once and stored as inflight instead.
                Session& session = *found;
                if (delivery.qos != QoS::AtMostOnce &&
                    !(session.connection && session.connection->sends_at_once(*message))) {
                    persist_.routed(target, &session, delivery, now_);
                }
                deliver(session, std::move(delivery));
            }
        } else if (owner < outgoing_.size()) {
            if (delivery.qos != QoS::AtMostOnce) store_for_remote(target, delivery);
            // Its worker pauses the publisher too, but only once this reached it.
            if (delivery.qos != QoS::AtMostOnce && context_.congested.contains(target))
                throttle_.remote_subscriber_congested(target);
            outgoing_[owner].push_back({target, std::move(delivery)});
        }
    };
    for (std::size_t i = 0; i < matches_.size();) {
        std::size_t j = i;
        bool any_identifier = false;
        while (j < matches_.size() && matches_[j].session == matches_[i].session) {
            any_identifier = any_identifier || matches_[j].identifier != 0;
            ++j;
        }
        const SessionId target = matches_[i].session;
        if (one_per_subscription && any_identifier && j - i > 1) {
            for (std::size_t k = i; k < j; ++k) {
                Delivery delivery;
                delivery.message = message;
                delivery.qos = static_cast<QoS>(std::min(matches_[k].qos, publish_qos));
                delivery.retain = matches_[k].retain_as_published && message->retain;
                if (matches_[k].identifier != 0)
                    delivery.subscription_ids.push_back(matches_[k].identifier);
                delivery.shared_group = matches_[k].shared_group;
                dispatch(target, std::move(delivery));
            }
            i = j;
            continue;
        }
        std::uint8_t qos = 0;
        bool retain_as_published = false;
        Delivery delivery;
        for (std::size_t k = i; k < j; ++k) {
            qos = std::max(qos, matches_[k].qos);
            retain_as_published = retain_as_published || matches_[k].retain_as_published;
            if (matches_[k].identifier != 0)
                delivery.subscription_ids.push_back(matches_[k].identifier);
        }
        delivery.message = message;
        delivery.qos = static_cast<QoS>(std::min(qos, publish_qos));
        // [MQTT-3.3.1-12/13]: the retain flag is kept only with Retain As Published.
        delivery.retain = retain_as_published && message->retain;
        // Movable to another member only when one shared subscription alone asked for it.
        if (j - i == 1) delivery.shared_group = matches_[i].shared_group;
        dispatch(target, std::move(delivery));
        i = j;
    }
}

void Worker::deliver(Session& session, Delivery&& delivery) {
    if (session.connection) {
        session.connection->deliver(std::move(delivery));
        return;
    }
    // Offline: QoS 1/2 are queued for the session's return; QoS 0 is not kept
    // (docs/architecture.md, "Offline sessions").
    if (delivery.qos == QoS::AtMostOnce) return;
    queue_delivery(session, std::move(delivery), queue_limit(session));
}

void Worker::deliver_batch(std::vector<RemoteDelivery>& batch) {
    for (auto& item : batch) {
        if (Session* session = sessions_.find(item.session)) {
            const SessionId publisher = item.delivery.message->publisher;
            throttle_.begin_read();
            deliver(*session, std::move(item.delivery));
            // A congested subscriber here holds back the publisher on its own worker.
            if (auto* congested = throttle_.reader_must_wait_for(); congested && publisher != 0)
                pause_remote_publisher(publisher, *congested);
        }
    }
    throttle_.begin_read();
}

void Worker::send_retained(Session& session, std::string_view filter,
                           const StoredSubscription& sub) {
    std::vector<MessagePtr> found;
    context_.retained.match(filter, [&](const MessagePtr& m) { found.push_back(m); });
    for (auto& m : found) {
        if (m->expired(now_)) continue;
        Delivery delivery;
        delivery.message = m;
        delivery.qos = std::min(m->qos, sub.options.qos);
        delivery.retain = true;  // [MQTT-3.3.1-8]: retained on subscribe keeps the flag
        if (sub.identifier != 0) delivery.subscription_ids.push_back(sub.identifier);
        deliver(session, std::move(delivery));
    }
}

void Worker::publish_will(const MessagePtr& stored_will) {
    // Wills at shutdown went out in publish_wills_for_shutdown(), while every worker still
    // took deliveries; one left after that (a CONNECT completed since) would reach nobody.
    if (shutting_down_) return;
    const auto will = mqtt5::will_at_publication(stored_will, now_);
    // When the retained store refuses it, it is still published (not retained).
    if (will->retain && config().retain_available) store_retained(will);
    route(will);
}

bool Worker::store_retained(const MessagePtr& message) {
    if (message->payload.empty()) {  // clears the topic [MQTT-3.3.1-6/7]
        context_.retained.erase(message->topic);
        persist_.retained_changed(message->topic, nullptr, now_);
        return true;
    }
    using Result = RetainedStore<Message, RetainedCost>::SetResult;
    const Result result = context_.retained.set(message->topic, message, limits().retained);
    if (result == Result::Stored) {
        // In the iteration's batch, committed before the PUBACK / PUBREC leaves. The $SYS
        // topics are not stored: they are regenerated after a restart (src/broker/sys/).
        if (!sys::is_server_topic(message->topic)) {
            persist_.retained_changed(message->topic, message, now_);
        }
        return true;
    }
    const bool over_count = result == Result::OverCount;
    const Session* publisher =
        message->publisher != 0 ? sessions_.find(message->publisher) : nullptr;
    limit_hit(over_count ? MemoryLimit::RetainedMessages : MemoryLimit::RetainedBytes,
              "not storing the retained message of client {} on topic {}: the retained store "
              "holds {} messages, {} bytes",
              publisher ? std::string_view(publisher->client_id()) : std::string_view("(will)"),
              message->topic.substr(0, 128), context_.retained.size(), context_.retained.bytes());
    return false;
}

}  // namespace akasa::broker
