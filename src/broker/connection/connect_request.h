// A CONNECT that passed validation and authentication, owned (no views into the read
// buffer), with the values the server settled on. It travels with the connection when the
// connection is handed to the worker that owns the client id's session.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "broker/routing/message.h"
#include "mqtt/types.h"

namespace akasa::broker {

struct ConnectRequest {
    mqtt::ProtocolVersion version = mqtt::ProtocolVersion::V311;
    std::string client_id;
    bool assigned_client_id = false;  // v5: the server chose the id (send it in CONNACK)
    bool clean_start = true;
    std::uint16_t keep_alive = 0;                   // seconds, after min/max_keep_alive (v5)
    bool keep_alive_changed = false;                // v5: send Server Keep Alive
    std::uint32_t session_expiry = 0;               // seconds, capped; kSessionNeverExpires = never
    std::uint16_t receive_maximum = 10;             // the client's: our inflight window towards it
    std::uint32_t maximum_packet_size = 268435460;  // the client's
    bool request_problem_information = true;
    bool request_response_information = false;  // v5: send Response Information if configured
    MessagePtr will;
    std::uint32_t will_delay = 0;  // seconds (v5)
    std::optional<std::string> username;
};

}  // namespace akasa::broker
