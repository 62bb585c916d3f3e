// Decoding MQTT packets from bytes received on a connection (all versions, both directions:
// packets a server receives and packets a client receives).
//
// Two layers:
//  1. decode_fixed_header() looks at the start of a buffer and says NeedMore, Complete (with
//     the packet's size) or Error. It checks the packet type, the fixed-header flags of the
//     type, the Remaining Length encoding (at most 4 bytes, minimal form) and the packet size
//     against the caller's maximum BEFORE the body is buffered: a client announcing a 200 MB
//     packet is refused with PacketTooLarge after reading at most 5 bytes.
//  2. decode_packet() / decode_connect() / decode_publish() decode one complete body.
// StreamDecoder (below) combines both over a byte stream that arrives in arbitrary pieces.
//
// Contract: decoded packets hold VIEWS into `body` (see packets.h): the bytes must outlive the
// packet. Untrusted input never asserts or throws: every violation yields a DecodeError whose
// reason is the code the spec names (MalformedPacket, ProtocolError, ...), for the engine to
// put in a v5 CONNACK/DISCONNECT or to simply close a 3.x connection. docs/codec.md lists them.
// Decoding a QoS 0 PUBLISH with no properties does not allocate.
//
// Checks that need connection state are the engine's: topic alias ranges, Receive Maximum,
// packet ids in use, a client sending Subscription Identifier in PUBLISH [MQTT-3.3.4-6],
// Payload Format Indicator = 1 with a non-UTF-8 payload (optional in the spec), client id
// rules, and topic filter syntax in SUBSCRIBE/UNSUBSCRIBE (validate_topic_filter, topic.h).
//
//   Packet packet;
//   auto header = decode_fixed_header(buffer, max_packet_size);
//   if (header.status == HeaderStatus::Complete && buffer.size() >= header.header.packet_size()) {
//       auto body = buffer.subspan(header.header.header_size, header.header.remaining_length);
//       if (auto error = decode_packet(header.header, body, version, packet)) close(*error);
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "mqtt/packets.h"
#include "mqtt/types.h"

namespace akasa::mqtt {

// The largest Remaining Length a 4-byte variable byte integer holds.
inline constexpr uint32_t kMaxRemainingLength = 268435455;
// The largest whole packet: 1 type byte + 4 length bytes + kMaxRemainingLength.
inline constexpr uint32_t kMaxPacketSize = kMaxRemainingLength + 5;

struct FixedHeader {
    PacketType type = PacketType::Connect;
    uint8_t flags = 0;  // low nibble of the first byte
    uint32_t remaining_length = 0;
    uint8_t header_size = 0;  // 2..5 bytes

    uint32_t packet_size() const { return header_size + remaining_length; }
    // A PUBLISH's QoS bits (3 is refused by decode_fixed_header).
    uint8_t publish_qos() const { return (flags >> 1) & 0x03; }
};

struct DecodeError {
    ReasonCode reason = ReasonCode::MalformedPacket;
    const char* message = "";  // static string, readable by a person, for logs

    bool operator==(const DecodeError& other) const { return reason == other.reason; }
};

// nullopt on success.
using DecodeResult = std::optional<DecodeError>;

// Bounds the server sets on what it decodes (config::MemoryLimits): a property block with
// more User Properties than max_user_properties, or more bytes of their keys and values
// together than max_user_property_bytes, is refused with one of the two errors below as soon
// as the decoder sees it, so refusing it costs no more than the limit. The PUBLISH fields
// before the properties (QoS, packet id) are set, for the engine's answer. The default is
// no limit.
struct DecodeLimits {
    uint32_t max_user_properties = UINT32_MAX;
    uint32_t max_user_property_bytes = UINT32_MAX;
};
// QuotaExceeded (0x97), "an implementation or administrative imposed limit has been
// exceeded"; tell the two apart by the text of `message` (not its address: string literals
// of different translation units need not be merged).
inline constexpr DecodeError kTooManyUserProperties{
    ReasonCode::QuotaExceeded, "more User Properties in one packet than the server allows"};
inline constexpr DecodeError kUserPropertiesTooLarge{
    ReasonCode::QuotaExceeded, "User Properties of one packet larger than the server allows"};

enum class HeaderStatus : uint8_t { NeedMore, Complete, Error };

struct HeaderResult {
    HeaderStatus status = HeaderStatus::NeedMore;
    FixedHeader header;  // valid when status == Complete
    DecodeError error;   // valid when status == Error
};

// Inspects the start of `data`. Complete does not mean the body is buffered: compare
// data.size() with header.packet_size(). `max_packet_size` is the whole packet (fixed header
// included), as MQTT 5's Maximum Packet Size; larger packets give PacketTooLarge.
// Version-independent except `mqtt31` (a 3.1 connection, which may set DUP on PUBREL,
// SUBSCRIBE and UNSUBSCRIBE); AUTH in a 3.x connection is refused by decode_packet.
HeaderResult decode_fixed_header(std::span<const uint8_t> data,
                                 uint32_t max_packet_size = kMaxPacketSize, bool mqtt31 = false);

// Decodes a CONNECT body; the version comes from the packet itself and is stored in
// out.version as soon as the protocol level byte is read (V311 before that), so the engine
// can answer a failed CONNECT in the right CONNACK format.
// An unknown protocol name/level pair (valid: "MQIsdp"/3, "MQTT"/4, "MQTT"/5) gives reason
// UnsupportedProtocolVersion, distinct from every other error; then out.protocol_name is the
// name received and out.version holds the RAW level byte (possibly no enumerator). The server
// answers it with a 3.1.1-format CONNACK carrying ConnectReturnCode::UnacceptableProtocolVersion
// (0x01) [MQTT-3.1.2-2] and closes; this is what 3.x clients understand, and a v5 client never
// gets it since level 5 is supported.
DecodeResult decode_connect(const FixedHeader& header, std::span<const uint8_t> body, Connect& out,
                            const DecodeLimits& limits = {});

// The hot path: decodes a PUBLISH body into `out`, reusing its vectors' capacity.
DecodeResult decode_publish(const FixedHeader& header, std::span<const uint8_t> body,
                            ProtocolVersion version, Publish& out, const DecodeLimits& limits = {});

// Decodes any packet type (CONNECT included, whose version comes from the packet) for a
// connection speaking `version`. AUTH is refused unless version is V5.
DecodeResult decode_packet(const FixedHeader& header, std::span<const uint8_t> body,
                           ProtocolVersion version, Packet& out, const DecodeLimits& limits = {});

// Decodes packets from a byte stream fed in pieces of any size; splitting the stream at any
// byte offset yields the same packets. It owns a copy of the bytes not yet consumed.
// A successfully decoded CONNECT switches version() to the CONNECT's version (as a server
// does); a client sets the version it connected with. After an error the decoder stays in
// the error state: the connection must be closed.
//
//   StreamDecoder decoder(ProtocolVersion::V311, 1 << 20);
//   decoder.feed(bytes_from_socket);
//   Packet packet;
//   while (decoder.next(packet) == StreamDecoder::Status::Packet) handle(packet);
//   if (decoder.status() == StreamDecoder::Status::Error) close(decoder.error());
class StreamDecoder {
  public:
    enum class Status : uint8_t { Packet, NeedMore, Error };

    explicit StreamDecoder(ProtocolVersion version = ProtocolVersion::V311,
                           uint32_t max_packet_size = kMaxPacketSize);

    // Appends bytes. Invalidates views of packets returned before.
    void feed(std::span<const uint8_t> bytes);

    // Decodes the next complete packet into `out`. Its views stay valid until the next call
    // to next() or feed().
    Status next(Packet& out);

    Status status() const { return status_; }
    const DecodeError& error() const { return error_; }
    ProtocolVersion version() const { return version_; }
    void set_version(ProtocolVersion version) { version_ = version; }
    void set_max_packet_size(uint32_t max_packet_size) { max_packet_size_ = max_packet_size; }
    // Bytes fed but not yet returned as packets.
    size_t buffered() const { return buffer_.size() - consumed_; }

  private:
    std::vector<uint8_t> buffer_;
    size_t consumed_ = 0;
    ProtocolVersion version_;
    uint32_t max_packet_size_;
    Status status_ = Status::NeedMore;
    DecodeError error_;
};

}  // namespace akasa::mqtt
