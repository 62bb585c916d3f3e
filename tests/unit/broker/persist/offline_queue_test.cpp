// A session's queue past what it keeps in memory (worker_queue.cpp): with persistence, a
// stored session's messages beyond max_in_mem_pending_messages live in the store only and
// come back, complete and in order, as the client drains its head; without persistence,
// max_in_mem_pending_bytes_total bounds every queue together by dropping the newest.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/engine_harness.h"
#include "store/store.h"

namespace akasa::broker::harness {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;

std::size_t stored_queue(EngineHarness& broker, std::string_view client_id) {
    store::StoredState state;
    const auto status = broker.store().load(&state);
    EXPECT_TRUE(status.ok()) << status.to_string();
    for (const auto& session : state.sessions) {
        if (session.session.client_id == client_id) return session.queue.size();
    }
    return 0;
}

// Publishes "m0".."m<count-1>" at QoS 1 to `topic`, one PUBACK at a time.
void publish_numbered(EngineHarness& broker, TestClient& publisher, std::string_view topic,
                      int count, std::size_t payload_size = 0) {
    for (int i = 0; i < count; ++i) {
        std::string payload = "m" + std::to_string(i);
        payload.resize(std::max(payload.size(), payload_size), '.');
        publisher.send(
            publish_packet(topic, payload, QoS::AtLeastOnce, static_cast<std::uint16_t>(i + 1)));
        broker.run();
        const auto answer = publisher.take();
        ASSERT_EQ(answer.size(), 1u) << describe(answer);
        ASSERT_NE(answer[0].get<mqtt::PubAck>(), nullptr) << describe(answer);
    }
}

// Takes what `client` receives, acknowledging each QoS 1 PUBLISH, until nothing more comes;
// returns the payloads (up to their first '.') in the order they came.
std::vector<std::string> drain(EngineHarness& broker, TestClient& client) {
    std::vector<std::string> payloads;
    for (int quiet = 0; quiet < 3;) {
        broker.run();
        bool any = false;
        for (const auto& packet : client.take()) {
            const auto* publish = packet.get<mqtt::Publish>();
            if (!publish) continue;
            any = true;
            std::string payload(publish->payload);
            payloads.push_back(payload.substr(0, payload.find('.')));
            if (publish->qos == QoS::AtLeastOnce)
                client.send(ack<mqtt::PubAck>(publish->packet_id));
        }
        quiet = any ? 0 : quiet + 1;
    }
    return payloads;
}

std::vector<std::string> numbered(int from, int to) {
    std::vector<std::string> out;
    for (int i = from; i < to; ++i)
        out.push_back("m" + std::to_string(i));
    return out;
}

config::Config persistent_config(std::uint32_t head) {
    auto config = EngineHarness::default_config();
    config.persistence.enable = true;
    config.max_in_mem_pending_messages = head;
    return config;
}

// "keeper": a stored session subscribed to q/# at QoS 1, then away; returns a publisher.
TestClient& keeper_away_and_publisher(EngineHarness& broker) {
    TestClient& keeper = broker.connect(lasting("keeper", true));
    broker.subscribe(keeper, "q/#", QoS::AtLeastOnce);
    keeper.send(mqtt::Disconnect{});
    broker.run();
    return broker.connect(connect_packet("publisher"));
}

TEST(OfflineQueue, PastTheHeadMessagesComeBackFromTheStoreCompleteAndInOrder) {
    EngineHarness broker(persistent_config(4));
    TestClient& publisher = keeper_away_and_publisher(broker);
    publish_numbered(broker, publisher, "q/x", 40);
    EXPECT_EQ(stored_queue(broker, "keeper"), 40u);
    EXPECT_EQ(broker.store().reads(), 0u) << "nothing is read back while the session is away";

    TestClient& back = broker.add_client(ProtocolVersion::V5);
    back.send(lasting("keeper", false));
    EXPECT_EQ(drain(broker, back), numbered(0, 40));
    // 4 in memory; the other 36 read back, a few at a time as the head drained.
    EXPECT_GE(broker.store().reads(), 36u / 4);
    EXPECT_EQ(stored_queue(broker, "keeper"), 0u);
}

TEST(OfflineQueue, MessagesArrivingWhileTheTailDrainsQueueBehindIt) {
    EngineHarness broker(persistent_config(4));
    TestClient& publisher = keeper_away_and_publisher(broker);
    publish_numbered(broker, publisher, "q/x", 20);

    // Back, but it takes only the first window before more messages arrive.
    TestClient& back = broker.add_client(ProtocolVersion::V5);
    back.send(lasting("keeper", false));
    broker.run();
    std::vector<std::string> payloads;
    std::vector<std::uint16_t> unacked;
    for (const auto& packet : back.take()) {
        if (const auto* publish = packet.get<mqtt::Publish>()) {
            payloads.emplace_back(publish->payload);
            unacked.push_back(publish->packet_id);
        }
    }
    ASSERT_FALSE(payloads.empty());
    for (int i = 20; i < 30; ++i) {
        const std::string payload = "m" + std::to_string(i);
        publisher.send(
            publish_packet("q/x", payload, QoS::AtLeastOnce, static_cast<std::uint16_t>(i + 1)));
    }
    broker.run();
    publisher.take();
    for (const auto id : unacked)
        back.send(ack<mqtt::PubAck>(id));
    for (auto& payload : drain(broker, back))
        payloads.push_back(std::move(payload));
    EXPECT_EQ(payloads, numbered(0, 30));
}

TEST(OfflineQueue, WithoutPersistenceAllQueuesTogetherKeepTheOldestWithinTheTotalBound) {
    auto config = EngineHarness::default_config();
    // Room for about 5 queued messages of ~1 KiB in all queues together.
    config.memory_limits.max_in_mem_pending_bytes_total = 5 * (1024 + 200);
    EngineHarness broker(config);
    for (const char* id : {"away1", "away2"}) {
        TestClient& client = broker.connect(connect_packet(id, ProtocolVersion::V311, false));
        broker.subscribe(client, "q/#", QoS::AtLeastOnce);
        client.send(mqtt::Disconnect{});
        broker.run();
    }
    TestClient& publisher = broker.connect(connect_packet("publisher"));
    publish_numbered(broker, publisher, "q/x", 10, 1024);

    std::size_t received = 0;
    for (const char* id : {"away1", "away2"}) {
        TestClient& back = broker.add_client();
        back.send(connect_packet(id, ProtocolVersion::V311, false));
        const auto payloads = drain(broker, back);
        // The oldest are kept, the newest dropped: a prefix, in order.
        ASSERT_LT(payloads.size(), 10u);
        EXPECT_EQ(payloads, numbered(0, static_cast<int>(payloads.size())));
        received += payloads.size();
    }
    EXPECT_GE(received, 4u);
    EXPECT_LE(received, 6u) << "the bound counts both queues together";
}

}  // namespace
}  // namespace akasa::broker::harness
