// CONNECT: validation, authentication, the server's choices (keep alive, session expiry,
// receive maximum), and attaching the connection to its session on the worker that owns
// the client id, taking over an existing connection [MQTT-3.1.4-3].
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "broker/connection/client_connection.h"
#include "broker/mqtt5/connack_fit.h"
#include "broker/mqtt5/mqtt5_options.h"
#include "broker/persist/persist_writer.h"
#include "broker/session/session.h"
#include "broker/topic_limits.h"
#include "broker/worker.h"
#include "mqtt/encoder.h"

namespace akasa::broker {

using mqtt::ProtocolVersion;
using mqtt::ReasonCode;

namespace {

const char* protocol_name(ProtocolVersion v) {
    switch (v) {
        case ProtocolVersion::V31:
            return "MQTT 3.1";
        case ProtocolVersion::V311:
            return "MQTT 3.1.1";
        case ProtocolVersion::V5:
            return "MQTT 5.0";
    }
    return "MQTT ?";
}

// The largest packet we send this client: its own Maximum Packet Size (v5), else
// max_packet_size_client, Akasa's limit for clients that state none.
std::uint32_t outbound_packet_limit(const config::Config& config, const mqtt::Connect& connect) {
    return connect.properties.maximum_packet_size.value_or(config.max_packet_size_client);
}

}  // namespace

void ClientConnection::refuse_connect(ProtocolVersion version, ReasonCode reason, const char* why,
                                      bool quiet) {
    spdlog::log(quiet ? spdlog::level::debug : spdlog::level::info,
                "refused connection from {}: {} ({})", peer(), mqtt::to_string(reason), why);
    worker_->counters().add(worker_->counters().connections_refused);
    // Whoever decided it (password file, SCRAM, a hook), a refused credential counts against
    // the client's address (password_check.cpp).
    if (reason == ReasonCode::BadUserNameOrPassword) count_failed_login();
    mqtt::Connack connack;
    if (version == ProtocolVersion::V5) {
        connack.reason_code = static_cast<std::uint8_t>(reason);
        connack.properties.reason_string = why;  // dropped if too large [MQTT-3.2.2-19]
    } else {
        connack.reason_code = static_cast<std::uint8_t>(mqtt::to_connect_return_code(reason));
    }
    version_ = version;
    send(connack);
    close(CloseReason{std::string("connect refused: ") + why, std::nullopt, false});
}

void ClientConnection::handle_connect(const mqtt::FixedHeader& header,
                                      std::span<const std::uint8_t> body, bool password_checked) {
    const auto& config = worker_->config();
    mqtt::Connect connect;
    if (auto error = mqtt::decode_connect(header, body, connect, worker_->limits().decode)) {
        if (error->reason == ReasonCode::QuotaExceeded) count_user_property_refusal(*error);
        if (error->reason == ReasonCode::UnsupportedProtocolVersion) {
            // Answered in the 3.1.1 format, which 3.x clients understand [MQTT-3.1.2-2].
            refuse_connect(ProtocolVersion::V311, ReasonCode::UnsupportedProtocolVersion,
                           error->message);
        } else if (connect.version == ProtocolVersion::V5) {
            refuse_connect(ProtocolVersion::V5, error->reason, error->message);
        } else {
            spdlog::info("closing connection from {}: malformed CONNECT ({})", peer(),
                         error->message);
            close(CloseReason{error->message, std::nullopt, false});
        }
        return;
    }
    const ProtocolVersion version = connect.version;
    const bool v5 = version == ProtocolVersion::V5;
    version_ = version;
    if (v5) {
        // Limits on what we send apply from the CONNACK on (mqtt5_limits.h).
        client_max_packet_size_ = outbound_packet_limit(config, connect);
        request_problem_information_ =
            connect.properties.request_problem_information.value_or(1) != 0;
        if (connect.properties.topic_alias_maximum.value_or(0) > 0) {
            topic_aliases_out_ = std::make_unique<OutboundTopicAliases>();
            topic_aliases_out_->reset(*connect.properties.topic_alias_maximum);
        }
    }

    if (!password_checked && login_blocked()) {
        // Before any credential is looked at: a blocked address costs no hashing. Logged
        // once, when the block began (count_failed_login).
        return refuse_connect(version, ReasonCode::ConnectionRateExceeded,
                              "too many failed logins from this address (auth.max_failed_logins)",
                              /*quiet=*/true);
    }

    ConnectRequest request;
    request.version = version;
    request.clean_start = connect.clean_start;
    request.client_id.assign(connect.client_id);

    if (version == ProtocolVersion::V31 && config.check_v310_client_id_length &&
        connect.client_id.size() > 23) {
        return refuse_connect(version, ReasonCode::ClientIdentifierNotValid,
                              "3.1 client id longer than 23 characters");
    }
    if (connect.client_id.size() > worker_->limits().client_id_length) {
        worker_->limit_hit(MemoryLimit::ClientIdLength,
                           "refused connection from {}: its client id has {} bytes", peer(),
                           connect.client_id.size());
        return refuse_connect(version, ReasonCode::ClientIdentifierNotValid,
                              "client id longer than max_client_id_length");
    }
    if (connect.client_id.empty()) {
        if (version == ProtocolVersion::V31) {
            // MQTT 3.1 (3.1 "Client Identifier"): 1 to 23 characters; assigning one is a
            // 3.1.1 addition, so a 3.1 client with none is identifier-rejected.
            return refuse_connect(version, ReasonCode::ClientIdentifierNotValid,
                                  "MQTT 3.1 client without a client id");
        }
        if (!v5 && !connect.clean_start) {
            // [MQTT-3.1.3-8]: a zero-byte id needs Clean Session = 1.
            return refuse_connect(version, ReasonCode::ClientIdentifierNotValid,
                                  "empty client id without clean session");
        }
        request.client_id = worker_->assign_client_id();
        request.assigned_client_id = v5;  // [MQTT-3.2.2-16]
    }

    // Enhanced authentication (mqtt5_auth.cpp) replaces the password check.
    const bool enhanced_auth = v5 && connect.properties.authentication_method;
    if (enhanced_auth &&
        !AuthExchange::offered(config, *connect.properties.authentication_method)) {
        return refuse_connect(version, ReasonCode::BadAuthenticationMethod,
                              "authentication method not offered (sasl_mechanisms) "
                              "[MQTT-4.12.0-1]");
    }
    if (config.auth.enable && !enhanced_auth && !password_checked) {
        if (!connect.username || !connect.password) {
            return refuse_connect(version, ReasonCode::NotAuthorized, "no user name or password");
        }
        switch (check_password(header, body, *connect.username, *connect.password)) {
            case PasswordCheck::Passed:
                break;
            case PasswordCheck::Failed:
                return refuse_connect(version, ReasonCode::BadUserNameOrPassword,
                                      "bad user name or password");
            case PasswordCheck::Pending:
                return;  // on_password_checked() takes the CONNECT up again
            case PasswordCheck::Busy:
                return refuse_connect(version, ReasonCode::ServerBusy,
                                      "too many password checks waiting (auth.max_pending_logins)");
        }
    }
    if (connect.username) request.username.emplace(*connect.username);

    request.maximum_packet_size = outbound_packet_limit(config, connect);

    // Keep alive: v5 lets the server choose (Server Keep Alive) [MQTT-3.2.2-21].
    request.keep_alive = connect.keep_alive;
    if (v5 && connect.keep_alive != 0) {
        request.keep_alive =
            std::clamp(connect.keep_alive, config.min_keep_alive, config.max_keep_alive);
        request.keep_alive_changed = request.keep_alive != connect.keep_alive;
    }

    if (v5) {
        request.session_expiry = std::min(connect.properties.session_expiry_interval.value_or(0),
                                          config.max_session_expiry_interval);
        request.receive_maximum = connect.properties.receive_maximum.value_or(65535);
        request.request_problem_information =
            connect.properties.request_problem_information.value_or(1) != 0;
        request.request_response_information =
            connect.properties.request_response_information.value_or(0) != 0;
    } else {
        request.session_expiry = connect.clean_start ? 0
                                 : config.v3_session_expiry_interval == 0
                                     ? kSessionNeverExpires
                                     : config.v3_session_expiry_interval;
        request.receive_maximum = config.max_inflight_client;
    }

    if (connect.will) {
        if (static_cast<std::uint8_t>(connect.will->qos) > config.max_allowed_qos) {
            return refuse_connect(version, ReasonCode::QoSNotSupported,
                                  "will QoS above max_allowed_qos");
        }
        if (v5 &&
            !mqtt5::payload_format_ok(config, connect.will->properties, connect.will->payload)) {
            return refuse_connect(
                version, ReasonCode::PayloadFormatInvalid,
                "will payload is not UTF-8 but its Payload Format Indicator is 1");
        }
        if (connect.will->retain && !config.retain_available) {
            return refuse_connect(version, ReasonCode::RetainNotSupported,
                                  "retained will but retain is not available");
        }
        if (const auto breach = worker_->context().topic_limits.check_name(connect.will->topic)) {
            const std::string why = fmt::format("will topic \"{}\" of client \"{}\" has {}",
                                                topic_for_log(connect.will->topic),
                                                request.client_id, breach->describe());
            if (v5) return refuse_connect(version, ReasonCode::TopicNameInvalid, why.c_str());
            // No 3.x return code fits (0x02 is about the client id): close without a
            // CONNACK [MQTT-3.2.2-6].
            spdlog::info("refused connection from {}: {}; closed without CONNACK", peer(), why);
            worker_->counters().add(worker_->counters().connections_refused);
            return close(CloseReason{"connect refused: " + why, std::nullopt, false});
        }
        request.will = Message::from_will(*connect.will, 0, worker_->now());
        request.will_delay = connect.will->properties.will_delay_interval.value_or(0);
    }

    if (enhanced_auth) {
        // The hooks and CONNACK (and attaching the session) wait for the AUTH exchange.
        return begin_enhanced_auth(*connect.properties.authentication_method,
                                   connect.properties.authentication_data, header, body,
                                   std::move(request));
    }
    connect_authenticated(header, body, connect, std::move(request));
}

void ClientConnection::connect_authenticated(const mqtt::FixedHeader& header,
                                             std::span<const std::uint8_t> body,
                                             mqtt::Connect& connect, ConnectRequest&& request) {
    if (!worker_->context().hooks->empty()) {
        // before_connect hooks, then attach (hook_connection.cpp).
        return connect_with_hooks(header, body, connect, std::move(request));
    }
    // Decoding of the rest waits until the session is attached (maybe on another worker).
    worker_->attach(*this, std::move(request));
}

bool ClientConnection::build_connack(const ConnectRequest& request, bool session_present,
                                     ConnackParts& parts) const {
    const auto& config = worker_->config();
    mqtt::Connack& connack = parts.connack;
    connack.session_present = session_present && request.version != ProtocolVersion::V31;
    connack.reason_code = 0;
    if (request.version != ProtocolVersion::V5) return true;
    auto& p = connack.properties;
    if (request.assigned_client_id) p.assigned_client_identifier = request.client_id;
    if (request.keep_alive_changed) p.server_keep_alive = request.keep_alive;
    if (config.max_inflight_server != 65535) p.receive_maximum = config.max_inflight_server;
    if (config.max_allowed_qos < 2) p.maximum_qos = config.max_allowed_qos;
    if (!config.retain_available) p.retain_available = 0;
    if (config.max_packet_size_server < mqtt::kMaxPacketSize)
        p.maximum_packet_size = config.max_packet_size_server;
    if (config.topic_alias_max > 0) p.topic_alias_maximum = config.topic_alias_max;
    if (!config.wildcard_subscription_available) p.wildcard_subscription_available = 0;
    if (!config.subscription_id_available) p.subscription_identifier_available = 0;
    if (!config.shared_subscription_available) p.shared_subscription_available = 0;
    if (request.request_response_information) {
        // [MQTT-3.1.2-28]: only to a client that asked for it.
        parts.response_information = mqtt5::response_information(config, request.client_id);
        if (parts.response_information) p.response_information = *parts.response_information;
    }
    if (auth_) {
        // [MQTT-4.12.0-5]: the method of CONNECT, with the server's final data.
        p.authentication_method = auth_->method();
        if (!auth_->connack_data.empty()) p.authentication_data = auth_->connack_data;
    }
    if (request.session_expiry != 0) {
        // Tell the client when we capped its request.
        p.session_expiry_interval = request.session_expiry;
    }
    // client_max_packet_size_ was settled when the CONNECT was read (handle_connect).
    std::size_t size = 0;
    if (mqtt5::fit_connack(connack, client_max_packet_size_, size)) return true;
    spdlog::warn(
        "closing connection of client {} from {}: its CONNACK ({} bytes without the optional "
        "properties) exceeds its Maximum Packet Size {} [MQTT-3.1.2-24]",
        request.client_id, peer(), size, client_max_packet_size_);
    return false;
}

bool ClientConnection::connack_fits(const ConnectRequest& request) const {
    ConnackParts parts;
    return build_connack(request, false, parts);  // Session Present does not change the size
}

void ClientConnection::start_session(Session& session, const ConnectRequest& request,
                                     bool session_present) {
    state_ = State::Connected;
    session_ = &session;
    session.connection = this;
    worker_->counters().add(worker_->counters().clients_online);
    worker_->list_online_if_shared(session);
    keep_alive_ = request.keep_alive;
    window_ = std::min<std::uint16_t>(request.receive_maximum, 65535);
    if (window_ == 0) window_ = 1;
    client_max_packet_size_ = request.maximum_packet_size;
    request_problem_information_ = request.request_problem_information;
    session_expiry_ = request.session_expiry;
    if (request.will) {
        uncommon().will = request.will;
        uncommon().will_delay = request.will_delay;
    }
    connected_at_ = last_packet_at_ = worker_->now();

    ConnackParts connack;
    build_connack(request, session_present, connack);  // fits: finish_connect checked
    send(connack.connack);
    spdlog::info("client {} connected from {} ({}, keep alive {}s, clean start {}, session {})",
                 client_id(), peer(), protocol_name(version_), keep_alive_,
                 request.clean_start ? "yes" : "no", session_present ? "resumed" : "new");
    if (session_present) resend_inflight();
    pump();
    if (hooks_) after_connect_hooks(session_present);
}

// --- Worker side: owner lookup, handover and takeover ---

void Worker::attach(ClientConnection& connection, ConnectRequest&& request) {
    const std::uint32_t owner = context_.registry.claim(request.client_id, index_);
    if (owner == index_) {
        finish_connect(connection, std::move(request));
        return;
    }
    // The session lives on another worker: hand the connection over once the current
    // read is finished (the connection is still on this thread's stack).
    connection.migrating_ = true;
    connection.uncommon().migration_target = owner;
    connection.uncommon().pending_migration = std::make_unique<ConnectRequest>(std::move(request));
}

void Worker::adopt(std::unique_ptr<ClientConnection> connection, ConnectRequest&& request) {
    const std::uint32_t owner = context_.registry.claim(request.client_id, index_);
    auto* raw = connection.get();
    raw->rebind(*this);
    connections_.insert(std::move(connection));
    counters_.add(counters_.connections_current);
    if (owner != index_) {
        // The session ended here and someone else claimed the id meanwhile: follow it.
        raw->uncommon().migration_target = owner;
        raw->uncommon().pending_migration = std::make_unique<ConnectRequest>(std::move(request));
        migrate(*raw);
        return;
    }
    loop_.add(raw->fd(), raw->interest_, raw);
    finish_connect(*raw, std::move(request));
    // Packets the client sent right after its CONNECT came along in the connection's buffer.
    raw->handle_input({});
}

void Worker::migrate(ClientConnection& connection) {
    // Its output may stand for writes of our open batch; the next worker commits its own.
    if (connection.waits_for_store()) commit_persistence();
    connection.output_awaits_store_ = false;  // its generation means nothing over there
    auto owned = release(connection);
    loop_.remove(connection.fd());
    counters_.sub(counters_.connections_current);
    auto& uncommon = *connection.uncommon_;
    auto request = std::move(*uncommon.pending_migration);
    uncommon.pending_migration.reset();
    connection.migrating_ = false;
    auto* target = context_.workers[uncommon.migration_target].get();
    // std::function needs a copyable callable: share the moved-out state.
    auto state = std::make_shared<std::pair<std::unique_ptr<ClientConnection>, ConnectRequest>>(
        std::move(owned), std::move(request));
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
    if (persist_) persist_->session_connected(*session, request.will, request.will_delay, now_);
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
    if (persist_) persist_->session_disconnected(session, now_);
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
    if (persist_) persist_->session_ended(session);
    if (release_registry) {
        // Written before another worker may claim the client id and store a new session
        // under it: our erase must not land after its writes.
        if (persist_ && !persist_->empty()) commit_persistence();
        context_.registry.release(session.client_id(), index_);
    }
    counters_.sub(counters_.sessions_current);
    sessions_.erase(session);  // destroys it
}

}  // namespace akasa::broker
