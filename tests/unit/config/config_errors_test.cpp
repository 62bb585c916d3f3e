// Every rejected document: the message must name the key path and the offending value, so a
// user can find and fix the line without reading the source.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "config_test_util.h"

namespace akasa::config {
namespace {

using testing_util::expect_config_error;
using testing_util::kMinimal;

struct BadConfig {
    const char* name;
    std::string yaml;
    std::vector<std::string> parts;  // each must appear in the message
};

// gtest prints a failing parameter with this instead of its bytes.
void PrintTo(const BadConfig& bad, std::ostream* out) {
    *out << bad.name;
}

std::string with(const std::string& extra) {
    return std::string(kMinimal) + extra;
}

std::string listener(const std::string& body) {
    return "listeners:\n  mqtt:\n" + body + "auth: {enable: false}\n";
}

class ConfigErrorTest : public testing::TestWithParam<BadConfig> {};

TEST_P(ConfigErrorTest, MessageNamesKeyAndValue) {
    const BadConfig& bad = GetParam();
    try {
        parse_config_text(bad.yaml);
        ADD_FAILURE() << "no ConfigError for:\n" << bad.yaml;
    } catch (const ConfigError& e) {
        std::string message = e.what();
        for (const auto& part : bad.parts) {
            EXPECT_NE(message.find(part), std::string::npos)
                << "message: " << message << "\nmissing: " << part;
        }
    }
}

// clang-format off
const BadConfig kBadConfigs[] = {
    {"DuplicateKey", with("max_allowed_qos: 1\nmax_allowed_qos: 2\n"),
     {"config:7: max_allowed_qos: duplicate key"}},

    // Wrong types.
    {"QuotedNumber", with("max_allowed_qos: \"2\"\n"),
     {"config:6: max_allowed_qos", "\"2\"", "quoted string", "0 to 2"}},
    {"WordForNumber", with("max_allowed_qos: two\n"), {"max_allowed_qos", "\"two\""}},
    {"FloatForNumber", with("inflight_timeout: 1.5\n"), {"inflight_timeout", "\"1.5\""}},
    {"HexNumber", with("topic_alias_max: 0x10\n"), {"topic_alias_max", "\"0x10\""}},
    {"ListForNumber", with("max_inflight_client: [1]\n"), {"max_inflight_client", "a list"}},
    {"NullForNumber", with("max_keep_alive:\n"), {"config:6: max_keep_alive", "null"}},
    {"YesForBool", with("retain_available: yes\n"), {"retain_available", "\"yes\"", "true or false"}},
    {"NumberForBool", with("hook:\n  enable_publish: 1\n"), {"hook.enable_publish", "\"1\""}},
    {"QuotedBool", listener("    addr: 127.0.0.1:1883\n    reuse_port: \"true\"\n"),
     {"listeners.mqtt.reuse_port", "\"true\""}},
    {"StringForListener", "listeners:\n  mqtt: 127.0.0.1:1883\n",
     {"listeners.mqtt", "expected a map", "\"127.0.0.1:1883\""}},
    {"ListForAddr", listener("    addr: [127.0.0.1, 1883]\n"),
     {"listeners.mqtt.addr", "expected a string", "a list"}},
    {"ScalarForSaslList", with("sasl_mechanisms: SCRAM-SHA-256\n"),
     {"sasl_mechanisms", "expected a list", "\"SCRAM-SHA-256\""}},
    {"ListForHook", with("hook: [enable_publish]\n"), {"hook", "expected a map", "a list"}},
    {"NotAMap", "- listeners\n", {"config:1", "must be a map", "a list"}},
    {"InvalidYaml", "listeners: [\n", {"config:", "invalid YAML"}},

    // Addresses.
    {"HostName", listener("    addr: localhost:1883\n"),
     {"config:3: listeners.mqtt.addr", "\"localhost:1883\"", "IPv4:port or [IPv6]:port"}},
    {"MissingPort", listener("    addr: 127.0.0.1\n"),
     {"listeners.mqtt.addr", "\"127.0.0.1\"", "port is missing"}},
    {"BadPort", listener("    addr: 127.0.0.1:70000\n"),
     {"listeners.mqtt.addr", "\"127.0.0.1:70000\"", "0 and 65535"}},
    {"UnbracketedIpv6", listener("    addr: ::1:1883\n"), {"listeners.mqtt.addr", "brackets"}},
    {"MissingAddr", listener("    reuse_port: true\n"),
     {"listeners.mqtt.addr", "required but missing"}},
    {"EmptyListenerMap", "listeners:\n  ws: {}\n", {"listeners.ws.addr", "required"}},
    {"BadHttpAddr", "listeners:\n  mqtt: {addr: 127.0.0.1:1883}\n  http: {addr: 1.2.3.4.5:80}\n",
     {"config:3: listeners.http.addr", "\"1.2.3.4.5:80\"", "not an IPv4 address"}},
    {"SharedAddress",
     "listeners:\n  mqtt: {addr: 127.0.0.1:1883}\n  ws: {addr: 127.0.0.1:1883}\n"
     "auth: {enable: false}\n",
     {"config:3: listeners.ws.addr", "127.0.0.1:1883", "already used by listeners.mqtt.addr"}},

    // Enumerations.
    {"BadProxyMode", listener("    addr: 127.0.0.1:1883\n    proxy_mode: Tls\n"),
     {"listeners.mqtt.proxy_mode", "\"Tls\"", "null, Normal, TlsTermination"}},
    {"LowercaseSharedMode", with("shared_subscription_mode: random\n"),
     {"shared_subscription_mode", "\"random\"", "Random, HashClientId, HashTopicName"}},
    {"BadLogLevel", with("log_level: verbose\n"),
     {"log_level", "\"verbose\"", "trace, debug, info, warn, error"}},
    {"BadLogFormat", with("log_format: xml\n"), {"log_format", "\"xml\"", "text, json"}},
    {"LogFileAndSyslog", with("log_file: /tmp/a.log\nlog_syslog: /dev/log\n"),
     {"log_syslog", "log_file is set too"}},
    {"LongSyslogSocket", with("log_syslog: /" + std::string(120, 's') + "\n"),
     {"log_syslog", "at most 107 bytes"}},
    {"BadSaslMechanism", with("sasl_mechanisms: [SCRAM-SHA-256, PLAIN]\n"),
     {"sasl_mechanisms[1]", "\"PLAIN\"", "SCRAM-SHA-256"}},

    // Ranges.
    {"QosThree", with("max_allowed_qos: 3\n"), {"max_allowed_qos", "\"3\"", "0 to 2"}},
    {"NegativeQos", with("max_allowed_qos: -1\n"), {"max_allowed_qos", "\"-1\"", "out of range"}},
    {"InflightClientZero", with("max_inflight_client: 0\n"),
     {"max_inflight_client", "\"0\"", "1 to 65535"}},
    {"InflightClientTooBig", with("max_inflight_client: 65536\n"),
     {"max_inflight_client", "\"65536\"", "1 to 65535"}},
    {"InflightServerZero", with("max_inflight_server: 0\n"), {"max_inflight_server", "\"0\""}},
    {"InflightServerTooBig", with("max_inflight_server: 70000\n"),
     {"max_inflight_server", "\"70000\""}},
    {"TopicAliasTooBig", with("topic_alias_max: 65536\n"),
     {"topic_alias_max", "\"65536\"", "0 to 65535"}},
    {"PacketSizeClientZero", with("max_packet_size_client: 0\n"),
     {"max_packet_size_client", "\"0\"", "1 to 268435460"}},
    {"PacketSizeServerTooBig", with("max_packet_size_server: 268435461\n"),
     {"max_packet_size_server", "\"268435461\"", "1 to 268435460"}},
    {"SessionExpiryTooBig", with("max_session_expiry_interval: 4294967296\n"),
     {"max_session_expiry_interval", "\"4294967296\""}},
    {"HugeNumber", with("max_in_mem_pending_messages: 99999999999999999999999\n"),
     {"max_in_mem_pending_messages", "out of range"}},
    {"KeepAliveTooBig", with("max_keep_alive: 65536\n"), {"max_keep_alive", "\"65536\""}},
    {"MinKeepAliveAboveMax", with("min_keep_alive: 100\nmax_keep_alive: 60\n"),
     {"config:6: min_keep_alive", "100", "max_keep_alive (60)"}},
    {"InflightTimeoutZero", with("inflight_timeout: 0\n"), {"inflight_timeout", "\"0\""}},
    {"ConnectTimeoutZero", with("connect_timeout: 0\n"), {"connect_timeout", "\"0\""}},
    {"TooManyWorkers", with("worker_threads: 5000\n"), {"worker_threads", "\"5000\"", "0 to 4096"}},
    {"NegativeMaxConnections", with("max_connections: -5\n"), {"max_connections", "\"-5\""}},

    // Auth.
    {"AuthWithoutPasswordFile",
     "listeners: {mqtt: {addr: 127.0.0.1:1883}}\nauth:\n  enable: true\n",
     {"config:3: auth.password_file", "required when auth.enable is true", "insert-password"}},
    {"AuthSectionAbsent", "listeners: {mqtt: {addr: 127.0.0.1:1883}}\n",
     {"auth.password_file", "required"}},
    {"AuthNullPasswordFile",
     "listeners: {mqtt: {addr: 127.0.0.1:1883}}\nauth: {enable: true, password_file: null}\n",
     {"auth.password_file", "required"}},
    {"EmptyPasswordFile", with("  password_file: \"\"\n"), {"auth.password_file", "empty"}},

    // Listeners present at all.
    {"ListenersMissing", "auth: {enable: false}\n", {"listeners", "required but missing"}},
    {"ListenersNull", "listeners:\nauth: {enable: false}\n",
     {"config:1: listeners", "no listener is configured", "mqtt, mqtts, ws, wss, http"}},
    {"AllListenersNull",
     "listeners: {mqtt: null, mqtts: ~, ws: null, wss: null}\nauth: {enable: false}\n",
     {"listeners", "no listener is configured"}},

    // SCRAM users.
    {"ScramIterationsTooLow",
     with("scram_users:\n  bob: {hashed_password: aa, iterations: 4095, salt: bb}\n"),
     {"config:7: scram_users.bob.iterations", "\"4095\"", "4096 to 4294967295"}},
    {"ScramHashNotHex",
     with("scram_users:\n  bob: {hashed_password: xyz1, iterations: 4096, salt: bb}\n"),
     {"scram_users.bob.hashed_password", "\"xyz1\"", "not hex"}},
    {"ScramSaltOddLength",
     with("scram_users:\n  bob: {hashed_password: aa, iterations: 4096, salt: abc}\n"),
     {"scram_users.bob.salt", "\"abc\"", "even number of hex digits"}},
    {"ScramSaltMissing", with("scram_users:\n  bob: {hashed_password: aa, iterations: 4096}\n"),
     {"scram_users.bob.salt", "required"}},
    {"ScramUserNotAMap", with("scram_users:\n  bob: secret\n"),
     {"scram_users.bob", "expected a map", "\"secret\""}},
    {"ScramUsersList", with("scram_users: [bob]\n"), {"scram_users", "expected a map"}},
};
// clang-format on

INSTANTIATE_TEST_SUITE_P(Cases, ConfigErrorTest, testing::ValuesIn(kBadConfigs),
                         [](const testing::TestParamInfo<BadConfig>& info) {
                             return std::string(info.param.name);
                         });

TEST(ConfigErrorKeyPathTest, ErrorCarriesKeyPathAndLine) {
    try {
        parse_config_text(
            "listeners:\n  mqtt:\n    addr: 127.0.0.1:1883\n    proxy_mode: Bad\n"
            "auth: {enable: false}\n",
            "my.yaml");
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.key_path(), "listeners.mqtt.proxy_mode");
        EXPECT_EQ(e.line(), 4);
        EXPECT_EQ(std::string(e.what()).rfind("my.yaml:4: listeners.mqtt.proxy_mode: ", 0), 0u)
            << e.what();
    }
}

TEST(ConfigErrorKeyPathTest, AnUnknownKeyIsNamedInTheErrorOfTheMissingKeyItCauses) {
    // `adr` is a typo of `addr`: saying only "addr is missing" would hide the real mistake.
    expect_config_error(listener("    adr: 127.0.0.1:1883\n"),
                        {"listeners.mqtt.addr", "listeners.mqtt.adr", "did you mean \"addr\"?"});
}

}  // namespace
}  // namespace akasa::config
