// 1,000 clients connecting at once, each publishing at QoS 1 and 2 and receiving every
// message of its group: nothing may be lost. One test thread drives all sockets: everything
// is sent first, then each client's expected packets are read in turn (the server buffers
// and flow-controls meanwhile, which is part of what is tested).
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/resource.h>

#include <map>

#include "support/fixture.h"

namespace akasa::testing {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;

class LoadTest : public ServerTest {};

TEST_F(LoadTest, ThousandClientsPublishAndReceiveWithoutLoss) {
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    const int kClients = 1000;
    if (limit.rlim_cur < 2 * kClients + 100) GTEST_SKIP() << "ulimit -n too low";
    const int kGroups = 50;  // 20 clients per topic: each gets 20 messages per round
    std::vector<std::unique_ptr<TestClient>> clients;
    clients.reserve(kClients);
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(std::make_unique<TestClient>(
            port(), i % 2 ? ProtocolVersion::V5 : ProtocolVersion::V311));
    }
    // CONNECTs all sent before any CONNACK is read: they arrive "at once".
    for (int i = 0; i < kClients; ++i) {
        mqtt::Connect connect;
        connect.version = clients[i]->version();
        const std::string id = "load-" + std::to_string(i);
        connect.client_id = id;
        clients[i]->send(connect);
    }
    for (auto& c : clients)
        ASSERT_EQ(c->expect<mqtt::Connack>(10s).reason_code, 0);
    for (int i = 0; i < kClients; ++i) {
        clients[i]->subscribe("load/" + std::to_string(i % kGroups), QoS::ExactlyOnce);
    }
    // Every client publishes one QoS 1 and one QoS 2 message to its group, without
    // waiting for the acknowledgements (they are collected below with the deliveries).
    std::vector<std::string> topics(kGroups);
    for (int g = 0; g < kGroups; ++g)
        topics[g] = "load/" + std::to_string(g);
    std::vector<std::string> payloads(kClients);
    for (int i = 0; i < kClients; ++i) {
        payloads[i] = std::to_string(i);
        for (int q = 1; q <= 2; ++q) {
            mqtt::Publish p;
            p.topic = topics[i % kGroups];
            p.payload = payloads[i];
            p.qos = static_cast<QoS>(q);
            p.packet_id = static_cast<std::uint16_t>(q);
            clients[i]->send(p);
        }
    }
    // Each client: 2 acks of its own + 2 messages from each of the 20 group members.
    const std::size_t per_group = kClients / kGroups;
    for (int i = 0; i < kClients; ++i) {
        std::map<std::string, int> seen;
        int acks = 0;
        std::size_t messages = 0;
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while ((acks < 2 || messages < 2 * per_group) &&
               std::chrono::steady_clock::now() < deadline) {
            auto r = clients[i]->receive(10s);
            ASSERT_TRUE(r) << "client " << i << " got " << messages << " messages, " << acks
                           << " acks";
            if (r->get<mqtt::PubAck>()) {
                ++acks;
            } else if (auto* rec = r->get<mqtt::PubRec>()) {
                clients[i]->send(mqtt::PubRel{rec->packet_id, mqtt::ReasonCode::Success, {}});
            } else if (r->get<mqtt::PubComp>()) {
                ++acks;
            } else if (auto* rel = r->get<mqtt::PubRel>()) {
                clients[i]->send(mqtt::PubComp{rel->packet_id, mqtt::ReasonCode::Success, {}});
            } else if (auto* p = r->get<mqtt::Publish>()) {
                ++messages;
                ++seen[std::string(p->payload)];
                if (p->qos == QoS::AtLeastOnce) {
                    clients[i]->send(mqtt::PubAck{p->packet_id, mqtt::ReasonCode::Success, {}});
                } else if (p->qos == QoS::ExactlyOnce) {
                    clients[i]->send(mqtt::PubRec{p->packet_id, mqtt::ReasonCode::Success, {}});
                }
            }
        }
        ASSERT_EQ(acks, 2) << "client " << i;
        ASSERT_EQ(messages, 2 * per_group) << "client " << i;
        for (std::size_t m = 0; m < per_group; ++m) {
            const auto& sender = payloads[(i % kGroups) + m * kGroups];
            EXPECT_EQ(seen[sender], 2) << "client " << i << " from " << sender;
        }
    }
}

}  // namespace
}  // namespace akasa::testing
