// libFuzzer target for the MQTT decoder (see fuzz/README.md).
//
// Properties checked on every input, aborting on a violation:
//  1. Decoding never crashes, hangs or reads out of bounds (ASan/UBSan do the checking).
//  2. Round trip: every packet that decodes re-encodes to bytes that decode to an equal
//     packet, and encoding that packet again gives the same bytes.
//  3. Streaming: feeding the input in two pieces (split at an offset taken from the input)
//     yields the same packets and the same final status as feeding it whole.
// The input is decoded as a server would (StreamDecoder starting at 3.1.1 and switching to the
// version of a CONNECT), and also with each protocol version fixed, so non-CONNECT packets are
// exercised in 3.1, 3.1.1 and 5.0 whatever the first bytes are.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "mqtt/decoder.h"
#include "mqtt/encoder.h"

namespace {

using namespace akasa::mqtt;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "mqtt_decoder_fuzz: %s\n", what);
    std::abort();
}

// Decodes exactly one whole packet from `bytes`.
DecodeResult decode_whole(std::span<const uint8_t> bytes, ProtocolVersion version, Packet& out) {
    const HeaderResult header = decode_fixed_header(bytes);
    if (header.status != HeaderStatus::Complete) fail("re-encoded packet has no valid header");
    if (header.header.packet_size() != bytes.size()) fail("re-encoded size mismatch");
    return decode_packet(header.header, bytes.subspan(header.header.header_size), version, out);
}

// Property 2 for one decoded packet; returns its canonical encoding.
std::vector<uint8_t> check_round_trip(const Packet& packet, ProtocolVersion version) {
    std::vector<uint8_t> first;
    encode(packet, version, first);
    if (first.size() != encoded_size(packet, version)) fail("encoded_size differs from encode");
    // A CONNECT is re-read with its own version; later packets keep the connection's.
    Packet again;
    if (auto error = decode_whole(first, version, again)) {
        std::fprintf(stderr, "error: %s\n", error->message);
        fail("re-encoded packet does not decode");
    }
    if (!(again == packet)) fail("re-decoded packet differs from the original");
    std::vector<uint8_t> second;
    encode(again, version, second);
    if (second != first) fail("encoding is not stable");
    return first;
}

struct StreamResult {
    std::vector<std::vector<uint8_t>> packets;  // canonical encodings
    StreamDecoder::Status status;
    ReasonCode reason = ReasonCode::Success;
};

void drain(StreamDecoder& decoder, StreamResult& result) {
    Packet packet;
    while (decoder.next(packet) == StreamDecoder::Status::Packet) {
        // The version after next() is the CONNECT's own when the packet is a CONNECT.
        result.packets.push_back(check_round_trip(packet, decoder.version()));
    }
}

StreamResult run_stream(std::span<const uint8_t> data, size_t split, ProtocolVersion version) {
    StreamDecoder decoder(version, 1 << 20);
    StreamResult result;
    decoder.feed(data.first(split));
    drain(decoder, result);
    decoder.feed(data.subspan(split));
    drain(decoder, result);
    result.status = decoder.status();
    if (result.status == StreamDecoder::Status::Error) result.reason = decoder.error().reason;
    return result;
}

void check_same(const StreamResult& whole, const StreamResult& split) {
    if (whole.packets != split.packets) fail("split stream decodes different packets");
    if (whole.status != split.status || whole.reason != split.reason) {
        fail("split stream ends in a different state");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> input(data, size);
    const size_t split = size == 0 ? 0 : data[size - 1] % (size + 1);

    // As a server: starts in 3.1.1 and follows the CONNECT.
    check_same(run_stream(input, size, ProtocolVersion::V311),
               run_stream(input, split, ProtocolVersion::V311));

    // Each version fixed (a CONNECT in the middle still switches, as in a real server, but
    // the decoders of every version see the packets before it).
    for (auto version : {ProtocolVersion::V31, ProtocolVersion::V311, ProtocolVersion::V5}) {
        StreamDecoder decoder(version, 1 << 20);
        StreamResult result;
        decoder.feed(input);
        drain(decoder, result);
    }
    return 0;
}
