#include "store/key_schema.h"

#include <fmt/format.h>

#include <algorithm>

namespace akasa::store {
namespace {

void append_be(std::string& out, std::uint64_t value, int bytes) {
    char be[8];
    for (int i = 0; i < bytes; ++i)
        be[i] = static_cast<char>((value >> (8 * (bytes - 1 - i))) & 0xff);
    out.append(be, static_cast<std::size_t>(bytes));
}

std::uint64_t read_be(std::string_view in) {
    std::uint64_t value = 0;
    for (char c : in)
        value = (value << 8) | static_cast<std::uint8_t>(c);
    return value;
}

// Replaces `key` with the prefix of a session's sub-record of `kind` (capacity kept).
void start_session_sub_key(std::string& key, std::string_view client_id, SessionKeyKind kind,
                           std::size_t extra) {
    key.clear();
    key.reserve(1 + 2 + client_id.size() + 1 + extra);
    key.push_back(kSessionPrefix);
    append_be(key, client_id.size(), 2);
    key.append(client_id);
    key.push_back(static_cast<char>(kind));
}

std::string session_sub_key(std::string_view client_id, SessionKeyKind kind, std::size_t extra) {
    std::string key;
    start_session_sub_key(key, client_id, kind, extra);
    return key;
}

}  // namespace

std::string format_version_key() {
    return std::string(1, kMetaPrefix) + "format_version";
}

std::string retained_key(std::string_view topic) {
    std::string key;
    key.reserve(1 + topic.size());
    key.push_back(kRetainedPrefix);
    key.append(topic);
    return key;
}

std::string_view key_group(std::string_view key) {
    if (key.size() < 3 || key.front() != kSessionPrefix) return key.substr(0, 1);
    const std::size_t length = (static_cast<std::size_t>(static_cast<unsigned char>(key[1])) << 8) |
                               static_cast<unsigned char>(key[2]);
    return key.substr(0, std::min(key.size(), 3 + length));
}

std::string session_key(std::string_view client_id) {
    return session_sub_key(client_id, SessionKeyKind::Session, 0);
}

std::string subscription_key(std::string_view client_id, std::string_view filter) {
    std::string key = session_sub_key(client_id, SessionKeyKind::Subscription, filter.size());
    key.append(filter);
    return key;
}

std::string queued_key(std::string_view client_id, std::uint64_t seq) {
    std::string key;
    queued_key(key, client_id, seq);
    return key;
}

void queued_key(std::string& key, std::string_view client_id, std::uint64_t seq) {
    start_session_sub_key(key, client_id, SessionKeyKind::Queued, 8);
    append_be(key, seq, 8);
}

std::string inflight_key(std::string_view client_id, std::uint16_t packet_id) {
    std::string key;
    inflight_key(key, client_id, packet_id);
    return key;
}

void inflight_key(std::string& key, std::string_view client_id, std::uint16_t packet_id) {
    start_session_sub_key(key, client_id, SessionKeyKind::Inflight, 2);
    append_be(key, packet_id, 2);
}

std::string qos2_received_key(std::string_view client_id, std::uint16_t packet_id) {
    std::string key = session_sub_key(client_id, SessionKeyKind::Qos2Received, 2);
    append_be(key, packet_id, 2);
    return key;
}

KeyRange session_range(std::string_view client_id) {
    // Every key of this client is the prefix followed by a kind byte in 0x01..0x05, so the
    // prefix itself is a lower bound and the prefix + 0xff an upper bound.
    KeyRange range;
    start_session_sub_key(range.begin, client_id, SessionKeyKind::Session, 0);
    range.begin.pop_back();  // the prefix alone
    range.end = range.begin;
    range.end.push_back(static_cast<char>(0xff));
    return range;
}

Status parse_key(std::string_view key, ParsedKey* out) {
    auto bad = [&](std::string_view why) {
        return Status::corruption(fmt::format("key {}: {}", describe_key(key), why));
    };
    if (key.empty()) return bad("empty key");
    *out = ParsedKey{};
    const char prefix = key[0];
    std::string_view rest = key.substr(1);
    if (prefix == kMetaPrefix) {
        out->kind = ParsedKey::Kind::Meta;
        out->name = rest;
        return {};
    }
    if (prefix == kRetainedPrefix) {
        out->kind = ParsedKey::Kind::Retained;
        out->name = rest;
        return {};
    }
    if (prefix != kSessionPrefix) return bad("unknown key prefix");
    if (rest.size() < 2) return bad("truncated client id length");
    const std::size_t id_length = read_be(rest.substr(0, 2));
    rest.remove_prefix(2);
    if (rest.size() < id_length + 1) return bad("truncated client id");
    out->kind = ParsedKey::Kind::Session;
    out->client_id = rest.substr(0, id_length);
    rest.remove_prefix(id_length);
    const auto kind = static_cast<SessionKeyKind>(static_cast<std::uint8_t>(rest[0]));
    rest.remove_prefix(1);
    out->session_kind = kind;
    switch (kind) {
        case SessionKeyKind::Session:
            if (!rest.empty()) return bad("trailing bytes after a session key");
            return {};
        case SessionKeyKind::Subscription:
            out->filter = rest;
            return {};
        case SessionKeyKind::Queued:
            if (rest.size() != 8) return bad("queued message key without an 8-byte sequence");
            out->seq = read_be(rest);
            return {};
        case SessionKeyKind::Inflight:
        case SessionKeyKind::Qos2Received:
            if (rest.size() != 2) return bad("packet id key without a 2-byte packet id");
            out->packet_id = static_cast<std::uint16_t>(read_be(rest));
            return {};
    }
    return bad("unknown session record kind");
}

std::string describe_key(std::string_view key) {
    constexpr std::size_t kMaxShown = 80;
    std::string out = "\"";
    for (std::size_t i = 0; i < key.size() && i < kMaxShown; ++i) {
        const auto c = static_cast<unsigned char>(key[i]);
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out.push_back(static_cast<char>(c));
        } else {
            out += fmt::format("\\x{:02x}", c);
        }
    }
    if (key.size() > kMaxShown) out += "...";
    out += "\"";
    return out;
}

}  // namespace akasa::store
