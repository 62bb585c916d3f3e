// Encoding MQTT packets to bytes for a protocol version (all 15 types, 3.1/3.1.1/5.0).
//
// Contract: encode() APPENDS one whole packet (fixed header included) to `out`; it never
// clears it, so many packets can be coalesced into one write buffer. The packet must be valid
// for the version: strings and binary fields at most 65535 bytes, the packet within
// kMaxPacketSize, non-zero packet ids where required, v5-only fields are ignored for 3.x
// (Properties, reason codes of PUBACK.., no-local etc.). The encoder does not validate (the
// engine builds packets from validated data); use encoded_size() to check a peer's Maximum
// Packet Size before encoding. v5 short forms are used where the spec allows them
// (e.g. a PUBACK with Success and no properties is 4 bytes, a normal DISCONNECT 2 bytes).
//
//   std::vector<uint8_t> out;
//   if (encoded_size(publish, ProtocolVersion::V5) <= client_max_packet_size)
//       encode(publish, ProtocolVersion::V5, out);
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mqtt/packets.h"
#include "mqtt/types.h"

namespace akasa::mqtt {

// CONNECT carries its own version (connect.version); the 3-argument overload ignores
// `version` so generic code can call encode(packet, version, out) for every type.
void encode(const Connect& packet, std::vector<uint8_t>& out);
void encode(const Connect& packet, ProtocolVersion version, std::vector<uint8_t>& out);
void encode(const Connack& packet, ProtocolVersion version, std::vector<uint8_t>& out);
void encode(const Publish& packet, ProtocolVersion version, std::vector<uint8_t>& out);
void encode(const PubAck& packet, ProtocolVersion version, std::vector<uint8_t>& out);
void encode(const PubRec& packet, ProtocolVersion version, std::vector<uint8_t>& out);
void encode(const PubRel& packet, ProtocolVersion version, std::vector<uint8_t>& out);
void encode(const PubComp& packet, ProtocolVersion version, std::vector<uint8_t>& out);
void encode(const Subscribe& packet, ProtocolVersion version, std::vector<uint8_t>& out);
void encode(const Suback& packet, ProtocolVersion version, std::vector<uint8_t>& out);
void encode(const Unsubscribe& packet, ProtocolVersion version, std::vector<uint8_t>& out);
void encode(const Unsuback& packet, ProtocolVersion version, std::vector<uint8_t>& out);
void encode(const Pingreq& packet, ProtocolVersion version, std::vector<uint8_t>& out);
void encode(const Pingresp& packet, ProtocolVersion version, std::vector<uint8_t>& out);
void encode(const Disconnect& packet, ProtocolVersion version, std::vector<uint8_t>& out);
void encode(const Auth& packet, ProtocolVersion version, std::vector<uint8_t>& out);
void encode(const Packet& packet, ProtocolVersion version, std::vector<uint8_t>& out);

// encode() without the payload bytes: the fixed header (whose Remaining Length counts the
// payload), the variable header and the properties. The caller sends packet.payload right
// after these bytes, from where it is: a large payload needs no copy per receiver.
void encode_publish_head(const Publish& packet, ProtocolVersion version, std::vector<uint8_t>& out);

// The exact number of bytes encode() appends (fixed header included).
size_t encoded_size(const Publish& packet, ProtocolVersion version);
size_t encoded_size(const Packet& packet, ProtocolVersion version);

// The encoded size of a property block without its length prefix (0 for empty properties).
size_t properties_size(const Properties& properties);

}  // namespace akasa::mqtt
