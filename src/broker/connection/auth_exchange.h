// MQTT 5 enhanced authentication (spec 4.12) for one connection: which Authentication
// Methods the server offers (`sasl_mechanisms`), and the steps of one exchange, initial or a
// re-authentication, turned into "send this AUTH data", "authenticated" or "refuse with this
// reason code". No I/O: the connection sends the packets (src/broker/connection/enhanced_auth.cpp).
//
//   if (!AuthExchange::offered(config, method)) refuse(0x8C);
//   auto exchange = std::make_unique<AuthExchange>(config, method);
//   AuthStep step = exchange->begin(connect_auth_data);    // then advance(auth.data) ...
//   switch (step.kind) { case Continue: send AUTH 0x18 with step.data; ... }
//
// Failure codes: a wrong password and an unknown user (SCRAM proof mismatch) are 0x86 Bad
// User Name or Password, both alike so the answer does not reveal which users exist; every
// other failure (malformed SCRAM message, channel binding requested, a different user on
// re-authentication, a CONNECT User Name that is not the authenticated user) is 0x87 Not
// authorized.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/scram_sha256.h"
#include "broker/connection/connect_request.h"
#include "config/config.h"
#include "mqtt/decoder.h"
#include "mqtt/types.h"

namespace akasa::broker {

struct AuthStep {
    enum class Kind : std::uint8_t {
        Continue,  // send AUTH 0x18 with `data`, wait for the client's AUTH 0x18
        Success,   // authenticated: CONNACK (or AUTH 0x00 on re-authentication) with `data`
        Failure,   // refuse: CONNACK / DISCONNECT with `reason`; `why` for log and reason string
    };
    Kind kind = Kind::Failure;
    std::string data;
    mqtt::ReasonCode reason = mqtt::ReasonCode::NotAuthorized;
    std::string why;
};

class AuthExchange {
  public:
    // True when `method` is one of the config's sasl_mechanisms.
    static bool offered(const config::Config& config, std::string_view method);

    // `config` must outlive the exchange: it is a connection's config generation, which lives
    // as long as the broker (config_generation.h).
    AuthExchange(const config::Config& config, std::string method);

    const std::string& method() const { return method_; }
    // The user of the last successful exchange; empty before.
    const std::string& username() const { return username_; }
    // True between begin() and the step that ends the exchange.
    bool in_progress() const { return scram_ != nullptr; }

    // Starts an exchange with the client's Authentication Data (CONNECT, or AUTH 0x19).
    AuthStep begin(std::optional<std::string_view> data);
    // The client's next message (AUTH 0x18).
    AuthStep advance(std::optional<std::string_view> data);

    // The CONNECT accepted apart from authentication, waiting for the exchange to succeed
    // (initial authentication only; empty during a re-authentication), and a copy of its
    // packet: the before_connect hooks run once the user is authenticated and see the packet.
    std::optional<ConnectRequest> pending_connect;
    mqtt::FixedHeader connect_header{};
    std::vector<std::uint8_t> connect_body;
    // Authentication Data for the successful CONNACK (the SCRAM server-final message).
    std::string connack_data;

  private:
    AuthStep failure(const auth::ScramResult& result);

    const config::Config& config_;
    std::string method_;
    std::string username_;
    std::unique_ptr<auth::ScramServer> scram_;
};

}  // namespace akasa::broker
