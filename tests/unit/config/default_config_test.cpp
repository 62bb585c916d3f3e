// `akasa default-config`: the printed document must parse to exactly the defaults in
// config.h, so the two cannot drift apart unnoticed.
#include "config/default_config.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "config/config_loader.h"

namespace akasa::config {
namespace {

TEST(DefaultConfigTest, AnonymousDocumentParsesToTheDefaults) {
    Config expected;
    expected.auth.enable = false;
    expected.persistence.enable = true;  // `make run` keeps state in ./data
    EXPECT_EQ(parse_config_text(default_config_yaml(true)), expected);
}

TEST(DefaultConfigTest, AuthenticatedDocumentParsesToTheDefaults) {
    Config expected;
    expected.auth.enable = true;
    expected.auth.password_file = kDefaultPasswordFile;
    expected.persistence.enable = true;
    EXPECT_EQ(parse_config_text(default_config_yaml(false)), expected);
}

TEST(DefaultConfigTest, AuthenticatedDocumentSaysHowToCreateThePasswordFile) {
    std::string document = default_config_yaml(false);
    EXPECT_NE(document.find("akasa insert-password --create --path ./passwords"),
              std::string::npos);
}

// ws and wss are off in the default document, so their own keys appear in comments.
TEST(DefaultConfigTest, MentionsTheKeysOfTheWebSocketListeners) {
    EXPECT_NE(default_config_yaml(true).find("#  allowed_origins: null"), std::string::npos);
    EXPECT_NE(default_config_yaml(true).find("#  path: null"), std::string::npos);
}

// The round trip alone would pass if a key were left out (it would take its default), so
// check that every key is written out.
TEST(DefaultConfigTest, EveryKeyIsWrittenOut) {
    for (bool anonymous : {true, false}) {
        YAML::Node root = YAML::Load(default_config_yaml(anonymous));
        const std::vector<std::string> top_keys = {"listeners",
                                                   "auth",
                                                   "scram_users",
                                                   "sasl_mechanisms",
                                                   "check_v310_client_id_length",
                                                   "shared_subscription_mode",
                                                   "max_allowed_qos",
                                                   "inflight_timeout",
                                                   "max_inflight_client",
                                                   "max_inflight_server",
                                                   "max_in_mem_pending_messages",
                                                   "max_in_db_pending_messages",
                                                   "min_keep_alive",
                                                   "max_keep_alive",
                                                   "multiple_subscription_id_in_publish",
                                                   "max_session_expiry_interval",
                                                   "max_packet_size_client",
                                                   "max_packet_size_server",
                                                   "topic_alias_max",
                                                   "retain_available",
                                                   "shared_subscription_available",
                                                   "subscription_id_available",
                                                   "wildcard_subscription_available",
                                                   "hook",
                                                   "worker_threads",
                                                   "connect_timeout",
                                                   "v3_session_expiry_interval",
                                                   "log_level",
                                                   "log_format",
                                                   "log_file",
                                                   "log_syslog",
                                                   "max_connections",
                                                   "validate_payload_format",
                                                   "allow_session_takeover_by_other_user",
                                                   "response_information",
                                                   "acl_file",
                                                   "plugins",
                                                   "hook_timeout",
                                                   "max_topic_levels",
                                                   "max_topic_length",
                                                   "sys_interval",
                                                   "max_output_buffer_bytes",
                                                   "max_in_mem_pending_bytes",
                                                   "max_in_mem_pending_bytes_total",
                                                   "max_user_properties",
                                                   "max_user_property_bytes",
                                                   "max_topic_alias_bytes",
                                                   "max_client_id_length",
                                                   "max_subscriptions_per_client",
                                                   "max_retained_messages",
                                                   "max_retained_bytes",
                                                   "persistence"};
        for (const auto& key : top_keys)
            EXPECT_TRUE(root[key].IsDefined()) << key;
        EXPECT_EQ(root.size(), top_keys.size());
        for (const char* name : {"mqtt", "mqtts", "ws", "wss", "http"}) {
            EXPECT_TRUE(root["listeners"][name].IsDefined()) << name;
        }
        for (const char* key : {"addr", "reuse_port", "proxy_mode", "proxy_allowed_sources"}) {
            EXPECT_TRUE(root["listeners"]["mqtt"][key].IsDefined()) << key;
        }
        for (const char* key : {"addr", "reuse_port", "prometheus"}) {
            EXPECT_TRUE(root["listeners"]["http"][key].IsDefined()) << key;
        }
        for (const char* key :
             {"enable", "password_file", "hash_threads", "max_pending_logins", "max_failed_logins",
              "failed_login_window", "failed_login_block", "failed_login_addresses"}) {
            EXPECT_TRUE(root["auth"][key].IsDefined()) << key;
        }
        for (const char* key :
             {"enable_before_connect", "enable_after_connect", "enable_after_disconnect",
              "enable_publish", "enable_subscribe", "enable_unsubscribe"}) {
            EXPECT_TRUE(root["hook"][key].IsDefined()) << key;
        }
        for (const char* key : {"enable", "dir", "sync", "sync_interval_ms"}) {
            EXPECT_TRUE(root["persistence"][key].IsDefined()) << key;
        }
    }
}

}  // namespace
}  // namespace akasa::config
