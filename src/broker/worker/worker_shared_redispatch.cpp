// Spec 4.8.2 on the worker: an offline session's shared-subscription deliveries go to another
// online member of their group (the rules: mqtt5/shared_redispatch.h).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <optional>

#include "broker/mqtt5/shared_redispatch.h"
#include "broker/persist/persist_writer.h"
#include "broker/worker/worker.h"

namespace akasa::broker {

void Worker::redispatch_shared(Session& session) {
    // A stopping server keeps every session's messages where they are (and stored).
    if (shutting_down_ || session.connection || session.outbox.empty()) return;

    // The subscription of another online member of the group `delivery` came through;
    // nullopt when there is none (the delivery then stays with this session).
    auto other_member = [&](const Delivery& delivery) -> std::optional<Subscription> {
        std::optional<Subscription> chosen;
        if (delivery.shared_group == 0 || !delivery.message || delivery.message->expired(now_))
            return chosen;
        const std::uint32_t random = static_cast<std::uint32_t>(random_());
        context_.subscriptions.match(
            delivery.message->topic, [](const Subscription&) {},
            [&](std::string_view group, std::span<const Subscription> members) {
                if (chosen || mqtt5::shared_group_tag(group) != delivery.shared_group) return;
                // The group this session is (still) a member of.
                if (std::none_of(members.begin(), members.end(),
                                 [&](const Subscription& s) { return s.session == session.id(); }))
                    return;
                const std::size_t pick = mqtt5::pick_other_online_member(
                    config().shared_subscription_mode, members, *delivery.message, random,
                    context_.online, session.id());
                if (pick < members.size()) chosen = members[pick];
            });
        return chosen;
    };
    // Delivers a copy at the new member's granted QoS and options, as route() would have;
    // false (nothing done) when the member's session is gone meanwhile.
    std::size_t moved = 0;
    auto hand_over = [&](const Delivery& from, const Subscription& to) -> bool {
        Delivery delivery;
        delivery.message = from.message;
        delivery.qos =
            static_cast<mqtt::QoS>(std::min(to.qos, static_cast<std::uint8_t>(from.message->qos)));
        delivery.retain = to.retain_as_published && from.message->retain;
        if (to.identifier != 0) delivery.subscription_ids.push_back(to.identifier);
        delivery.shared_group = from.shared_group;
        const std::uint32_t owner = owner_of(to.session);
        const bool stored_copy = delivery.qos != mqtt::QoS::AtMostOnce;
        if (owner == index_) {
            Session* session = sessions_.find(to.session);
            if (!session) return false;
            if (stored_copy) persist_.routed(to.session, session, delivery, now_);
            deliver(*session, std::move(delivery));
        } else if (owner < outgoing_.size()) {
            // Stored in this iteration's batch, posted after it is committed (run()).
            if (stored_copy) store_for_remote(to.session, delivery);
            outgoing_[owner].push_back({to.session, std::move(delivery)});
        } else {
            return false;
        }
        ++moved;
        return true;
    };

    // Oldest first: the unacknowledged QoS 1 PUBLISH packets, then the queue. A QoS 2
    // PUBLISH already sent stays [MQTT-4.8.2-4][MQTT-4.8.2-5].
    session.outbox.take_inflight_if([&](InflightEntry& entry) {
        if (entry.delivery.qos != mqtt::QoS::AtLeastOnce) return false;
        const auto to = other_member(entry.delivery);
        if (!to || !hand_over(entry.delivery, *to)) return false;
        persist_.inflight_completed(session, entry.packet_id);
        return true;
    });
    session.outbox.take_pending_if([&](Delivery& delivery) {
        const auto to = other_member(delivery);
        if (!to || !hand_over(delivery, *to)) return false;
        persist_.queued_dropped(session, delivery);  // its stored copy is done
        return true;
    });
    if (moved > 0) {
        spdlog::info(
            "client {} went away: {} shared-subscription message(s) handed to other "
            "members of their groups",
            session.client_id(), moved);
    }
}

}  // namespace akasa::broker
