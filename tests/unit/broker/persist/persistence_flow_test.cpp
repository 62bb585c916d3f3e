// What the engine writes to the store and when (persist_writer.h): a message for an offline
// stored session is in the store before its publisher's PUBACK leaves; inbound QoS 2 state
// before PUBREC and PUBCOMP; sessions that end with their connection cost no write.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/engine_harness.h"
#include "store/store.h"

namespace akasa::broker::harness {
namespace {

using mqtt::QoS;

config::Config persistent_config() {
    auto config = EngineHarness::default_config();
    config.persistence.enable = true;
    return config;
}

// The stored state of `client_id`'s session, or null.
std::unique_ptr<store::SessionState> stored_session(EngineHarness& broker,
                                                    std::string_view client_id) {
    store::StoredState state;
    const auto status = broker.store().load(&state);
    EXPECT_TRUE(status.ok()) << status.to_string();
    for (auto& session : state.sessions) {
        if (session.session.client_id == client_id)
            return std::make_unique<store::SessionState>(std::move(session));
    }
    return nullptr;
}

TEST(EnginePersistence, QueuedForAnOfflineSessionBeforeThePubAckLeaves) {
    EngineHarness broker(persistent_config());
    TestClient& keeper = broker.connect(lasting("keeper", true));
    broker.subscribe(keeper, "p/#", QoS::AtLeastOnce);
    keeper.send(mqtt::Disconnect{});
    broker.run();
    ASSERT_FALSE(keeper.connected());
    TestClient& publisher = broker.connect(connect_packet("publisher"));

    // At each write: had the publisher received anything since its CONNACK?
    std::vector<std::size_t> publisher_bytes_at_write;
    broker.store().on_write = [&](const store::StoreBatch&) {
        publisher_bytes_at_write.push_back(publisher.peer().bytes_written());
    };
    const std::size_t bytes_before = publisher.peer().bytes_written();
    const std::size_t writes_before = broker.store().writes();

    publisher.send(publish_packet("p/x", "kept", QoS::AtLeastOnce, 5));
    broker.step();  // read and routed in a busy iteration: the store batch stays open
    EXPECT_TRUE(publisher.take().empty()) << "PUBACK before the store write";
    EXPECT_EQ(broker.store().writes(), writes_before);

    broker.run();  // idle iterations write the batch, then the PUBACK goes
    const auto packets = publisher.take();
    ASSERT_EQ(packets.size(), 1u) << describe(packets);
    ASSERT_NE(packets[0].get<mqtt::PubAck>(), nullptr) << describe(packets);
    EXPECT_EQ(packets[0].get<mqtt::PubAck>()->packet_id, 5);
    ASSERT_FALSE(publisher_bytes_at_write.empty());
    EXPECT_EQ(publisher_bytes_at_write.front(), bytes_before);

    const auto session = stored_session(broker, "keeper");
    ASSERT_NE(session, nullptr);
    ASSERT_EQ(session->queue.size(), 1u);
    EXPECT_EQ(session->queue[0].message.topic, "p/x");
    EXPECT_EQ(session->queue[0].message.payload, "kept");
    EXPECT_EQ(session->queue[0].message.qos, 1);

    // The session comes back: the message is delivered, and once acknowledged it is gone
    // from the store too.
    TestClient& back = broker.add_client();
    back.send(lasting("keeper", false));
    broker.run();
    auto resumed = back.take();
    ASSERT_EQ(resumed.size(), 2u) << describe(resumed);
    ASSERT_NE(resumed[0].get<mqtt::Connack>(), nullptr) << describe(resumed);
    EXPECT_TRUE(resumed[0].get<mqtt::Connack>()->session_present);
    const auto* delivered = resumed[1].get<mqtt::Publish>();
    ASSERT_NE(delivered, nullptr) << describe(resumed);
    EXPECT_EQ(delivered->payload, "kept");
    back.send(ack<mqtt::PubAck>(delivered->packet_id));
    broker.run();
    const auto after_ack = stored_session(broker, "keeper");
    ASSERT_NE(after_ack, nullptr);
    EXPECT_TRUE(after_ack->queue.empty());
    EXPECT_TRUE(after_ack->inflight.empty());
}

TEST(EnginePersistence, InboundQoS2StateIsStoredBeforePubRecAndClearedBeforePubComp) {
    EngineHarness broker(persistent_config());
    TestClient& publisher = broker.connect(lasting("q2-publisher", true));
    std::vector<std::size_t> publisher_bytes_at_write;
    broker.store().on_write = [&](const store::StoreBatch&) {
        publisher_bytes_at_write.push_back(publisher.peer().bytes_written());
    };

    const std::size_t before_publish = publisher.peer().bytes_written();
    publisher.send(publish_packet("q/x", "once", QoS::ExactlyOnce, 3));
    broker.step();
    EXPECT_TRUE(publisher.take().empty()) << "PUBREC before the store write";
    broker.run();
    auto packets = publisher.take();
    ASSERT_EQ(packets.size(), 1u) << describe(packets);
    ASSERT_NE(packets[0].get<mqtt::PubRec>(), nullptr) << describe(packets);
    ASSERT_EQ(publisher_bytes_at_write.size(), 1u);
    EXPECT_EQ(publisher_bytes_at_write[0], before_publish);
    auto session = stored_session(broker, "q2-publisher");
    ASSERT_NE(session, nullptr);
    EXPECT_EQ(session->qos2_received, std::vector<std::uint16_t>{3});

    const std::size_t before_pubrel = publisher.peer().bytes_written();
    publisher.send(ack<mqtt::PubRel>(3));
    broker.run();
    packets = publisher.take();
    ASSERT_EQ(packets.size(), 1u) << describe(packets);
    ASSERT_NE(packets[0].get<mqtt::PubComp>(), nullptr) << describe(packets);
    ASSERT_EQ(publisher_bytes_at_write.size(), 2u);
    EXPECT_EQ(publisher_bytes_at_write[1], before_pubrel);
    session = stored_session(broker, "q2-publisher");
    ASSERT_NE(session, nullptr);
    EXPECT_TRUE(session->qos2_received.empty());
}

TEST(EnginePersistence, SessionsEndingWithTheirConnectionCostNoWrite) {
    EngineHarness broker(persistent_config());
    TestClient& subscriber = broker.connect(connect_packet("clean-sub"));
    broker.subscribe(subscriber, "c/#", QoS::AtLeastOnce);
    TestClient& publisher = broker.connect(connect_packet("clean-pub"));
    publisher.send(publish_packet("c/x", "fleeting", QoS::AtLeastOnce, 1));
    broker.run();
    EXPECT_EQ(publisher.take().size(), 1u);  // PUBACK
    const auto delivered = subscriber.take();
    ASSERT_EQ(delivered.size(), 1u) << describe(delivered);
    subscriber.send(ack<mqtt::PubAck>(delivered[0].get<mqtt::Publish>()->packet_id));
    broker.run();
    EXPECT_EQ(broker.store().writes(), 0u);
}

}  // namespace
}  // namespace akasa::broker::harness
