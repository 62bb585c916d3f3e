// Microbenchmarks of the MQTT codec's hot path: decoding and encoding PUBLISH packets.
// Run: build-rel/bench/akasa_microbench --benchmark_filter=Publish
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "mqtt/decoder.h"
#include "mqtt/encoder.h"

namespace {

using namespace akasa::mqtt;

// A QoS 0 PUBLISH of exactly 64 bytes on the wire: 2 header + 2 + 27 topic + 33 payload.
Publish small_publish() {
    static const std::string payload(33, 'x');
    Publish publish;
    publish.topic = "sensors/room-12/temperature";
    publish.payload = payload;
    return publish;
}

// A v5 QoS 1 PUBLISH with the request/response properties a typical RPC message carries.
Publish publish_with_properties() {
    static const std::string payload(64, 'y');
    Publish publish;
    publish.topic = "sensors/room-12/temperature";
    publish.qos = QoS::AtLeastOnce;
    publish.packet_id = 42;
    publish.payload = payload;
    publish.properties.message_expiry_interval = 3600;
    publish.properties.content_type = "application/json";
    publish.properties.response_topic = "replies/client-17";
    publish.properties.correlation_data = "0123456789abcdef";
    publish.properties.user_properties = {{"trace-id", "4bf92f3577b34da6"}, {"origin", "edge-3"}};
    return publish;
}

void decode_loop(benchmark::State& state, const Publish& sample, ProtocolVersion version) {
    std::vector<uint8_t> wire;
    encode(sample, version, wire);
    Publish out;
    for (auto _ : state) {
        const HeaderResult header = decode_fixed_header(wire);
        const auto body = std::span<const uint8_t>(wire).subspan(header.header.header_size);
        auto error = decode_publish(header.header, body, version, out);
        benchmark::DoNotOptimize(error);
        benchmark::DoNotOptimize(out);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size()));
    state.counters["wire_bytes"] = static_cast<double>(wire.size());
}

void encode_loop(benchmark::State& state, const Publish& sample, ProtocolVersion version) {
    std::vector<uint8_t> out;
    out.reserve(1024);
    for (auto _ : state) {
        out.clear();
        encode(sample, version, out);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
    state.counters["wire_bytes"] = static_cast<double>(out.size());
}

void BM_DecodePublishQoS0_64B_V311(benchmark::State& state) {
    decode_loop(state, small_publish(), ProtocolVersion::V311);
}
void BM_EncodePublishQoS0_64B_V311(benchmark::State& state) {
    encode_loop(state, small_publish(), ProtocolVersion::V311);
}
void BM_DecodePublishWithProperties_V5(benchmark::State& state) {
    decode_loop(state, publish_with_properties(), ProtocolVersion::V5);
}
void BM_EncodePublishWithProperties_V5(benchmark::State& state) {
    encode_loop(state, publish_with_properties(), ProtocolVersion::V5);
}

// Many small packets through the StreamDecoder, as one socket read delivers them.
void BM_StreamDecodePublishQoS0_64B_V311(benchmark::State& state) {
    std::vector<uint8_t> wire;
    for (int i = 0; i < 64; ++i)
        encode(small_publish(), ProtocolVersion::V311, wire);
    Packet packet;
    for (auto _ : state) {
        StreamDecoder decoder(ProtocolVersion::V311);
        decoder.feed(wire);
        int count = 0;
        while (decoder.next(packet) == StreamDecoder::Status::Packet)
            ++count;
        benchmark::DoNotOptimize(count);
    }
    state.SetItemsProcessed(state.iterations() * 64);
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size()));
}

BENCHMARK(BM_DecodePublishQoS0_64B_V311);
BENCHMARK(BM_EncodePublishQoS0_64B_V311);
BENCHMARK(BM_DecodePublishWithProperties_V5);
BENCHMARK(BM_EncodePublishWithProperties_V5);
BENCHMARK(BM_StreamDecodePublishQoS0_64B_V311);

}  // namespace
