// The key schema (docs/persistence.md, "Keys"). One byte names the record kind; everything of
// a session lives under 'S' + u16 big-endian length + client id, so a session and all its
// sub-records are one contiguous key range (erased with one range delete, recovered in one
// pass), and no client id's prefix can collide with another's.
//
//   'M' "format_version"                      store format version
//   'R' topic                                 retained message
//   'S' len16 client_id 0x01                  session
//   'S' len16 client_id 0x02 filter           subscription
//   'S' len16 client_id 0x03 seq64            queued message (big-endian: ordered by seq)
//   'S' len16 client_id 0x04 packet_id16      inflight outbound message
//   'S' len16 client_id 0x05 packet_id16      QoS 2 inbound PUBLISH received, PUBREL awaited
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/status.h"

namespace akasa::store {

inline constexpr char kMetaPrefix = 'M';
inline constexpr char kRetainedPrefix = 'R';
inline constexpr char kSessionPrefix = 'S';
inline constexpr std::size_t kMaxClientIdLength = 65535;

enum class SessionKeyKind : std::uint8_t {
    Session = 0x01,
    Subscription = 0x02,
    Queued = 0x03,
    Inflight = 0x04,
    Qos2Received = 0x05,
};

std::string format_version_key();
std::string retained_key(std::string_view topic);
// The session keys below require client_id.size() <= kMaxClientIdLength (checked by
// StoreBatch, which turns a longer id into an InvalidArgument status).
std::string session_key(std::string_view client_id);
std::string subscription_key(std::string_view client_id, std::string_view filter);
std::string queued_key(std::string_view client_id, std::uint64_t seq);
std::string inflight_key(std::string_view client_id, std::uint16_t packet_id);
// The same into `key`, replacing its content and keeping its capacity (the per-message ones).
void queued_key(std::string& key, std::string_view client_id, std::uint64_t seq);
void inflight_key(std::string& key, std::string_view client_id, std::uint16_t packet_id);
std::string qos2_received_key(std::string_view client_id, std::uint16_t packet_id);

// [begin, end) holding the session key and every sub-record of client_id, and nothing else.
struct KeyRange {
    std::string begin;
    std::string end;
};
KeyRange session_range(std::string_view client_id);

// The group a key belongs to: for a session key or sub-record, 'S' + length + client id (one
// client's records); for any other key its first byte (all retained messages, all meta
// records). The store's in-memory write buffer keeps each group in a list of its own, so one
// client's queue is read without ordering everyone else's (rocksdb_store.cpp). A key too short
// for its length field is its own group.
std::string_view key_group(std::string_view key);

// A key taken apart. Views point into the parsed key.
struct ParsedKey {
    enum class Kind { Meta, Retained, Session };
    Kind kind = Kind::Meta;
    std::string_view name;       // Meta: the meta name; Retained: the topic
    std::string_view client_id;  // Session kinds
    SessionKeyKind session_kind = SessionKeyKind::Session;
    std::string_view filter;      // Subscription
    std::uint64_t seq = 0;        // Queued
    std::uint16_t packet_id = 0;  // Inflight, Qos2Received
};

// Corruption when the key matches no kind of the schema.
Status parse_key(std::string_view key, ParsedKey* out);

// Printable form of a key for error messages (non-printable bytes as \xNN, long keys cut).
std::string describe_key(std::string_view key);

}  // namespace akasa::store
