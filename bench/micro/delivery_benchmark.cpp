// The delivery path of one worker, without its thread: Worker::route matches a message and
// hands it to each subscriber's connection (deliver, write_delivery, the connection's
// output limits), which appends it to its output; every 64 messages the output is flushed
// into a socketpair whose other end the benchmark drains, as the loop does once per
// iteration. Also the session queue of an offline subscriber (enqueue and drain).
// Run: build/akasa_microbench --benchmark_filter='Deliver|Queue'
#include <benchmark/benchmark.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "broker/broker_context.h"
#include "broker/connection/client_connection.h"
#include "broker/session/outbox.h"
#include "broker/worker/worker.h"
#include "mqtt/encoder.h"
#include "net/transport.h"

namespace {

using namespace akasa;

config::Config bench_config() {
    config::Config config;
    config.auth.enable = false;
    config.listeners.http.reset();
    return config;
}

// One worker (not started) with `subscribers` connected 3.1.1 clients subscribed to
// bench/topic at QoS 0, each over a socketpair.
struct DeliveryFixture {
    broker::BrokerContext context{bench_config(), nullptr};
    std::unique_ptr<broker::Worker> worker;
    std::vector<std::unique_ptr<broker::ClientConnection>> connections;
    std::vector<int> peers;  // the clients' ends

    std::size_t drained = 0;  // bytes the clients received

    explicit DeliveryFixture(int subscribers) {
        spdlog::set_level(spdlog::level::off);
        context.hooks = std::make_unique<broker::HookServices>(context.startup_config());
        worker = std::make_unique<broker::Worker>(context, 0);
        for (int i = 0; i < subscribers; ++i) {
            int fds[2];
            ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds);
            auto connection = std::make_unique<broker::ClientConnection>(
                *worker, std::make_unique<net::TcpTransport>(fds[0], "bench"));
            std::vector<std::uint8_t> packets;
            mqtt::Connect connect;
            const std::string id = "sub-" + std::to_string(i);
            connect.client_id = id;
            connect.clean_start = true;
            mqtt::encode(connect, packets);
            mqtt::Subscribe subscribe;
            subscribe.packet_id = 1;
            subscribe.topics.push_back({"bench/topic", {}});
            mqtt::encode(subscribe, mqtt::ProtocolVersion::V311, packets);
            (void)::write(fds[1], packets.data(), packets.size());
            connection->on_io(EPOLLIN);
            connection->flush();
            connections.push_back(std::move(connection));
            peers.push_back(fds[1]);
        }
        drain();
        drained = 0;
    }
    ~DeliveryFixture() {
        connections.clear();
        worker.reset();
        for (int fd : peers)
            ::close(fd);
    }

    void flush_and_drain() {
        for (auto& connection : connections)
            connection->flush();
        drain();
    }
    void drain() {
        static std::vector<std::uint8_t> sink(1 << 20);
        for (int fd : peers) {
            for (ssize_t n; (n = ::read(fd, sink.data(), sink.size())) > 0;)
                drained += static_cast<std::size_t>(n);
        }
    }
};

void deliver_loop(benchmark::State& state, int subscribers, std::size_t payload_size) {
    DeliveryFixture fixture(subscribers);
    const std::string payload(payload_size, 'x');
    auto message = broker::Message::create("bench/topic", payload, mqtt::QoS::AtMostOnce, false, 0);
    std::size_t n = 0;
    for (auto _ : state) {
        fixture.worker->route(message);
        if (++n % 64 == 0) fixture.flush_and_drain();
    }
    fixture.flush_and_drain();
    // Proof that the messages arrived: bytes per delivery on the wire.
    state.counters["wire_bytes"] = static_cast<double>(fixture.drained) /
                                   static_cast<double>(state.iterations() * subscribers);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * subscribers);
}

void BM_DeliverQoS0_64B_1Subscriber(benchmark::State& state) {
    deliver_loop(state, 1, 64);
}
void BM_DeliverQoS0_64B_16Subscribers(benchmark::State& state) {
    deliver_loop(state, 16, 64);
}
BENCHMARK(BM_DeliverQoS0_64B_1Subscriber);
BENCHMARK(BM_DeliverQoS0_64B_16Subscribers);

// An offline session's queue: 256 QoS 1 deliveries queued, then taken out in order.
void BM_QueueEnqueueDrain256(benchmark::State& state) {
    auto message = broker::Message::create("bench/topic", std::string(64, 'x'),
                                           mqtt::QoS::AtLeastOnce, false, 0);
    broker::Outbox outbox;
    const auto now = broker::Clock::now();
    std::size_t expired = 0;
    for (auto _ : state) {
        for (int i = 0; i < 256; ++i) {
            broker::Delivery delivery;
            delivery.message = message;
            delivery.qos = mqtt::QoS::AtLeastOnce;
            benchmark::DoNotOptimize(outbox.enqueue(std::move(delivery), 256));
        }
        while (auto next = outbox.next_pending(now, expired))
            benchmark::DoNotOptimize(next->message.get());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 256);
}
BENCHMARK(BM_QueueEnqueueDrain256);

}  // namespace
