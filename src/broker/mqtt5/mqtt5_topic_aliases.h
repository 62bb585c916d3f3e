// Outbound topic aliases for one v5 connection (spec 3.3.2.3.4): which topics get an alias,
// within the client's Topic Alias Maximum [MQTT-3.1.2-26] (none when it is absent or 0
// [MQTT-3.1.2-27]).
//
// The choice saves bytes for hot topics: a PUBLISH with a known alias carries an empty topic
// and a 3-byte property instead of the topic, saving (topic length - 3) bytes; the first one
// that sets the alias costs 3 bytes more. So a topic of 4 bytes or more gets an alias on its
// second delivery within a short history (a topic delivered once never pays the 3 bytes),
// and when every alias is taken the least recently used one is given to the new topic.
//
//   OutboundTopicAliases aliases;
//   aliases.reset(connect.properties.topic_alias_maximum.value_or(0));
//   auto choice = aliases.choose("sensors/7/temp");  // {alias, send_topic}
//   ... encode with choice; if the packet is not sent after all: aliases.forget(choice.alias)
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mqtt/packets.h"

namespace akasa::broker {

class OutboundTopicAliases {
  public:
    // At most this many aliases per connection, whatever the client allows: each one holds a
    // copy of its topic.
    static constexpr std::uint16_t kMaxAliases = 256;
    // Shortest topic worth an alias (the alias property is 3 bytes).
    static constexpr std::size_t kMinTopicLength = 4;

    struct Choice {
        std::uint16_t alias = 0;  // 0: no alias, send the topic
        bool send_topic = true;   // false: the alias is known to the client, send ""
    };

    // A new connection: no alias known, `client_maximum` from its CONNECT.
    void reset(std::uint16_t client_maximum);
    bool enabled() const { return capacity_ > 0; }

    Choice choose(std::string_view topic);
    // The PUBLISH carrying `choice` was not sent: the client does not know the mapping.
    void forget(const Choice& choice);

  private:
    struct Slot {
        std::string topic;  // empty: free
        std::uint64_t last_used = 0;
    };

    std::uint16_t capacity_ = 0;
    std::uint64_t clock_ = 0;
    std::vector<Slot> slots_;  // alias - 1 -> slot
    std::unordered_map<std::string, std::uint16_t> by_topic_;
    // Hashes of topics delivered once recently (a fixed-size, lossy history).
    std::array<std::size_t, 64> seen_once_{};
};

// Encodes `publish` (v5, packet id set when QoS > 0) into `out` (cleared first) with the
// alias `aliases` chooses for its topic; with `head_only`, all but the payload bytes
// (mqtt::encode_publish_head). `publish.topic` must view storage that outlives the call.
// Returns the choice and where the packet id is in `out`.
struct AliasedPublish {
    OutboundTopicAliases::Choice choice;
    std::size_t packet_id_offset = 0;
};
AliasedPublish encode_with_alias(OutboundTopicAliases& aliases, mqtt::Publish& publish,
                                 std::vector<std::uint8_t>& out, bool head_only = false);

}  // namespace akasa::broker
