// MQTT 5 enhanced authentication on a connection (spec 4.12): the AUTH packets of the
// initial exchange between CONNECT and CONNACK, and of a re-authentication while connected.
// The decisions are AuthExchange's (auth_exchange.h); this file sends and checks packets.
#include <spdlog/spdlog.h>

#include "broker/connection/client_connection.h"
#include "broker/worker/worker.h"
#include "mqtt/decoder.h"

namespace akasa::broker {

using mqtt::PacketType;
using mqtt::ProtocolVersion;
using mqtt::ReasonCode;

void ClientConnection::begin_enhanced_auth(std::string_view method,
                                           std::optional<std::string_view> data,
                                           const mqtt::FixedHeader& header,
                                           std::span<const std::uint8_t> body,
                                           ConnectRequest&& request) {
    auth_ = std::make_unique<AuthExchange>(config(), std::string(method));
    auth_->pending_connect.emplace(std::move(request));
    auth_->connect_header = header;
    auth_->connect_body.assign(body.begin(), body.end());
    apply_auth_step(auth_->begin(data));
}

void ClientConnection::handle_packet_while_authenticating(const mqtt::FixedHeader& header,
                                                          std::span<const std::uint8_t> body) {
    if (header.type != PacketType::Auth && header.type != PacketType::Disconnect) {
        // [MQTT-3.1.2-30]: only AUTH or DISCONNECT until CONNACK.
        return refuse_connect(ProtocolVersion::V5, ReasonCode::ProtocolError,
                              "packet other than AUTH or DISCONNECT during authentication "
                              "[MQTT-3.1.2-30]");
    }
    mqtt::Packet& packet = worker_->packet_scratch();
    if (auto error = mqtt::decode_packet(header, body, version_, packet, limits().decode)) {
        return refuse_connect(ProtocolVersion::V5, error->reason, error->message);
    }
    if (header.type == PacketType::Disconnect) {
        close(CloseReason{"client disconnected during authentication", std::nullopt, false});
        return;
    }
    handle_auth(std::get<mqtt::Auth>(packet));
}

void ClientConnection::handle_auth(const mqtt::Auth& auth) {
    const bool connecting = state_ == State::AwaitingConnect;
    auto fail = [&](ReasonCode reason, const char* why) {
        if (connecting) return refuse_connect(ProtocolVersion::V5, reason, why);
        protocol_violation(reason, why);
    };
    if (!auth_) {
        return fail(ReasonCode::ProtocolError,
                    "AUTH without an Authentication Method in CONNECT [MQTT-4.12.0-7]");
    }
    if (auth.properties.authentication_method != auth_->method()) {
        return fail(ReasonCode::ProtocolError,
                    "AUTH with another Authentication Method than CONNECT [MQTT-4.12.0-5]");
    }
    const auto data = auth.properties.authentication_data;
    switch (auth.reason_code) {
        case ReasonCode::ContinueAuthentication:
            if (!auth_->in_progress()) {
                return fail(ReasonCode::ProtocolError,
                            "AUTH 0x18 with no authentication exchange in progress");
            }
            return apply_auth_step(auth_->advance(data));
        case ReasonCode::ReAuthenticate:
            if (connecting || auth_->in_progress()) {
                return fail(ReasonCode::ProtocolError,
                            "AUTH 0x19 before CONNACK or during an exchange [MQTT-4.12.1-1]");
            }
            spdlog::info("client {} re-authenticates", client_id());
            return apply_auth_step(auth_->begin(data));
        default:
            // 0x00 Success is the server's to send [MQTT-3.15.2-1].
            return fail(ReasonCode::ProtocolError, "AUTH with a reason code only a server sends");
    }
}

void ClientConnection::apply_auth_step(AuthStep step) {
    const bool connecting = state_ == State::AwaitingConnect;
    switch (step.kind) {
        case AuthStep::Kind::Continue: {
            // [MQTT-4.12.0-2]: 0x18 and the same Authentication Method [MQTT-4.12.0-5].
            mqtt::Auth challenge{ReasonCode::ContinueAuthentication, {}};
            challenge.properties.authentication_method = auth_->method();
            challenge.properties.authentication_data = step.data;
            send(challenge);
            return;
        }
        case AuthStep::Kind::Success: {
            if (connecting) {
                auto request = std::move(*auth_->pending_connect);
                auth_->pending_connect.reset();
                const std::vector<std::uint8_t> body = std::move(auth_->connect_body);
                auth_->connect_body = {};
                if (request.username && *request.username != auth_->username()) {
                    // The identity hooks and the ACL see is the authenticated one: a
                    // different User Name in the same CONNECT is a claim nothing verified.
                    return refuse_connect(ProtocolVersion::V5, ReasonCode::NotAuthorized,
                                          "the CONNECT User Name is not the user that "
                                          "authenticated");
                }
                request.username = auth_->username();
                auth_->connack_data = std::move(step.data);
                spdlog::info("client {} authenticated as {} with {}", request.client_id,
                             auth_->username(), auth_->method());
                mqtt::Connect connect;
                if (auto error = mqtt::decode_connect(auth_->connect_header, body, connect)) {
                    // It decoded before the exchange; the copy cannot differ.
                    return close(CloseReason{error->message, std::nullopt, false});
                }
                // CONNACK carries connack_data.
                connect_authenticated(auth_->connect_header, body, connect, std::move(request));
                return;
            }
            mqtt::Auth done{ReasonCode::Success, {}};
            done.properties.authentication_method = auth_->method();
            done.properties.authentication_data = step.data;
            send(done);
            spdlog::info("client {} re-authenticated as {}", client_id(), auth_->username());
            return;
        }
        case AuthStep::Kind::Failure:
            if (connecting) {
                // [MQTT-4.12.0-4]: CONNACK with a reason code >= 0x80, then close.
                return refuse_connect(ProtocolVersion::V5, step.reason, step.why.c_str());
            }
            // [MQTT-4.12.1-2]: a failed re-authentication ends the connection. DISCONNECT
            // has no 0x86 (spec 3.14.2.1): a wrong password is 0x87 there.
            return protocol_violation(step.reason == ReasonCode::BadUserNameOrPassword
                                          ? ReasonCode::NotAuthorized
                                          : step.reason,
                                      step.why.c_str());
    }
}

}  // namespace akasa::broker
