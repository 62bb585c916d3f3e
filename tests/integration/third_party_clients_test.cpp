// The same flows with real third-party clients: mosquitto_pub / mosquitto_sub (Debian
// mosquitto-clients) and Python paho-mqtt (python3-paho-mqtt), for 3.1.1 and 5.0.
// Skipped when the client is not installed (scripts/install-deps installs both).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "support/fixture.h"

namespace akasa::testing {
namespace {

// Runs a shell command and returns its stdout and exit status.
std::pair<std::string, int> run(const std::string& command) {
    std::string output;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return {"", -1};
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe))
        output.append(buf, n);
    int status = ::pclose(pipe);
    return {output, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

bool have(const char* program) {
    return run(std::string("command -v ") + program + " >/dev/null 2>&1; echo $?").first == "0\n";
}

class MosquittoClientsTest : public ServerTest, public ::testing::WithParamInterface<const char*> {
  protected:
    void SetUp() override {
        if (!have("mosquitto_sub") || !have("mosquitto_pub")) {
            GTEST_SKIP() << "mosquitto-clients not installed";
        }
        ServerTest::SetUp();
    }
    std::string common() const {
        return std::string(" -h 127.0.0.1 -p ") + std::to_string(port()) + " -V " + GetParam();
    }
};

TEST_P(MosquittoClientsTest, PersistentSubscriberGetsQueuedMessages) {
    const bool v5 = std::string(GetParam()) == "mqttv5";
    const std::string session =
        " -c -i mosq-sub-" + std::string(GetParam()) + (v5 ? " -x 600" : "") + " -q 2 -t 'tp/#'";
    // Create the persistent session with its subscription, then leave (-E).
    auto [created, rc1] = run("mosquitto_sub" + common() + session + " -E 2>&1");
    ASSERT_EQ(rc1, 0) << created;
    for (int qos = 0; qos <= 2; ++qos) {
        auto [out, rc] =
            run("mosquitto_pub" + common() + " -q " + std::to_string(qos) + " -t tp/q" +
                std::to_string(qos) + " -m m" + std::to_string(qos) + " 2>&1");
        ASSERT_EQ(rc, 0) << out;
    }
    // Back: the QoS 1 and 2 messages were queued (QoS 0 is not kept offline).
    auto [received, rc2] = run("mosquitto_sub" + common() + session + " -v -C 2 -W 10 2>&1");
    EXPECT_EQ(rc2, 0) << received;
    EXPECT_EQ(received, "tp/q1 m1\ntp/q2 m2\n");
}

TEST_P(MosquittoClientsTest, RetainedMessageReachesANewSubscriber) {
    auto [out, rc] = run("mosquitto_pub" + common() + " -r -q 1 -t ret/x -m kept 2>&1");
    ASSERT_EQ(rc, 0) << out;
    auto [received, rc2] = run("mosquitto_sub" + common() + " -q 1 -t 'ret/#' -v -C 1 -W 10 2>&1");
    EXPECT_EQ(rc2, 0) << received;
    EXPECT_EQ(received, "ret/x kept\n");
}

INSTANTIATE_TEST_SUITE_P(Versions, MosquittoClientsTest, ::testing::Values("mqttv311", "mqttv5"));

constexpr const char* kPahoScript = R"PY(
import sys, threading
import paho.mqtt.client as mqtt
port, version = int(sys.argv[1]), sys.argv[2]
proto = mqtt.MQTTv5 if version == "5" else mqtt.MQTTv311
got = threading.Event()
out = []
c = mqtt.Client(client_id="paho-" + version, protocol=proto)
def on_connect(client, userdata, flags, rc, props=None):
    client.subscribe("paho/t", qos=2)
def on_subscribe(client, userdata, mid, granted, props=None):
    client.publish("paho/t", "hello-" + version, qos=2)
def on_message(client, userdata, message):
    out.append("%s %s %d" % (message.topic, message.payload.decode(), message.qos))
    got.set()
c.on_connect, c.on_subscribe, c.on_message = on_connect, on_subscribe, on_message
c.connect("127.0.0.1", port)
c.loop_start()
ok = got.wait(10)
c.disconnect()
c.loop_stop()
print(out[0] if ok else "TIMEOUT")
)PY";

class PahoTest : public ServerTest, public ::testing::WithParamInterface<const char*> {
  protected:
    void SetUp() override {
        if (run("/usr/bin/python3 -c 'import paho.mqtt.client' 2>&1; echo $?").first.find("0\n") ==
            std::string::npos) {
            GTEST_SKIP() << "python3-paho-mqtt not installed";
        }
        ServerTest::SetUp();
    }
};

TEST_P(PahoTest, SubscribePublishQoS2RoundTrip) {
    const std::string script = server.dir() + "/paho_roundtrip.py";
    FILE* f = std::fopen(script.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(kPahoScript, f);
    std::fclose(f);
    auto [out, rc] = run("/usr/bin/python3 " + script + " " + std::to_string(port()) + " " +
                         GetParam() + " 2>&1");
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(out, std::string("paho/t hello-") + GetParam() + " 2\n");
}

INSTANTIATE_TEST_SUITE_P(Versions, PahoTest, ::testing::Values("311", "5"));

}  // namespace
}  // namespace akasa::testing
