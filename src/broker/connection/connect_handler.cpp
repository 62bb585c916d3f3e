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
#include "broker/sys/sys_tree.h"
#include "broker/topic_limits.h"
#include "broker/worker/worker.h"
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
    const auto& config = this->config();
    mqtt::Connect connect;
    if (auto error = mqtt::decode_connect(header, body, connect, limits().decode)) {
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
    if (connect.client_id.size() > limits().client_id_length) {
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

    // Enhanced authentication (enhanced_auth.cpp) replaces the password check.
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
        if (const auto breach = topic_limits().check_name(connect.will->topic)) {
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
        if (sys::is_server_topic(connect.will->topic)) {
            // The server's own topics (src/broker/sys/), as for a PUBLISH. Mosquitto accepts
            // the CONNECT and drops the will later; refused here, the client learns it now.
            return refuse_connect(version, ReasonCode::NotAuthorized, "will topic under $SYS");
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
        // before_connect hooks, then attach (connection_hooks.cpp).
        return connect_with_hooks(header, body, connect, std::move(request));
    }
    // Decoding of the rest waits until the session is attached (maybe on another worker).
    worker_->attach(*this, std::move(request));
}

bool ClientConnection::build_connack(const ConnectRequest& request, bool session_present,
                                     ConnackParts& parts) const {
    const auto& config = this->config();
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

}  // namespace akasa::broker
