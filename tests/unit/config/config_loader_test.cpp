#include "config/config_loader.h"

#include <gtest/gtest.h>

#include <string>

#include "config_test_util.h"

namespace akasa::config {
namespace {

using testing_util::expect_config_error;
using testing_util::kMinimal;
using testing_util::TempDir;

// The defaults are Akasa's (../shared/AKASA.md "Configuration file"): written out literally
// here so that changing one in config.h fails a test.
TEST(ConfigDefaultsTest, EveryAkasaKeyHasItsDocumentedDefault) {
    Config c;
    ASSERT_TRUE(c.listeners.mqtt);
    EXPECT_EQ(c.listeners.mqtt->addr.to_string(), "127.0.0.1:1883");
    EXPECT_TRUE(c.listeners.mqtt->reuse_port);
    EXPECT_EQ(c.listeners.mqtt->proxy_mode, ProxyMode::None);
    EXPECT_FALSE(c.listeners.mqtts);
    EXPECT_FALSE(c.listeners.ws);
    EXPECT_FALSE(c.listeners.wss);
    ASSERT_TRUE(c.listeners.http);
    EXPECT_EQ(c.listeners.http->addr.to_string(), "127.0.0.1:8081");
    EXPECT_TRUE(c.listeners.http->reuse_port);
    EXPECT_TRUE(c.listeners.http->prometheus);
    EXPECT_TRUE(c.auth.enable);
    EXPECT_FALSE(c.auth.password_file);
    EXPECT_TRUE(c.scram_users.empty());
    EXPECT_EQ(c.sasl_mechanisms, std::set<SaslMechanism>{SaslMechanism::ScramSha256});
    EXPECT_FALSE(c.check_v310_client_id_length);
    EXPECT_EQ(c.shared_subscription_mode, SharedSubscriptionMode::Random);
    EXPECT_EQ(c.max_allowed_qos, 2);
    EXPECT_EQ(c.inflight_timeout, std::chrono::seconds(15));
    EXPECT_EQ(c.max_inflight_client, 10);
    EXPECT_EQ(c.max_inflight_server, 10);
    EXPECT_EQ(c.max_in_mem_pending_messages, 256u);
    EXPECT_EQ(c.max_in_db_pending_messages, 65536u);
    EXPECT_EQ(c.min_keep_alive, 10);
    EXPECT_EQ(c.max_keep_alive, 65535);
    EXPECT_FALSE(c.multiple_subscription_id_in_publish);
    EXPECT_EQ(c.max_session_expiry_interval, 4294967295u);
    EXPECT_EQ(c.max_packet_size_client, 268435460u);
    EXPECT_EQ(c.max_packet_size_server, 268435460u);
    EXPECT_EQ(c.topic_alias_max, 65535);
    EXPECT_TRUE(c.retain_available);
    EXPECT_TRUE(c.shared_subscription_available);
    EXPECT_TRUE(c.subscription_id_available);
    EXPECT_TRUE(c.wildcard_subscription_available);
    EXPECT_TRUE(c.hook.enable_before_connect);
    EXPECT_TRUE(c.hook.enable_after_connect);
    EXPECT_TRUE(c.hook.enable_after_disconnect);
    EXPECT_TRUE(c.hook.enable_publish);
    EXPECT_TRUE(c.hook.enable_subscribe);
    EXPECT_TRUE(c.hook.enable_unsubscribe);
}

TEST(ConfigDefaultsTest, EveryKeyOfOursHasItsDocumentedDefault) {
    Config c;
    EXPECT_EQ(c.worker_threads, 0u);
    EXPECT_EQ(c.connect_timeout, std::chrono::seconds(10));
    EXPECT_EQ(c.v3_session_expiry_interval, 0u);
    EXPECT_EQ(c.log_level, LogLevel::Info);
    EXPECT_EQ(c.max_connections, 0u);
}

TEST(ConfigLoaderTest, AbsentKeysTakeTheirDefaults) {
    Config expected;
    expected.auth.enable = false;
    expected.listeners.http.reset();  // a listener absent from `listeners` is not started
    EXPECT_EQ(parse_config_text(kMinimal), expected);
}

TEST(ConfigLoaderTest, NullSectionsTakeTheirDefaults) {
    Config parsed = parse_config_text(std::string(kMinimal) + "hook:\nscram_users: ~\n");
    EXPECT_EQ(parsed.hook, HookConfig{});
    EXPECT_TRUE(parsed.scram_users.empty());
}

TEST(ConfigLoaderTest, ReadsEveryKeyWhenNotDefault) {
    Config c = parse_config_text(R"(
listeners:
  mqtt: {addr: "0.0.0.0:1884", reuse_port: false, proxy_mode: Normal}
  ws: {addr: "[::1]:8080", proxy_mode: TlsTermination}
  http: {addr: 127.0.0.1:9000, reuse_port: false, prometheus: false}
auth: {enable: true, password_file: /etc/akasa/passwords}
scram_users:
  alice: {hashed_password: 00FFab, iterations: 10000, salt: "73616c74"}
sasl_mechanisms: []
check_v310_client_id_length: true
shared_subscription_mode: HashTopicName
max_allowed_qos: 1
inflight_timeout: 30
max_inflight_client: 100
max_inflight_server: 65535
max_in_mem_pending_messages: 0
max_in_db_pending_messages: 1000
min_keep_alive: 0
max_keep_alive: 0
multiple_subscription_id_in_publish: true
max_session_expiry_interval: 3600
max_packet_size_client: 1
max_packet_size_server: 268435460
topic_alias_max: 0
retain_available: false
shared_subscription_available: false
subscription_id_available: false
wildcard_subscription_available: False
hook:
  enable_before_connect: false
  enable_after_connect: FALSE
  enable_after_disconnect: false
  enable_publish: false
  enable_subscribe: false
  enable_unsubscribe: false
worker_threads: 4
connect_timeout: 3
v3_session_expiry_interval: 86400
log_level: debug
max_connections: 100000
)");
    ASSERT_TRUE(c.listeners.mqtt);
    EXPECT_EQ(c.listeners.mqtt->addr.to_string(), "0.0.0.0:1884");
    EXPECT_FALSE(c.listeners.mqtt->reuse_port);
    EXPECT_EQ(c.listeners.mqtt->proxy_mode, ProxyMode::Normal);
    ASSERT_TRUE(c.listeners.ws);
    EXPECT_EQ(c.listeners.ws->addr.to_string(), "[::1]:8080");
    EXPECT_TRUE(c.listeners.ws->reuse_port);
    EXPECT_EQ(c.listeners.ws->proxy_mode, ProxyMode::TlsTermination);
    EXPECT_FALSE(c.listeners.mqtts);
    EXPECT_FALSE(c.listeners.wss);
    EXPECT_EQ(c.listeners.http,
              (HttpListener{*SocketAddress::parse("127.0.0.1:9000"), false, false}));
    EXPECT_EQ(c.auth, (AuthConfig{true, "/etc/akasa/passwords"}));
    ASSERT_EQ(c.scram_users.size(), 1u);
    const ScramUser& alice = c.scram_users.at("alice");
    EXPECT_EQ(alice.hashed_password, (std::vector<std::uint8_t>{0x00, 0xff, 0xab}));
    EXPECT_EQ(alice.iterations, 10000u);
    EXPECT_EQ(alice.salt, (std::vector<std::uint8_t>{'s', 'a', 'l', 't'}));
    EXPECT_TRUE(c.sasl_mechanisms.empty());
    EXPECT_TRUE(c.check_v310_client_id_length);
    EXPECT_EQ(c.shared_subscription_mode, SharedSubscriptionMode::HashTopicName);
    EXPECT_EQ(c.max_allowed_qos, 1);
    EXPECT_EQ(c.inflight_timeout, std::chrono::seconds(30));
    EXPECT_EQ(c.max_inflight_client, 100);
    EXPECT_EQ(c.max_inflight_server, 65535);
    EXPECT_EQ(c.max_in_mem_pending_messages, 0u);
    EXPECT_EQ(c.max_in_db_pending_messages, 1000u);
    EXPECT_EQ(c.min_keep_alive, 0);
    EXPECT_EQ(c.max_keep_alive, 0);
    EXPECT_TRUE(c.multiple_subscription_id_in_publish);
    EXPECT_EQ(c.max_session_expiry_interval, 3600u);
    EXPECT_EQ(c.max_packet_size_client, 1u);
    EXPECT_EQ(c.max_packet_size_server, 268435460u);
    EXPECT_EQ(c.topic_alias_max, 0);
    EXPECT_FALSE(c.retain_available);
    EXPECT_FALSE(c.shared_subscription_available);
    EXPECT_FALSE(c.subscription_id_available);
    EXPECT_FALSE(c.wildcard_subscription_available);
    HookConfig all_off{false, false, false, false, false, false};
    EXPECT_EQ(c.hook, all_off);
    EXPECT_EQ(c.worker_threads, 4u);
    EXPECT_EQ(c.connect_timeout, std::chrono::seconds(3));
    EXPECT_EQ(c.v3_session_expiry_interval, 86400u);
    EXPECT_EQ(c.log_level, LogLevel::Debug);
    EXPECT_EQ(c.max_connections, 100000u);
}

TEST(ConfigLoaderTest, SharedSubscriptionModesAndLogLevelsByName) {
    auto mode = [](const char* name) {
        return parse_config_text(std::string(kMinimal) + "shared_subscription_mode: " + name)
            .shared_subscription_mode;
    };
    EXPECT_EQ(mode("Random"), SharedSubscriptionMode::Random);
    EXPECT_EQ(mode("HashClientId"), SharedSubscriptionMode::HashClientId);
    EXPECT_EQ(mode("HashTopicName"), SharedSubscriptionMode::HashTopicName);
    auto level = [](const char* name) {
        return parse_config_text(std::string(kMinimal) + "log_level: " + name).log_level;
    };
    EXPECT_EQ(level("trace"), LogLevel::Trace);
    EXPECT_EQ(level("debug"), LogLevel::Debug);
    EXPECT_EQ(level("info"), LogLevel::Info);
    EXPECT_EQ(level("warn"), LogLevel::Warn);
    EXPECT_EQ(level("error"), LogLevel::Error);
}

TEST(ConfigLoader, LogDestinationKeys) {
    const Config defaults = parse_config_text(kMinimal);
    EXPECT_EQ(defaults.log_format, LogFormat::Text);
    EXPECT_FALSE(defaults.log_file);
    EXPECT_FALSE(defaults.log_syslog);
    const Config file = parse_config_text(std::string(kMinimal) +
                                          "log_format: json\nlog_file: /var/log/akasa.log\n");
    EXPECT_EQ(file.log_format, LogFormat::Json);
    EXPECT_EQ(file.log_file, "/var/log/akasa.log");
    const Config syslog = parse_config_text(std::string(kMinimal) + "log_syslog: /dev/log\n");
    EXPECT_EQ(syslog.log_syslog, "/dev/log");
    EXPECT_FALSE(syslog.log_file);
}

TEST(ConfigLoaderTest, AuthPasswordFileMayBeNullWhenAuthIsDisabled) {
    Config c = parse_config_text(
        "listeners: {mqtt: {addr: 127.0.0.1:1883}}\nauth: {enable: false, password_file: null}\n");
    EXPECT_FALSE(c.auth.enable);
    EXPECT_FALSE(c.auth.password_file);
}

TEST(ConfigLoaderTest, ListenersOnPortZeroDoNotCollide) {
    Config c = parse_config_text(
        "listeners:\n  mqtt: {addr: 127.0.0.1:0}\n  ws: {addr: 127.0.0.1:0}\n"
        "auth: {enable: false}\n");
    EXPECT_TRUE(c.listeners.mqtt && c.listeners.ws);
}

// ----- load_config_file -----

TEST(ConfigFileTest, LoadsAFile) {
    TempDir dir;
    std::string path = dir.write("akasa.yaml", kMinimal);
    EXPECT_EQ(load_config_file(path), parse_config_text(kMinimal));
}

TEST(ConfigFileTest, MessagesStartWithTheFilePathAndLine) {
    TempDir dir;
    std::string path = dir.write("akasa.yaml", std::string(kMinimal) + "max_allowed_qos: 3\n");
    try {
        load_config_file(path);
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).rfind(path + ":6: max_allowed_qos: ", 0), 0u) << e.what();
        EXPECT_EQ(e.key_path(), "max_allowed_qos");
        EXPECT_EQ(e.line(), 6);
    }
}

TEST(ConfigFileTest, MissingFileNamesPathAndOsError) {
    TempDir dir;
    std::string path = (dir.path() / "absent.yaml").string();
    try {
        load_config_file(path);
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        std::string message = e.what();
        EXPECT_NE(message.find(path), std::string::npos) << message;
        EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
    }
}

TEST(ConfigFileTest, DirectoryIsNotAConfigFile) {
    TempDir dir;
    try {
        load_config_file(dir.path().string());
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("directory"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace akasa::config
