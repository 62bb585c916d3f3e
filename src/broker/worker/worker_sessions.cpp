// A worker's sessions: attaching an accepted CONNECT on the worker that owns the client id
// (handing the connection over to it when that is another worker), taking over an existing
// connection [MQTT-3.1.4-3], and a session's end (will, expiry, registry).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "broker/connection/client_connection.h"
#include "broker/persist/persist_writer.h"
#include "broker/session/session.h"
#include "broker/worker/worker.h"

namespace akasa::broker {

void Worker::attach(ClientConnection& connection, ConnectRequest&& request) {
    const std::uint32_t owner = context_.registry.claim(request.client_id, index_);
    if (owner == index_) {
        finish_connect(connection, std::move(request));
        return;
    }
    // The session lives on another worker: hand the connection over once the current
    // read is finished (the connection is still on this thread's stack).
    connection.hand_over_to(owner, std::move(request));
}

void Worker::adopt(std::unique_ptr<ClientConnection> connection, ConnectRequest&& request) {
    const std::uint32_t owner = context_.registry.claim(request.client_id, index_);
    auto* raw = connection.get();
    raw->rebind(*this);
    connections_.insert(std::move(connection));
    counters_.add(counters_.connections_current);
    if (owner != index_) {
        // The session ended here and someone else claimed the id meanwhile: follow it.
        raw->hand_over_to(owner, std::move(request));
        migrate(*raw);
        return;
    }
    raw->poll_on(loop_);
    finish_connect(*raw, std::move(request));
    // Packets the client sent right after its CONNECT came along in the connection's buffer.
    raw->handle_pending_input();
}

void Worker::migrate(ClientConnection& connection) {
    // Its output may stand for writes of our open batch; the next worker commits its own.
    if (connection.waits_for_store()) commit_persistence();
    auto handover = connection.take_handover();
    auto owned = release(connection);
    loop_.remove(connection.fd());
    counters_.sub(counters_.connections_current);
    auto* target = context_.workers[handover.target].get();
    // std::function needs a copyable callable: share the moved-out state.
    auto state = std::make_shared<std::pair<std::unique_ptr<ClientConnection>, ConnectRequest>>(
        std::move(owned), std::move(handover.request));
    target->post(
        [state](Worker& w) { w.adopt(std::move(state->first), std::move(state->second)); });
}

void Worker::finish_connect(ClientConnection& connection, ConnectRequest&& request) {
    auto find = [&] { return sessions_.find(std::string_view(request.client_id)); };
    if (!connection.connack_fits(request)) {
        // Checked before anything changes: a client that cannot be answered takes over no
        // session and leaves the client id's owner as it was.
        if (!find()) context_.registry.release(request.client_id, index_);
        connection.close(CloseReason{"CONNACK too large for the client", std::nullopt, false});
        return;
    }
    if (Session* existing = find(); existing && !existing->belongs_to(request.username) &&
                                    !config().allow_session_takeover_by_other_user) {
        // The session (its queue, its in-flight messages, its subscriptions) is another
        // user's: neither resumed nor replaced, and its connection stays.
        spdlog::warn(
            "client id {} is in use by another user's session: CONNECT from {} refused "
            "(allow_session_takeover_by_other_user)",
            request.client_id, connection.peer());
        connection.refuse_connect(request.version, mqtt::ReasonCode::NotAuthorized,
                                  "the client id's session belongs to another user");
        return;
    }
    if (Session* existing = find(); existing && existing->connection) {
        // [MQTT-3.1.4-3]: the existing connection is closed first. This may end the old
        // session (expiry 0); the registry entry stays ours either way.
        existing->connection->close_for_takeover();
    }
    Session* session = find();
    if (session && !session->connection && session->expires_at && *session->expires_at <= now_) {
        // Expired and not yet collected by the 1-second tick (or expired while the broker
        // was down, persist_recovery.h): it is gone, not resumed.
        end_session(*session, /*release_registry=*/false);
        session = nullptr;
    }
    // A new connection for the session before its will delay passed cancels the will
    // [MQTT-3.1.2-8], also when its Clean Start ends the session right below. One whose time
    // came before this connection (the 1-second tick has not sent it yet) goes out.
    if (session && session->delayed_will) {
        if (session->delayed_will_at <= now_) publish_will(session->delayed_will);
        session->delayed_will.reset();
    }
    const bool resume = session && !request.clean_start;
    if (session && !resume) {
        end_session(*session, /*release_registry=*/false);  // Clean Start [MQTT-3.1.2-4]
        session = nullptr;
    }
    if (!session) {
        const SessionId id = (static_cast<SessionId>(index_ + 1) << 48) | next_session_serial_++;
        session = &sessions_.add(std::make_unique<Session>(id, request.client_id));
        session->outbox.use_budget(&context_.queue_budget);
        counters_.add(counters_.sessions_current);
    }
    if (!session->belongs_to(request.username) || session->owner_unknown) {
        // A new session, one restored from a record without an owner, or one another user
        // was allowed to take over (allow_session_takeover_by_other_user): it is now theirs.
        session->owner =
            request.username ? std::make_unique<const std::string>(*request.username) : nullptr;
        session->owner_unknown = false;
    }
    session->expires_at.reset();
    session->version = request.version;
    session->expiry_interval = request.session_expiry;
    persist_.session_connected(*session, request.will, request.will_delay, now_);
    connection.start_session(*session, request, resume);
}

void Worker::session_disconnected(Session& session, MessagePtr will, std::uint32_t will_delay,
                                  bool publish, bool taken_over) {
    session.connection = nullptr;
    counters_.sub(counters_.clients_online);
    if (session.listed_online) {
        context_.online.set(session.id(), false);
        session.listed_online = false;
    }
    // Spec 4.8.2, before its queued QoS 0 is dropped; not when a new connection of the same
    // client takes over (resumed at once, or ended by Clean Start: end_session() does it).
    if (!taken_over) redispatch_shared(session);
    session.outbox.drop_pending_qos0();  // QoS 0 is not kept for offline sessions
    const bool ends_now = session.expiry_interval == 0;
    if (will && publish) {
        if (will_delay == 0 || ends_now) {
            publish_will(will);
        } else {
            // Sent at the earlier of the delay and the session's end [MQTT-3.1.3-9].
            session.delayed_will = std::move(will);
            auto delay = std::chrono::seconds(will_delay);
            if (session.expiry_interval != kSessionNeverExpires)
                delay = std::min(delay, std::chrono::seconds(session.expiry_interval));
            session.delayed_will_at = now_ + delay;
        }
    }
    if (ends_now) {
        end_session(session, /*release_registry=*/!taken_over);
        return;
    }
    if (session.expiry_interval != kSessionNeverExpires) {
        session.expires_at = now_ + std::chrono::seconds(session.expiry_interval);
    }
    persist_.session_disconnected(session, now_);
}

void Worker::list_online_if_shared(Session& session) {
    if (!session.listed_online && session.connection && session.has_shared_subscription()) {
        session.listed_online = true;
        context_.online.set(session.id(), true);
    }
}

void Worker::end_session(Session& session, bool release_registry) {
    if (session.delayed_will) publish_will(session.delayed_will);
    redispatch_shared(session);  // what no other member could take at disconnect (4.8.2)
    std::vector<std::string_view> filters;
    filters.reserve(session.subscriptions.size());
    for (const auto& [filter, sub] : session.subscriptions)
        filters.push_back(filter);
    context_.subscriptions.unsubscribe_all(filters, session.id());
    persist_.session_ended(session);
    if (release_registry) {
        // Written before another worker may claim the client id and store a new session
        // under it: our erase must not land after its writes.
        if (!persist_.empty()) commit_persistence();
        context_.registry.release(session.client_id(), index_);
    }
    counters_.sub(counters_.sessions_current);
    sessions_.erase(session);  // destroys it
}

}  // namespace akasa::broker
