// Back-pressure (publisher_throttle.h, ClientConnection::hold_reading_if_output_full): a
// subscriber whose socket stops taking bytes pauses the publishers feeding it QoS 1/2, and a
// client that does not take its own answers is not read either; both resume once the output
// drains. QoS 0 pauses nobody: what a subscriber does not take is dropped, and what a worker
// cannot keep up with too (ConnectionFlow::fell_behind). Observed from outside: a paused
// connection leaves its input unread in the socket.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/engine_harness.h"
#include "mqtt/encoder.h"

namespace akasa::broker::harness {
namespace {

using mqtt::QoS;

// The smallest output limit allowed (65536): reading pauses at half of it. Subscribers'
// windows are wide open, so QoS 1 deliveries stop only where the output is full.
config::Config small_output_config() {
    auto config = EngineHarness::default_config();
    config.memory_limits.max_output_buffer_bytes = 65536;
    config.max_inflight_client = 65535;
    return config;
}

// `count` PUBLISHes of `payload_size` bytes to `topic`, as one stream of bytes; each
// payload starts with its index ("000042..."). QoS 1/2 ones have packet ids 1, 2, ...
std::vector<std::uint8_t> publishes(std::size_t count, std::size_t payload_size,
                                    std::string_view topic, QoS qos = QoS::AtMostOnce) {
    std::vector<std::uint8_t> bytes;
    for (std::size_t i = 0; i < count; ++i) {
        std::string payload = std::to_string(1000000 + i).substr(1);
        payload.resize(payload_size, 'p');
        const auto packet_id = qos == QoS::AtMostOnce ? 0 : static_cast<std::uint16_t>(i + 1);
        mqtt::encode(mqtt::Packet(publish_packet(topic, payload, qos, packet_id)),
                     mqtt::ProtocolVersion::V311, bytes);
    }
    return bytes;
}

// How many of `packets` are of type T.
template <class T>
std::size_t count_of(const std::vector<Received>& packets) {
    return static_cast<std::size_t>(std::count_if(
        packets.begin(), packets.end(), [](const Received& p) { return p.get<T>() != nullptr; }));
}

// The indexes of the PUBLISHes among `packets`, in the order received.
std::vector<std::size_t> indexes(const std::vector<Received>& packets) {
    std::vector<std::size_t> found;
    for (const auto& packet : packets) {
        if (const auto* publish = packet.get<mqtt::Publish>())
            found.push_back(std::stoul(std::string(publish->payload.substr(0, 6))));
    }
    return found;
}

// 0, 1, ..., count - 1.
std::vector<std::size_t> in_order(std::size_t count) {
    std::vector<std::size_t> all(count);
    for (std::size_t i = 0; i < count; ++i)
        all[i] = i;
    return all;
}

// A subscriber of flow/# at `qos` that stopped reading, and a publisher, on a broker with
// the smallest output limit.
struct SlowReader {
    explicit SlowReader(QoS qos)
        : broker(small_output_config()),
          subscriber(subscribed(broker, qos)),
          publisher(broker.connect(connect_packet("fast-writer"))) {
        subscriber.stop_reading();
    }
    static TestClient& subscribed(EngineHarness& broker, QoS qos) {
        TestClient& client = broker.connect(connect_packet("slow-reader"));
        broker.subscribe(client, "flow/#", qos);
        return client;
    }
    EngineHarness broker;
    TestClient& subscriber;
    TestClient& publisher;
};

TEST(EngineFlowControl, ASubscriberThatStopsReadingPausesItsQos1PublisherUntilItDrains) {
    SlowReader slow(QoS::AtLeastOnce);
    auto& [broker, subscriber, publisher] = slow;
    // 200 messages of 2000 bytes: ~400 KB, far more than the subscriber's output may hold.
    constexpr std::size_t kMessages = 200;
    publisher.send_bytes(publishes(kMessages, 2000, "flow/x", QoS::AtLeastOnce));
    broker.run();

    // The publisher was read until the subscriber's output filled, then not at all.
    EXPECT_GT(publisher.unread_input(), 0u);
    const std::size_t unread_while_paused = publisher.unread_input();
    publisher.send(mqtt::Pingreq{});
    broker.run();
    EXPECT_EQ(publisher.unread_input(), unread_while_paused + 2);  // not read: no PINGRESP
    auto answers = publisher.take();
    EXPECT_EQ(count_of<mqtt::Pingresp>(answers), 0u);
    const std::size_t acknowledged_while_paused = count_of<mqtt::PubAck>(answers);
    EXPECT_LT(acknowledged_while_paused, kMessages);
    EXPECT_TRUE(subscriber.take().empty());

    // The subscriber reads again: everything arrives, in order, nothing dropped.
    subscriber.start_reading();
    broker.run();
    EXPECT_EQ(publisher.unread_input(), 0u);
    EXPECT_EQ(indexes(subscriber.take()), in_order(kMessages));
    answers = publisher.take();
    EXPECT_EQ(count_of<mqtt::Pingresp>(answers), 1u) << describe(answers);
    EXPECT_EQ(acknowledged_while_paused + count_of<mqtt::PubAck>(answers), kMessages);
    EXPECT_TRUE(publisher.connected());
    EXPECT_TRUE(subscriber.connected());
}

TEST(EngineFlowControl, ASubscriberThatStopsReadingHasItsQos0DroppedAndPausesNobody) {
    // QoS 0 is not worth holding a publisher (and its other subscribers) for: what the
    // subscriber's output cannot take is dropped and counted, the publisher is read on.
    SlowReader slow(QoS::AtMostOnce);
    auto& [broker, subscriber, publisher] = slow;
    constexpr std::size_t kMessages = 200;  // ~400 KB, the output holds 64 KB
    publisher.send_bytes(publishes(kMessages, 2000, "flow/x"));
    publisher.send(mqtt::Pingreq{});
    broker.run();
    EXPECT_EQ(publisher.unread_input(), 0u);
    const auto answers = publisher.take();
    ASSERT_EQ(answers.size(), 1u) << describe(answers);
    EXPECT_NE(answers[0].get<mqtt::Pingresp>(), nullptr);

    subscriber.start_reading();
    broker.run();
    const auto received = indexes(subscriber.take());
    EXPECT_FALSE(received.empty());
    EXPECT_LT(received.size(), kMessages);
    EXPECT_EQ(received, in_order(received.size()));  // the first ones, then none
    EXPECT_EQ(broker.dropped_output_full(), kMessages - received.size());
    EXPECT_TRUE(subscriber.connected());
}

TEST(EngineFlowControl, InputReadBeforeThePauseIsHandledAfterTheResume) {
    // All of it fits one read: what the pause left unhandled is in the broker, not in the
    // socket, so no socket event will report it when the subscriber drains.
    SlowReader slow(QoS::AtLeastOnce);
    auto& [broker, subscriber, publisher] = slow;
    constexpr std::size_t kMessages = 50;  // 50 x ~1 KB: one read, past the pause at 32 KB
    publisher.send_bytes(publishes(kMessages, 1000, "flow/z", QoS::AtLeastOnce));
    publisher.send(mqtt::Pingreq{});
    broker.run();
    EXPECT_EQ(publisher.unread_input(), 0u);
    auto answers = publisher.take();
    EXPECT_EQ(count_of<mqtt::Pingresp>(answers), 0u);  // paused before its PINGREQ
    const std::size_t acknowledged_while_paused = count_of<mqtt::PubAck>(answers);
    EXPECT_LT(acknowledged_while_paused, kMessages);

    subscriber.start_reading();
    broker.run();
    EXPECT_EQ(indexes(subscriber.take()), in_order(kMessages));
    answers = publisher.take();
    EXPECT_EQ(count_of<mqtt::Pingresp>(answers), 1u) << describe(answers);
    EXPECT_EQ(acknowledged_while_paused + count_of<mqtt::PubAck>(answers), kMessages);
}

// `packet` as a 3.1.1 client sends it.
std::vector<std::uint8_t> encoded(const mqtt::Packet& packet) {
    std::vector<std::uint8_t> bytes;
    mqtt::encode(packet, mqtt::ProtocolVersion::V311, bytes);
    return bytes;
}

// 300 subscribers of "wide/#" at `qos` and a publisher that sent kMessages of ~1 KB (one read
// that fans out to ~18 MB) and then `trailer`; the broker has taken one step since.
struct WideFanOut {
    static constexpr std::size_t kSubscribers = 300;
    static constexpr std::size_t kMessages = 60;
    WideFanOut(QoS qos, const mqtt::Packet& trailer) : WideFanOut(qos, encoded(trailer)) {}
    WideFanOut(QoS qos, const std::vector<std::uint8_t>& trailer) {
        for (std::size_t i = 0; i < kSubscribers; ++i) {
            subscribers.push_back(&broker.connect(connect_packet("wide-" + std::to_string(i))));
            broker.subscribe(*subscribers.back(), "wide/#", qos);
        }
        publisher = &broker.connect(connect_packet("wide-publisher"));
        publisher->send_bytes(publishes(kMessages, 1000, "wide/x"));
        publisher->send_bytes(trailer);
        broker.step();
    }
    EngineHarness broker;
    std::vector<TestClient*> subscribers;
    TestClient* publisher = nullptr;
};

TEST(EngineFlowControl, AReadThatFansOutWidelyIsRoutedAcrossIterations) {
    // 300 subscribers x 60 messages of ~1 KB: one read of the publisher fans out to ~18 MB.
    // A pass stops at the worker's routing budget (8 MB, worker.h) and the rest of the read
    // follows in later iterations, after the output so far was written, so the output of
    // one pass stays small enough for the caches (docs/benchmarks.md, "Overload").
    WideFanOut wide(QoS::AtMostOnce, mqtt::Pingreq{});
    auto& [broker, subscribers, publisher_pointer] = wide;
    TestClient& publisher = *publisher_pointer;
    constexpr std::size_t kMessages = WideFanOut::kMessages;
    EXPECT_EQ(publisher.unread_input(), 0u);  // read at once, handled in parts
    const auto first_pass = indexes(subscribers.front()->take());
    EXPECT_FALSE(first_pass.empty());
    EXPECT_LT(first_pass.size(), kMessages);
    EXPECT_TRUE(publisher.take().empty());  // its PINGREQ is not handled yet

    broker.run();
    auto all = first_pass;
    const auto rest = indexes(subscribers.front()->take());
    all.insert(all.end(), rest.begin(), rest.end());
    EXPECT_EQ(all, in_order(kMessages));
    for (std::size_t i = 1; i < subscribers.size(); ++i) {
        EXPECT_EQ(indexes(subscribers[i]->take()), in_order(kMessages)) << "subscriber " << i;
    }
    const auto answers = publisher.take();
    ASSERT_EQ(answers.size(), 1u) << describe(answers);
    EXPECT_NE(answers[0].get<mqtt::Pingresp>(), nullptr);
    EXPECT_EQ(broker.dropped_worker_behind(), 0u);  // iterations took no time: not behind
}

TEST(EngineFlowControl, AWorkerFarBehindOnAPublisherDropsItsQos0AndCountsThem) {
    // As above, but the worker stays behind on the publisher for 300 ms: the rest of the
    // read is not worth routing that late, so its QoS 0 PUBLISHes are dropped (and counted)
    // instead of making every later message late too (ConnectionFlow::kShedAfter). QoS 1
    // is never dropped for it: its publisher waits for the PUBACK.
    WideFanOut wide(QoS::AtLeastOnce,
                    publish_packet("wide/y", "999999 at least once", QoS::AtLeastOnce, 9));
    auto& [broker, subscribers, publisher_pointer] = wide;
    TestClient& publisher = *publisher_pointer;
    constexpr std::size_t kMessages = WideFanOut::kMessages;
    // The step took one budget's worth; the worker is behind from now on.
    EXPECT_EQ(broker.dropped_worker_behind(), 0u);
    broker.advance(std::chrono::milliseconds(300));
    broker.run();

    const auto received = subscribers.front()->take();
    auto routed = indexes(received);
    ASSERT_FALSE(routed.empty());
    EXPECT_EQ(routed.back(), 999999u) << describe(received);  // the QoS 1 one, last
    routed.pop_back();
    EXPECT_FALSE(routed.empty());
    EXPECT_LT(routed.size(), kMessages);
    EXPECT_EQ(routed, in_order(routed.size()));  // the first ones, then nothing of the rest
    EXPECT_EQ(broker.dropped_worker_behind(), kMessages - routed.size());
    const auto answers = publisher.take();
    ASSERT_EQ(answers.size(), 1u) << describe(answers);
    ASSERT_NE(answers[0].get<mqtt::PubAck>(), nullptr);
    EXPECT_EQ(answers[0].get<mqtt::PubAck>()->packet_id, 9);
}

TEST(EngineFlowControl, AWorkerBehindOnAPublisherOfOneSubscriberDropsNothing) {
    // One subscriber per message: every read takes all it asks for (64 KB) with more waiting
    // behind it, for 300 ms, yet nothing is dropped. Receiving a message costs almost what
    // routing it to one subscriber does, so dropping would not let the worker catch up; TCP
    // back-pressure slows such a publisher instead (docs/architecture.md, "When the worker
    // itself falls behind").
    EngineHarness broker;
    TestClient& subscriber = broker.connect(connect_packet("pair-subscriber"));
    broker.subscribe(subscriber, "pair/#", QoS::AtMostOnce);
    TestClient& publisher = broker.connect(connect_packet("pair-publisher"));
    constexpr std::size_t kMessages = 300;  // ~300 KB: four whole reads and a short one
    publisher.send_bytes(publishes(kMessages, 1000, "pair/x"));
    for (int read = 0; read < 4; ++read) {
        broker.step();
        broker.advance(std::chrono::milliseconds(100));
    }
    broker.run();
    EXPECT_EQ(indexes(subscriber.take()), in_order(kMessages));
    EXPECT_EQ(broker.dropped_worker_behind(), 0u);
    EXPECT_EQ(publisher.unread_input(), 0u);
}

// A client that sends faster than it is read has its reads end inside a packet. The start
// of that packet goes in front of the next read: the connection keeps only that much, not a
// buffer the size of a read (500 such publishers held 32 MB more in a fan-in past
// capacity), and every packet arrives whole and in order, also one too large to move.
TEST(EngineFlowControl, ReadsThatEndInsideAPacketKeepOnlyItsStart) {
    EngineHarness broker;
    TestClient& subscriber = broker.connect(connect_packet("reader"));
    broker.subscribe(subscriber, "flow/#", QoS::AtMostOnce);
    TestClient& publisher = broker.connect(connect_packet("writer"));
    constexpr std::size_t kMessages = 2000;
    const auto stream = publishes(kMessages, 100, "flow/x");
    publisher.peer().set_read_chunk(40000);  // 40000 is no multiple of a packet's 112 bytes
    ASSERT_NE(40000 % (stream.size() / kMessages), 0u);
    publisher.send_bytes(stream);
    std::size_t largest = 0;
    for (int i = 0; i < 100 && publisher.unread_input() > 0; ++i) {
        broker.step();
        largest = std::max(largest, broker.input_buffer_bytes(publisher));
    }
    broker.run();
    EXPECT_EQ(indexes(subscriber.take()), in_order(kMessages));
    EXPECT_LT(largest, 1024u);  // a packet's start (< 112 bytes), not a read (40000)

    // 40 KB packets in 4 KB reads: their starts soon outgrow what is moved, and collect.
    publisher.peer().set_read_chunk(4096);
    publisher.send_bytes(publishes(3, 40000, "flow/x"));
    broker.run();
    EXPECT_EQ(indexes(subscriber.take()), in_order(3));
    EXPECT_TRUE(publisher.connected());
}

// Hostile input behind a carried packet start: a PUBLISH whose length says 268 MB (the limit
// here is 100000) arrives a byte at a time after whole packets, and a malformed length (five
// length bytes) after them on another connection. Both end their connection once the header
// is complete, as they do in one read; what came before them is delivered, nothing after.
TEST(EngineFlowControl, ALengthOverTheLimitArrivingAcrossReadsClosesTheConnection) {
    auto config = EngineHarness::default_config();
    config.max_packet_size_server = 100000;
    EngineHarness broker(config);
    TestClient& subscriber = broker.connect(connect_packet("reader"));
    broker.subscribe(subscriber, "flow/#", QoS::AtMostOnce);
    const std::vector<std::vector<std::uint8_t>> bad_headers = {
        {0x30, 0xff, 0xff, 0xff, 0x7f}, {0x30, 0xff, 0xff, 0xff, 0xff, 0x01}};
    for (std::size_t i = 0; i < bad_headers.size(); ++i) {
        TestClient& publisher = broker.connect(connect_packet("writer" + std::to_string(i)));
        auto stream = publishes(3, 100, "flow/x");
        stream.insert(stream.end(), bad_headers[i].begin(), bad_headers[i].end());
        const auto after = publishes(1, 100, "flow/x");
        stream.insert(stream.end(), after.begin(), after.end());
        publisher.peer().set_read_chunk(1);
        publisher.send_bytes(stream);
        broker.run();
        EXPECT_FALSE(publisher.connected()) << i;
        EXPECT_EQ(indexes(subscriber.take()), in_order(3)) << i;
        EXPECT_TRUE(subscriber.connected());
    }
}

TEST(EngineFlowControl, AMalformedPublishAmongDroppedOnesStillClosesTheConnection) {
    // While the worker drops a publisher's QoS 0 PUBLISHes unread (behind on it for 250 ms),
    // their fixed header is still checked: a QoS 0 PUBLISH with DUP set [MQTT-3.3.1-2] ends
    // the connection as it would otherwise.
    const std::vector<std::uint8_t> dup_at_qos0 = {0x38, 0x0b, 0x00, 0x06, 'w', 'i', 'd',
                                                   'e',  '/',  'x',  'b',  'a', 'd'};
    WideFanOut wide(QoS::AtMostOnce, dup_at_qos0);
    auto& [broker, subscribers, publisher] = wide;
    ASSERT_TRUE(publisher->connected());
    broker.advance(std::chrono::milliseconds(300));
    broker.run();
    EXPECT_GT(broker.dropped_worker_behind(), 0u);  // the rest was being dropped
    EXPECT_FALSE(publisher->connected());
    EXPECT_TRUE(subscribers.front()->connected());
}

TEST(EngineFlowControl, EitherSideOfAPauseMayGoAway) {
    EngineHarness broker(small_output_config());
    TestClient& subscriber = broker.connect(connect_packet("slow-reader"));
    broker.subscribe(subscriber, "flow/#", QoS::AtLeastOnce);
    TestClient& first = broker.connect(connect_packet("first-writer"));
    subscriber.stop_reading();
    // Whole packets per read: no packet tail waits in the broker when the reset comes (see
    // AResetPausedPublisherIsClosedWithoutWaitingForATick for that case).
    const auto stream = publishes(200, 4083, "flow/x", QoS::AtLeastOnce);
    ASSERT_EQ(stream.size(), 200u * 4096);
    first.peer().set_read_chunk(4096);
    first.send_bytes(stream);
    broker.run();
    ASSERT_GT(first.unread_input(), 0u);  // paused

    // The paused publisher goes: the subscriber drains without it.
    first.reset();
    broker.run();
    EXPECT_FALSE(first.connected());
    subscriber.start_reading();
    broker.run();
    EXPECT_FALSE(indexes(subscriber.take()).empty());
    EXPECT_TRUE(subscriber.connected());

    // The subscriber it waits for goes: the publisher is read again.
    TestClient& second = broker.connect(connect_packet("second-writer"));
    subscriber.stop_reading();
    second.send_bytes(publishes(200, 2000, "flow/x", QoS::AtLeastOnce));
    broker.run();
    ASSERT_GT(second.unread_input(), 0u);  // paused
    subscriber.reset();
    broker.run();
    EXPECT_FALSE(subscriber.connected());
    EXPECT_EQ(second.unread_input(), 0u);
    second.send(mqtt::Pingreq{});
    broker.run();
    const auto answers = second.take();
    EXPECT_EQ(count_of<mqtt::PubAck>(answers), 200u) << describe(answers);
    EXPECT_EQ(count_of<mqtt::Pingresp>(answers), 1u);
}

// A publisher paused for a subscriber holds the tail of a packet in its buffer when its
// connection is reset. The socket reports EPOLLHUP on every poll whatever the interest; the
// held bytes cannot progress, so the hang-up itself must close the connection (it once
// spun the worker's loop until the pause ended).
TEST(EngineFlowControl, AResetPausedPublisherIsClosedWithoutWaitingForATick) {
    EngineHarness broker(small_output_config());
    TestClient& subscriber = broker.connect(connect_packet("slow-reader"));
    broker.subscribe(subscriber, "flow/#", QoS::AtLeastOnce);
    TestClient& publisher = broker.connect(connect_packet("writer"));
    subscriber.stop_reading();
    // One read ends mid-packet.
    publisher.send_bytes(publishes(200, 2000, "flow/x", QoS::AtLeastOnce));
    broker.run();
    ASSERT_GT(publisher.unread_input(), 0u);  // paused
    publisher.reset();
    broker.run();
    EXPECT_FALSE(publisher.connected());
}

TEST(EngineFlowControl, DeliveriesAreWrittenBeforeTheAcknowledgementsOfTheSameIteration) {
    // Each write to a local socket also wakes its reader: acknowledgements written first
    // would delay every delivery of the iteration (docs/benchmarks.md, latency).
    EngineHarness broker;
    std::vector<TestClient*> publishers;
    std::vector<TestClient*> subscribers;
    for (int pair = 0; pair < 3; ++pair) {
        const std::string topic = "pair/" + std::to_string(pair);
        subscribers.push_back(&broker.connect(connect_packet("sub-" + std::to_string(pair))));
        broker.subscribe(*subscribers.back(), topic, QoS::AtLeastOnce);
        publishers.push_back(&broker.connect(connect_packet("pub-" + std::to_string(pair))));
    }
    for (int pair = 0; pair < 3; ++pair) {
        const std::string topic = "pair/" + std::to_string(pair);
        publishers[pair]->send(publish_packet(topic, "m", QoS::AtLeastOnce, 1));
    }
    broker.step();  // all three PUBLISHes in one iteration
    std::uint64_t last_delivery = 0;
    std::uint64_t first_ack = UINT64_MAX;
    for (int pair = 0; pair < 3; ++pair) {
        ASSERT_NE(subscribers[pair]->peer().first_write_order(), 0u) << "pair " << pair;
        ASSERT_NE(publishers[pair]->peer().first_write_order(), 0u) << "pair " << pair;
        last_delivery = std::max(last_delivery, subscribers[pair]->peer().first_write_order());
        first_ack = std::min(first_ack, publishers[pair]->peer().first_write_order());
    }
    EXPECT_LT(last_delivery, first_ack);
    for (int pair = 0; pair < 3; ++pair) {
        EXPECT_EQ(count_of<mqtt::Publish>(subscribers[pair]->take()), 1u);
        EXPECT_EQ(count_of<mqtt::PubAck>(publishers[pair]->take()), 1u);
    }
}

TEST(EngineFlowControl, PartialWritesKeepTheStreamWhole) {
    EngineHarness broker(small_output_config());
    TestClient& subscriber = broker.connect(connect_packet("trickle"));
    broker.subscribe(subscriber, "flow/#", QoS::AtMostOnce);
    TestClient& publisher = broker.connect(connect_packet("writer"));
    publisher.send_bytes(publishes(50, 1000, "flow/y"));
    std::vector<std::size_t> received;
    for (int round = 0; round < 200 && received.size() < 50; ++round) {
        subscriber.start_reading(777);  // 777 more bytes: packets leave split across writes
        broker.run();
        for (const auto index : indexes(subscriber.take()))
            received.push_back(index);
    }
    EXPECT_EQ(received, in_order(50));
}

TEST(EngineFlowControl, AClientThatTakesNoAnswersIsNotReadEither) {
    EngineHarness broker(small_output_config());
    TestClient& client = broker.connect(connect_packet("deaf"));
    client.stop_reading();
    // 40,000 PINGREQs: 80,000 bytes in, as many PINGRESP bytes out.
    constexpr std::size_t kPings = 40000;
    std::vector<std::uint8_t> pings;
    for (std::size_t i = 0; i < kPings; ++i)
        mqtt::encode(mqtt::Packet(mqtt::Pingreq{}), mqtt::ProtocolVersion::V311, pings);
    client.send_bytes(pings);
    broker.run();
    EXPECT_GT(client.unread_input(), 0u);  // reading held: its answers are not taken

    client.start_reading();
    broker.run();
    EXPECT_EQ(client.unread_input(), 0u);
    const auto answers = client.take();
    EXPECT_EQ(answers.size(), kPings);
    EXPECT_TRUE(client.connected());
}

}  // namespace
}  // namespace akasa::broker::harness
