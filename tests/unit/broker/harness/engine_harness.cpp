// The only test code that knows the engine's classes (BrokerContext, Worker and its test
// seam): when they move, this file follows and the tests stay as they are.
#include "harness/engine_harness.h"

#include <stdlib.h>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "broker/broker_context.h"
#include "broker/persist/persist_store.h"
#include "broker/worker/worker.h"
#include "mqtt/decoder.h"
#include "mqtt/encoder.h"
#include "store/store.h"

namespace akasa::broker::harness {

// --- Received / describe ---

std::string describe(const std::vector<Received>& packets) {
    std::string text;
    for (const auto& received : packets) {
        if (!text.empty()) text += ", ";
        text += mqtt::to_string(received.type());
        if (const auto* publish = received.get<mqtt::Publish>()) {
            text += fmt::format(" q{} id {} {}", static_cast<int>(publish->qos), publish->packet_id,
                                publish->topic);
        }
        std::visit(
            [&](const auto& p) {
                if constexpr (requires { p.packet_id; } &&
                              !std::is_same_v<std::decay_t<decltype(p)>, mqtt::Publish>) {
                    text += fmt::format(" id {}", p.packet_id);
                }
                if constexpr (requires { p.reason_code; }) {
                    text += fmt::format(" rc 0x{:02x}", static_cast<int>(p.reason_code));
                }
            },
            received.packet);
    }
    return "[" + text + "]";
}

// --- TestClient ---

TestClient::TestClient(std::shared_ptr<FakePeer> peer, mqtt::ProtocolVersion version)
    : peer_(std::move(peer)), version_(version) {}

void TestClient::send(const mqtt::Packet& packet) {
    if (const auto* connect = std::get_if<mqtt::Connect>(&packet)) version_ = connect->version;
    std::vector<std::uint8_t> bytes;
    mqtt::encode(packet, version_, bytes);
    send_bytes(bytes);
}

void TestClient::send_bytes(std::span<const std::uint8_t> bytes) {
    peer_->push(bytes);
}

std::vector<Received> TestClient::take() {
    const auto fresh = peer_->take_output();
    partial_.insert(partial_.end(), fresh.begin(), fresh.end());
    std::vector<Received> packets;
    std::size_t pos = 0;
    while (pos < partial_.size()) {
        const auto rest = std::span<const std::uint8_t>(partial_).subspan(pos);
        const auto header = mqtt::decode_fixed_header(rest);
        if (header.status == mqtt::HeaderStatus::NeedMore) break;
        if (header.status == mqtt::HeaderStatus::Error) {
            ADD_FAILURE() << "the broker wrote an invalid fixed header: " << header.error.message;
            partial_.clear();
            return packets;
        }
        if (rest.size() < header.header.packet_size()) break;
        Received received;
        received.bytes.assign(rest.begin(), rest.begin() + header.header.packet_size());
        const auto body = std::span<const std::uint8_t>(received.bytes)
                              .subspan(header.header.header_size, header.header.remaining_length);
        if (auto error = mqtt::decode_packet(header.header, body, version_, received.packet)) {
            ADD_FAILURE() << "the broker wrote a " << mqtt::to_string(header.header.type)
                          << " that does not decode: " << error->message;
        } else {
            packets.push_back(std::move(received));
        }
        pos += header.header.packet_size();
    }
    partial_.erase(partial_.begin(), partial_.begin() + static_cast<std::ptrdiff_t>(pos));
    return packets;
}

// --- EngineHarness ---

EngineHarness::EngineHarness(config::Config config) {
    std::unique_ptr<RecordingStore> recording;
    if (config.persistence.enable) {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "akasa-engine-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        store_dir_ = pattern;
        config.persistence.dir = store_dir_.string();
        std::unique_ptr<store::Store> inner;
        const auto status = store::open_rocksdb_store({.dir = config.persistence.dir}, &inner);
        if (!status.ok()) throw std::runtime_error(status.to_string());
        recording = std::make_unique<RecordingStore>(std::move(inner));
        store_ = recording.get();
    }
    context_ = std::make_unique<BrokerContext>(std::move(config), nullptr);
    if (recording) context_->persistence = std::make_unique<Persistence>(std::move(recording));
    context_->hooks = std::make_unique<HookServices>(context_->startup_config());
    context_->workers.push_back(std::make_unique<Worker>(*context_, 0));
    worker_ = context_->workers.front().get();
    now_ = worker_->now();
}

EngineHarness::~EngineHarness() {
    context_.reset();  // the worker and its connections, then the store
    if (!store_dir_.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(store_dir_, ignored);
    }
}

void EngineHarness::reload(config::Config config) {
    const ConfigGeneration& generation = context_->configs.add(std::move(config));
    worker_->post([next = &generation](Worker& worker) { worker.use_config(*next); });
}

TestClient& EngineHarness::add_client(mqtt::ProtocolVersion version) {
    auto peer = std::make_shared<FakePeer>();
    worker_->serve_for_test(
        std::make_unique<FakeTransport>(peer, fmt::format("192.0.2.1:{}", next_port_++)));
    clients_.push_back(std::make_unique<TestClient>(std::move(peer), version));
    return *clients_.back();
}

TestClient& EngineHarness::connect(const mqtt::Connect& connect) {
    TestClient& client = add_client(connect.version);
    client.send(connect);
    run();
    const auto packets = client.take();
    const auto* connack = packets.empty() ? nullptr : packets.front().get<mqtt::Connack>();
    if (!connack || connack->reason_code != 0) {
        ADD_FAILURE() << "CONNECT of " << connect.client_id << " not accepted; the broker sent "
                      << describe(packets);
    }
    return client;
}

void EngineHarness::subscribe(TestClient& client, std::string_view filter, mqtt::QoS qos,
                              std::uint16_t packet_id) {
    client.send(subscribe_packet(packet_id, filter, qos));
    run();
    const auto packets = client.take();
    const auto* suback = packets.empty() ? nullptr : packets.front().get<mqtt::Suback>();
    if (!suback || suback->packet_id != packet_id ||
        suback->reason_codes != std::vector<std::uint8_t>{static_cast<std::uint8_t>(qos)}) {
        ADD_FAILURE() << "SUBSCRIBE to " << filter << " not granted; the broker sent "
                      << describe(packets);
    }
}

int EngineHarness::step() {
    return worker_->run_once_for_test(now_);
}

std::size_t EngineHarness::input_buffer_bytes(const TestClient& client) const {
    return worker_->input_buffer_capacity_for_test(client.peer().broker_fd());
}

std::size_t EngineHarness::activity() const {
    std::size_t total = 0;
    for (const auto& client : clients_) {
        const FakePeer& peer = client->peer();
        total += peer.bytes_read() + peer.bytes_written() + (peer.transport_alive() ? 1 : 0);
    }
    return total;
}

void EngineHarness::run() {
    // Quiet for a few iterations in a row: work the engine leaves for the next iteration
    // (resumed input, an open store batch) shows up within them.
    constexpr int kQuietIterations = 3;
    constexpr int kMaxIterations = 10000;
    int quiet = 0;
    for (int i = 0; i < kMaxIterations; ++i) {
        const std::size_t before = activity();
        const int handled = step();
        if (handled == 0 && activity() == before) {
            if (++quiet == kQuietIterations) return;
        } else {
            quiet = 0;
        }
    }
    ADD_FAILURE() << "the engine was still busy after " << kMaxIterations << " iterations";
}

std::uint64_t EngineHarness::dropped_worker_behind() const {
    return worker_->counters().dropped_worker_behind.load();
}

std::uint64_t EngineHarness::dropped_output_full() const {
    return worker_->counters().dropped_qos0.load();
}

RecordingStore& EngineHarness::store() {
    if (!store_) throw std::logic_error("EngineHarness::store(): persistence is off");
    return *store_;
}

// --- Packets ---

mqtt::Connect connect_packet(std::string_view client_id, mqtt::ProtocolVersion version,
                             bool clean_start) {
    mqtt::Connect connect;
    connect.version = version;
    connect.client_id = client_id;
    connect.clean_start = clean_start;
    connect.keep_alive = 60;
    return connect;
}

mqtt::Connect lasting(std::string_view client_id, bool clean_start,
                      std::uint32_t session_expiry_s) {
    auto connect = connect_packet(client_id, mqtt::ProtocolVersion::V5, clean_start);
    connect.properties.session_expiry_interval = session_expiry_s;
    return connect;
}

mqtt::Publish publish_packet(std::string_view topic, std::string_view payload, mqtt::QoS qos,
                             std::uint16_t packet_id) {
    mqtt::Publish publish;
    publish.topic = topic;
    publish.payload = payload;
    publish.qos = qos;
    publish.packet_id = packet_id;
    return publish;
}

mqtt::Subscribe subscribe_packet(std::uint16_t packet_id, std::string_view filter, mqtt::QoS qos) {
    mqtt::Subscribe subscribe;
    subscribe.packet_id = packet_id;
    subscribe.topics.push_back({filter, {.qos = qos}});
    return subscribe;
}

mqtt::Will will_of(std::string_view topic, std::string_view payload, mqtt::QoS qos) {
    mqtt::Will will;
    will.topic = topic;
    will.payload = payload;
    will.qos = qos;
    return will;
}

}  // namespace akasa::broker::harness
