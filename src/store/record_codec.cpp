#include "store/record_codec.h"

#include <fmt/format.h>

namespace akasa::store {
namespace {

// Little-endian fixed-width integers and u32-length-prefixed byte strings, as in LevelDB's
// coding.h: simple to document, no varint edge cases.
class ValueWriter {
  public:
    explicit ValueWriter(std::size_t reserve) : out_(own_) { own_.reserve(reserve); }
    // Writes into `target`, replacing its content and keeping its capacity.
    ValueWriter(std::string& target, std::size_t reserve) : out_(target) {
        target.clear();
        target.reserve(reserve);
    }
    void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
    void u32(std::uint32_t v) { fixed(v, 4); }
    void i64(std::int64_t v) { fixed(static_cast<std::uint64_t>(v), 8); }
    void bytes(std::string_view v) {
        u32(static_cast<std::uint32_t>(v.size()));
        out_.append(v);
    }
    std::string take() { return std::move(own_); }

  private:
    void fixed(std::uint64_t v, int n) {
        char bytes[8];
        for (int i = 0; i < n; ++i)
            bytes[i] = static_cast<char>((v >> (8 * i)) & 0xff);
        out_.append(bytes, static_cast<std::size_t>(n));
    }
    std::string own_;
    std::string& out_;
};

class ValueReader {
  public:
    explicit ValueReader(std::string_view in) : in_(in) {}
    bool u8(std::uint8_t* v) {
        if (in_.empty()) return false;
        *v = static_cast<std::uint8_t>(in_[0]);
        in_.remove_prefix(1);
        return true;
    }
    bool u32(std::uint32_t* v) {
        std::uint64_t x;
        if (!fixed(&x, 4)) return false;
        *v = static_cast<std::uint32_t>(x);
        return true;
    }
    bool i64(std::int64_t* v) {
        std::uint64_t x;
        if (!fixed(&x, 8)) return false;
        *v = static_cast<std::int64_t>(x);
        return true;
    }
    bool bytes(std::string* v) {
        std::uint32_t n;
        if (!u32(&n) || in_.size() < n) return false;
        v->assign(in_.substr(0, n));
        in_.remove_prefix(n);
        return true;
    }
    bool at_end() const { return in_.empty(); }

  private:
    bool fixed(std::uint64_t* v, int n) {
        if (in_.size() < static_cast<std::size_t>(n)) return false;
        std::uint64_t x = 0;
        for (int i = n - 1; i >= 0; --i)
            x = (x << 8) | static_cast<std::uint8_t>(in_[i]);
        in_.remove_prefix(n);
        *v = x;
        return true;
    }
    std::string_view in_;
};

std::int64_t to_millis(WallTime t) {
    return t.time_since_epoch().count();
}
WallTime from_millis(std::int64_t ms) {
    return WallTime(std::chrono::milliseconds(ms));
}

Status truncated(std::string_view kind) {
    return Status::corruption(fmt::format("{} record is truncated or malformed", kind));
}

// Reads and checks the leading version byte.
Status check_version(ValueReader& in, std::string_view kind, std::uint8_t known) {
    std::uint8_t version;
    if (!in.u8(&version)) return truncated(kind);
    if (version != known) {
        return Status::not_supported(
            fmt::format("{} record version {} is not supported (this build reads version {})", kind,
                        version, known));
    }
    return {};
}

Status finish(const ValueReader& in, std::string_view kind) {
    if (!in.at_end()) return Status::corruption(fmt::format("{} record has trailing bytes", kind));
    return {};
}

// The message body shared by retained, queued and inflight records:
//   flags u8 (bit0 retain, bit1 has expiry), qos u8, [expiry i64 ms], [topic], properties,
//   payload.
constexpr std::uint8_t kRetainFlag = 0x01;
constexpr std::uint8_t kExpiryFlag = 0x02;

void write_message(ValueWriter& out, const MessageRecord& m, bool with_topic) {
    std::uint8_t flags = 0;
    if (m.retain) flags |= kRetainFlag;
    if (m.expires_at) flags |= kExpiryFlag;
    out.u8(flags);
    out.u8(m.qos);
    if (m.expires_at) out.i64(to_millis(*m.expires_at));
    if (with_topic) out.bytes(m.topic);
    out.bytes(m.properties);
    out.bytes(m.payload);
}

Status read_message(ValueReader& in, MessageRecord* m, bool with_topic, std::string_view kind) {
    std::uint8_t flags, qos;
    if (!in.u8(&flags) || !in.u8(&qos)) return truncated(kind);
    if ((flags & ~(kRetainFlag | kExpiryFlag)) != 0) {
        return Status::corruption(fmt::format("{} record has unknown flags {:#04x}", kind, flags));
    }
    if (qos > 2) return Status::corruption(fmt::format("{} record has QoS {}", kind, qos));
    m->qos = qos;
    m->retain = (flags & kRetainFlag) != 0;
    m->expires_at.reset();
    if (flags & kExpiryFlag) {
        std::int64_t ms;
        if (!in.i64(&ms)) return truncated(kind);
        m->expires_at = from_millis(ms);
    }
    if (with_topic && !in.bytes(&m->topic)) return truncated(kind);
    if (!in.bytes(&m->properties) || !in.bytes(&m->payload)) return truncated(kind);
    return {};
}

std::size_t message_size(const MessageRecord& m) {
    return 32 + m.topic.size() + m.properties.size() + m.payload.size();
}

}  // namespace

std::string encode_format_version(std::uint32_t version) {
    ValueWriter out(4);
    out.u32(version);
    return out.take();
}

Status decode_format_version(std::string_view value, std::uint32_t* version) {
    ValueReader in(value);
    if (!in.u32(version)) return truncated("format version");
    return finish(in, "format version");
}

std::string encode_retained(const MessageRecord& message) {
    ValueWriter out(message_size(message));
    out.u8(kRetainedVersion);
    write_message(out, message, /*with_topic=*/false);
    return out.take();
}

Status decode_retained(std::string_view value, MessageRecord* out) {
    ValueReader in(value);
    if (Status s = check_version(in, "retained", kRetainedVersion); !s.ok()) return s;
    if (Status s = read_message(in, out, /*with_topic=*/false, "retained"); !s.ok()) return s;
    return finish(in, "retained");
}

// Session: version, protocol u8, flags u8 (bit0 has disconnected_at, bit1 has will),
// expiry_interval u32, [disconnected_at i64 ms], [will].
// Will: flags u8 (bit0 retain, bit1 has message expiry), qos u8, delay u32, [expiry u32],
// topic, properties, payload.
constexpr std::uint8_t kDisconnectedAtFlag = 0x01;
constexpr std::uint8_t kWillFlag = 0x02;
constexpr std::uint8_t kOwnerFlag = 0x04;  // an owner section follows the will
constexpr std::uint8_t kWillRetainFlag = 0x01;
constexpr std::uint8_t kWillExpiryFlag = 0x02;

std::string encode_session(const SessionRecord& session) {
    std::size_t size = 16;
    if (session.will) {
        size += 32 + session.will->topic.size() + session.will->properties.size() +
                session.will->payload.size();
    }
    ValueWriter out(size);
    out.u8(kSessionVersion);
    out.u8(session.protocol_version);
    std::uint8_t flags = 0;
    if (session.disconnected_at) flags |= kDisconnectedAtFlag;
    if (session.will) flags |= kWillFlag;
    if (session.owner_known) flags |= kOwnerFlag;
    out.u8(flags);
    out.u32(session.expiry_interval_s);
    if (session.disconnected_at) out.i64(to_millis(*session.disconnected_at));
    if (const auto& will = session.will) {
        std::uint8_t will_flags = 0;
        if (will->retain) will_flags |= kWillRetainFlag;
        if (will->message_expiry_interval_s) will_flags |= kWillExpiryFlag;
        out.u8(will_flags);
        out.u8(will->qos);
        out.u32(will->delay_interval_s);
        if (will->message_expiry_interval_s) out.u32(*will->message_expiry_interval_s);
        out.bytes(will->topic);
        out.bytes(will->properties);
        out.bytes(will->payload);
    }
    if (session.owner_known) {
        out.u8(session.owner ? 1 : 0);
        if (session.owner) out.bytes(*session.owner);
    }
    return out.take();
}

Status decode_session(std::string_view value, SessionRecord* out) {
    constexpr std::string_view kind = "session";
    ValueReader in(value);
    if (Status s = check_version(in, kind, kSessionVersion); !s.ok()) return s;
    std::uint8_t flags;
    if (!in.u8(&out->protocol_version) || !in.u8(&flags) || !in.u32(&out->expiry_interval_s)) {
        return truncated(kind);
    }
    if (out->protocol_version < 3 || out->protocol_version > 5) {
        return Status::corruption(
            fmt::format("session record has protocol version {}", out->protocol_version));
    }
    if ((flags & ~(kDisconnectedAtFlag | kWillFlag | kOwnerFlag)) != 0) {
        return Status::corruption(fmt::format("session record has unknown flags {:#04x}", flags));
    }
    out->disconnected_at.reset();
    out->will.reset();
    if (flags & kDisconnectedAtFlag) {
        std::int64_t ms;
        if (!in.i64(&ms)) return truncated(kind);
        out->disconnected_at = from_millis(ms);
    }
    if (flags & kWillFlag) {
        WillRecord will;
        std::uint8_t will_flags;
        if (!in.u8(&will_flags) || !in.u8(&will.qos) || !in.u32(&will.delay_interval_s)) {
            return truncated(kind);
        }
        if ((will_flags & ~(kWillRetainFlag | kWillExpiryFlag)) != 0 || will.qos > 2) {
            return Status::corruption("session record has a malformed will");
        }
        will.retain = (will_flags & kWillRetainFlag) != 0;
        if (will_flags & kWillExpiryFlag) {
            std::uint32_t expiry;
            if (!in.u32(&expiry)) return truncated(kind);
            will.message_expiry_interval_s = expiry;
        }
        if (!in.bytes(&will.topic) || !in.bytes(&will.properties) || !in.bytes(&will.payload)) {
            return truncated(kind);
        }
        out->will = std::move(will);
    }
    out->owner_known = (flags & kOwnerFlag) != 0;
    out->owner.reset();
    if (out->owner_known) {
        std::uint8_t has_owner;
        if (!in.u8(&has_owner)) return truncated(kind);
        if (has_owner > 1) return Status::corruption("session record has a malformed owner");
        if (has_owner) {
            std::string owner;
            if (!in.bytes(&owner)) return truncated(kind);
            out->owner = std::move(owner);
        }
    }
    return finish(in, kind);
}

// Subscription: version, qos u8, flags u8 (bit0 no local, bit1 retain as published,
// bits 2-3 retain handling, bit4 has identifier), [identifier u32].
constexpr std::uint8_t kNoLocalFlag = 0x01;
constexpr std::uint8_t kRetainAsPublishedFlag = 0x02;
constexpr int kRetainHandlingShift = 2;
constexpr std::uint8_t kRetainHandlingMask = 0x0c;
constexpr std::uint8_t kIdentifierFlag = 0x10;

std::string encode_subscription(const SubscriptionRecord& subscription) {
    ValueWriter out(8);
    out.u8(kSubscriptionVersion);
    out.u8(subscription.qos);
    std::uint8_t flags = 0;
    if (subscription.no_local) flags |= kNoLocalFlag;
    if (subscription.retain_as_published) flags |= kRetainAsPublishedFlag;
    flags |=
        static_cast<std::uint8_t>((subscription.retain_handling & 0x03) << kRetainHandlingShift);
    if (subscription.identifier) flags |= kIdentifierFlag;
    out.u8(flags);
    if (subscription.identifier) out.u32(*subscription.identifier);
    return out.take();
}

Status decode_subscription(std::string_view value, SubscriptionRecord* out) {
    constexpr std::string_view kind = "subscription";
    ValueReader in(value);
    if (Status s = check_version(in, kind, kSubscriptionVersion); !s.ok()) return s;
    std::uint8_t flags;
    if (!in.u8(&out->qos) || !in.u8(&flags)) return truncated(kind);
    constexpr std::uint8_t kKnown =
        kNoLocalFlag | kRetainAsPublishedFlag | kRetainHandlingMask | kIdentifierFlag;
    const std::uint8_t retain_handling = (flags & kRetainHandlingMask) >> kRetainHandlingShift;
    if ((flags & ~kKnown) != 0 || out->qos > 2 || retain_handling > 2) {
        return Status::corruption(
            fmt::format("subscription record has QoS {} and flags {:#04x}", out->qos, flags));
    }
    out->no_local = (flags & kNoLocalFlag) != 0;
    out->retain_as_published = (flags & kRetainAsPublishedFlag) != 0;
    out->retain_handling = retain_handling;
    out->identifier.reset();
    if (flags & kIdentifierFlag) {
        std::uint32_t id;
        if (!in.u32(&id)) return truncated(kind);
        out->identifier = id;
    }
    return finish(in, kind);
}

std::string encode_queued(const MessageRecord& message) {
    std::string value;
    encode_queued(message, value);
    return value;
}

void encode_queued(const MessageRecord& message, std::string& value) {
    ValueWriter out(value, message_size(message));
    out.u8(kQueuedVersion);
    write_message(out, message, /*with_topic=*/true);
}

Status decode_queued(std::string_view value, MessageRecord* out) {
    ValueReader in(value);
    if (Status s = check_version(in, "queued message", kQueuedVersion); !s.ok()) return s;
    if (Status s = read_message(in, out, /*with_topic=*/true, "queued message"); !s.ok()) {
        return s;
    }
    return finish(in, "queued message");
}

// Inflight: version, state u8, then the message (with topic) when the state is PublishSent.
std::string encode_inflight(const InflightRecord& inflight) {
    std::string value;
    encode_inflight(inflight, value);
    return value;
}

void encode_inflight(const InflightRecord& inflight, std::string& value) {
    ValueWriter out(value, message_size(inflight.message));
    out.u8(kInflightVersion);
    out.u8(static_cast<std::uint8_t>(inflight.state));
    if (inflight.state == InflightState::PublishSent) {
        write_message(out, inflight.message, /*with_topic=*/true);
    }
}

Status decode_inflight(std::string_view value, InflightRecord* out) {
    constexpr std::string_view kind = "inflight";
    ValueReader in(value);
    if (Status s = check_version(in, kind, kInflightVersion); !s.ok()) return s;
    std::uint8_t state;
    if (!in.u8(&state)) return truncated(kind);
    out->message = MessageRecord{};
    if (state == static_cast<std::uint8_t>(InflightState::PublishSent)) {
        out->state = InflightState::PublishSent;
        if (Status s = read_message(in, &out->message, /*with_topic=*/true, kind); !s.ok()) {
            return s;
        }
    } else if (state == static_cast<std::uint8_t>(InflightState::PubrelSent)) {
        out->state = InflightState::PubrelSent;
    } else {
        return Status::corruption(fmt::format("inflight record has unknown state {}", state));
    }
    return finish(in, kind);
}

std::string encode_qos2_received() {
    return std::string(1, static_cast<char>(kQos2ReceivedVersion));
}

Status decode_qos2_received(std::string_view value) {
    ValueReader in(value);
    if (Status s = check_version(in, "QoS 2 received", kQos2ReceivedVersion); !s.ok()) return s;
    return finish(in, "QoS 2 received");
}

}  // namespace akasa::store
