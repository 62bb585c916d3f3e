#include "net/websocket/frame_codec.h"

#include <algorithm>
#include <cstring>

#include "text/utf8.h"

namespace akasa::net::websocket {

namespace {

constexpr std::size_t kMaxControlPayload = 125;

bool is_control(Opcode op) {
    return static_cast<std::uint8_t>(op) & 0x8;
}

// Codes an endpoint may send in a close frame (RFC 6455 7.4.1 / 7.4.2 and the IANA registry:
// 1012-1014 were added later); 1004, 1005, 1006 and 1015 must never be on the wire.
bool is_valid_close_code(std::uint16_t code) {
    if (code >= 3000 && code <= 4999) return true;
    if (code < 1000 || code > 1014) return false;
    return code != 1004 && code != 1005 && code != 1006;
}

}  // namespace

void WebSocketStream::unmask_into(std::span<const std::uint8_t> in, std::uint8_t* out) const {
    // Eight bytes at a time with the mask rotated to the current offset: this runs over
    // every byte a WebSocket client sends.
    std::uint8_t rotated[8];
    for (std::size_t i = 0; i < 8; ++i)
        rotated[i] = mask_[(payload_offset_ + i) & 3];
    std::uint64_t mask64;
    std::memcpy(&mask64, rotated, 8);
    std::size_t i = 0;
    for (; i + 8 <= in.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, in.data() + i, 8);
        word ^= mask64;
        std::memcpy(out + i, &word, 8);
    }
    for (; i < in.size(); ++i)
        out[i] = in[i] ^ rotated[i & 7];
}

namespace {

// The header of a FIN frame; `masked` sets the mask bit (the key follows, written by the caller).
void append_header(Opcode opcode, std::uint64_t size, bool masked, ByteBuffer& out) {
    std::uint8_t header[10];
    std::size_t n = 0;
    const std::uint8_t mask_bit = masked ? 0x80 : 0;
    header[n++] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(opcode));
    if (size < 126) {
        header[n++] = static_cast<std::uint8_t>(size | mask_bit);
    } else if (size <= 0xffff) {
        header[n++] = 126 | mask_bit;
        header[n++] = static_cast<std::uint8_t>(size >> 8);
        header[n++] = static_cast<std::uint8_t>(size);
    } else {
        header[n++] = 127 | mask_bit;
        for (int shift = 56; shift >= 0; shift -= 8) {
            header[n++] = static_cast<std::uint8_t>(size >> shift);
        }
    }
    out.append(header, n);
}

}  // namespace

void append_frame(Opcode opcode, std::span<const std::uint8_t> payload, ByteBuffer& out) {
    append_header(opcode, payload.size(), false, out);
    out.append(payload);
}

void append_masked_frame(Opcode opcode, std::span<const std::uint8_t> payload,
                         const std::uint8_t (&key)[4], ByteBuffer& out) {
    append_header(opcode, payload.size(), true, out);
    out.append(key, 4);
    std::uint8_t* dst = out.prepare(payload.size());
    for (std::size_t i = 0; i < payload.size(); ++i)
        dst[i] = payload[i] ^ key[i & 3];
    out.commit(payload.size());
}

std::size_t close_payload(std::uint16_t code, std::string_view reason,
                          std::uint8_t (&out)[kMaxControlPayload]) {
    out[0] = static_cast<std::uint8_t>(code >> 8);
    out[1] = static_cast<std::uint8_t>(code);
    std::size_t reason_size = std::min(reason.size(), kMaxControlPayload - 2);
    std::copy_n(reason.begin(), reason_size, out + 2);
    return 2 + reason_size;
}

void append_close_frame(std::uint16_t code, std::string_view reason, ByteBuffer& out) {
    std::uint8_t payload[kMaxControlPayload];
    append_frame(Opcode::Close, {payload, close_payload(code, reason, payload)}, out);
}

void WebSocketStream::append_own_frame(Opcode opcode, std::span<const std::uint8_t> payload,
                                       ByteBuffer& wire_out) {
    if (endpoint_ == Endpoint::Server) {
        append_frame(opcode, payload, wire_out);
        return;
    }
    // xorshift32: masking keys only need to differ per frame for a test client.
    mask_state_ ^= mask_state_ << 13;
    mask_state_ ^= mask_state_ >> 17;
    mask_state_ ^= mask_state_ << 5;
    std::uint8_t key[4];
    std::memcpy(key, &mask_state_, 4);
    append_masked_frame(opcode, payload, key, wire_out);
}

void WebSocketStream::close(std::uint16_t code, std::string_view reason, ByteBuffer& wire_out) {
    if (close_sent_) return;
    close_sent_ = true;
    std::uint8_t payload[kMaxControlPayload];
    append_own_frame(Opcode::Close, {payload, close_payload(code, reason, payload)}, wire_out);
}

FeedResult WebSocketStream::fail(std::uint16_t code, std::string message, ByteBuffer& wire_out) {
    close(code, message, wire_out);
    final_ = {FeedStatus::Failed, code, std::move(message)};
    return final_;
}

FeedResult WebSocketStream::start_frame(ByteBuffer& wire_out) {
    fin_ = header_[0] & 0x80;
    opcode_ = static_cast<Opcode>(header_[0] & 0x0f);
    std::uint8_t len7 = header_[1] & 0x7f;
    std::uint64_t length = len7;
    if (len7 == 126) {
        length = (std::uint64_t{header_[2]} << 8) | header_[3];
        if (length < 126) return fail(close_code::kProtocolError, "non-minimal length", wire_out);
    } else if (len7 == 127) {
        length = 0;
        for (int i = 2; i < 10; ++i)
            length = (length << 8) | header_[i];
        if (length >> 63) return fail(close_code::kProtocolError, "length over 2^63", wire_out);
        if (length <= 0xffff) {
            return fail(close_code::kProtocolError, "non-minimal length", wire_out);
        }
    }
    if (endpoint_ == Endpoint::Server) std::copy_n(header_ + header_have_ - 4, 4, mask_);

    if (is_control(opcode_)) {
        if (length > kMaxControlPayload) {
            return fail(close_code::kProtocolError, "control frame over 125 bytes", wire_out);
        }
    } else {
        if (length > limits_.max_frame_payload) {
            return fail(close_code::kMessageTooBig, "frame over the size limit", wire_out);
        }
        if (opcode_ == Opcode::Continuation) {
            if (!in_message_) {
                return fail(close_code::kProtocolError, "continuation without a message", wire_out);
            }
        } else {
            if (in_message_) {
                return fail(close_code::kProtocolError, "new message inside a fragmented one",
                            wire_out);
            }
            message_size_ = 0;
        }
        if (length > limits_.max_message_size - message_size_) {
            return fail(close_code::kMessageTooBig, "message over the size limit", wire_out);
        }
        message_size_ += length;
        in_message_ = !fin_;
    }
    payload_left_ = length;
    payload_offset_ = 0;
    control_payload_.clear();
    in_payload_ = true;
    return {};
}

FeedResult WebSocketStream::finish_control_frame(ByteBuffer& wire_out) {
    const std::string& p = control_payload_;
    if (opcode_ == Opcode::Ping) {
        // No frame may follow our close frame (RFC 6455 5.5.1).
        if (!close_sent_) {
            append_own_frame(Opcode::Pong,
                             {reinterpret_cast<const std::uint8_t*>(p.data()), p.size()}, wire_out);
        }
        return {};
    }
    if (opcode_ == Opcode::Pong) return {};  // unsolicited pongs are allowed and ignored

    // Close.
    std::uint16_t code = close_code::kNoStatus;
    if (p.size() == 1) return fail(close_code::kProtocolError, "close frame of 1 byte", wire_out);
    if (p.size() >= 2) {
        code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(p[0]) << 8) |
                                          static_cast<std::uint8_t>(p[1]));
        if (!is_valid_close_code(code)) {
            return fail(close_code::kProtocolError, "invalid close code " + std::to_string(code),
                        wire_out);
        }
        if (!text::is_well_formed_utf8(std::string_view(p).substr(2))) {
            return fail(close_code::kInvalidPayload, "close reason is not UTF-8", wire_out);
        }
    }
    if (!close_sent_) {
        // Echo the status code (RFC 6455 5.5.1); an empty close is answered with an empty one.
        close_sent_ = true;
        if (code == close_code::kNoStatus) {
            append_own_frame(Opcode::Close, {}, wire_out);
        } else {
            std::uint8_t payload[kMaxControlPayload];
            append_own_frame(Opcode::Close, {payload, close_payload(code, {}, payload)}, wire_out);
        }
    }
    final_ = {FeedStatus::Closed, code, {}};
    return final_;
}

FeedResult WebSocketStream::feed(std::span<const std::uint8_t> in, ByteBuffer& mqtt_out,
                                 ByteBuffer& wire_out) {
    if (final_.status != FeedStatus::Open) return final_;
    while (!in.empty()) {
        if (!in_payload_) {
            std::size_t take = std::min(header_need_ - header_have_, in.size());
            std::copy_n(in.begin(), take, header_ + header_have_);
            header_have_ += take;
            in = in.subspan(take);
            if (header_have_ == 2) {
                // The first two bytes decide everything else: check them at once.
                if (header_[0] & 0x70) {
                    return fail(close_code::kProtocolError, "reserved bits set", wire_out);
                }
                auto op = static_cast<Opcode>(header_[0] & 0x0f);
                if (op == Opcode::Text) {
                    return fail(close_code::kUnsupportedData, "text frames are not MQTT", wire_out);
                }
                if (op != Opcode::Continuation && op != Opcode::Binary && op != Opcode::Close &&
                    op != Opcode::Ping && op != Opcode::Pong) {
                    return fail(close_code::kProtocolError,
                                "unknown opcode " + std::to_string(static_cast<int>(op)), wire_out);
                }
                if (is_control(op) && !(header_[0] & 0x80)) {
                    return fail(close_code::kProtocolError, "fragmented control frame", wire_out);
                }
                const bool masked = header_[1] & 0x80;
                if (endpoint_ == Endpoint::Server && !masked) {
                    // RFC 6455 5.1: a server MUST close on an unmasked client frame.
                    return fail(close_code::kProtocolError, "client frame not masked", wire_out);
                }
                if (endpoint_ == Endpoint::Client && masked) {
                    // RFC 6455 5.1: a client MUST close on a masked server frame.
                    return fail(close_code::kProtocolError, "server frame masked", wire_out);
                }
                std::uint8_t len7 = header_[1] & 0x7f;
                header_need_ = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
            }
            if (header_have_ < header_need_) continue;
            FeedResult started = start_frame(wire_out);
            if (started.status != FeedStatus::Open) return started;
        }

        std::size_t take =
            static_cast<std::size_t>(std::min<std::uint64_t>(payload_left_, in.size()));
        if (is_control(opcode_)) {
            for (std::size_t i = 0; i < take; ++i) {
                control_payload_.push_back(
                    static_cast<char>(in[i] ^ mask_[(payload_offset_ + i) & 3]));
            }
        } else if (take > 0) {
            unmask_into(in.first(take), mqtt_out.prepare(take));
            mqtt_out.commit(take);
        }
        in = in.subspan(take);
        payload_offset_ += take;
        payload_left_ -= take;
        if (payload_left_ > 0) continue;

        // Frame complete.
        in_payload_ = false;
        header_have_ = 0;
        header_need_ = 2;
        if (is_control(opcode_)) {
            FeedResult r = finish_control_frame(wire_out);
            if (r.status != FeedStatus::Open) return r;
        }
    }
    return {};
}

}  // namespace akasa::net::websocket
