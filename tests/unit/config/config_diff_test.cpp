// The key-by-key comparison behind SIGHUP reloads (config_diff.h): dotted key names, which
// keys need a restart, what with_changes applies, secrets kept out of the values, every
// field of Config covered, and docs/configuration.md listing the same restart keys.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/config_diff.h"

namespace akasa::config {
namespace {

const KeyChange* find(const std::vector<KeyChange>& changes, const std::string& key) {
    for (const auto& change : changes) {
        if (change.key == key) return &change;
    }
    return nullptr;
}

ScramUser scram_user(std::uint8_t password, std::uint8_t salt) {
    ScramUser user;
    user.hashed_password = {password};
    user.salt = {salt};
    return user;
}

std::vector<std::string> keys_of(const std::vector<KeyChange>& changes) {
    std::vector<std::string> keys;
    for (const auto& change : changes)
        keys.push_back(change.key);
    return keys;
}

TEST(ConfigDiffTest, EqualConfigsHaveNoChange) {
    EXPECT_TRUE(diff_config(Config{}, Config{}).empty());
}

TEST(ConfigDiffTest, ALimitIsReloadableAndReadable) {
    Config next;
    next.max_packet_size_server = 2000;
    Config running;
    running.max_packet_size_server = 1000;
    const auto changes = diff_config(running, next);
    ASSERT_EQ(keys_of(changes), std::vector<std::string>{"max_packet_size_server"});
    EXPECT_TRUE(changes[0].reloadable);
    EXPECT_EQ(changes[0].describe(), "1000 -> 2000");
}

TEST(ConfigDiffTest, NestedAndTopLevelMemoryLimitKeysUseTheFileNames) {
    Config next;
    next.auth.max_pending_logins = 7;
    next.memory_limits.max_user_properties = 3;
    next.persistence.sync_interval = std::chrono::milliseconds(250);
    next.inflight_timeout = std::chrono::seconds(3);
    const auto changes = diff_config(Config{}, next);
    EXPECT_EQ(keys_of(changes),
              (std::vector<std::string>{"auth.max_pending_logins", "inflight_timeout",
                                        "max_user_properties", "persistence.sync_interval_ms"}));
    EXPECT_FALSE(find(changes, "auth.max_pending_logins")->reloadable);
    EXPECT_TRUE(find(changes, "max_user_properties")->reloadable);
    EXPECT_EQ(find(changes, "persistence.sync_interval_ms")->describe(), "1000 -> 250");
    EXPECT_EQ(find(changes, "inflight_timeout")->describe(), "15 -> 3");
}

TEST(ConfigDiffTest, ListenerAddressNeedsARestart) {
    Config next;
    next.listeners.mqtt->addr = SocketAddress::ipv4(0x7f000001, 1884);
    const auto changes = diff_config(Config{}, next);
    ASSERT_EQ(keys_of(changes), std::vector<std::string>{"listeners.mqtt.addr"});
    EXPECT_FALSE(changes[0].reloadable);
    EXPECT_EQ(changes[0].describe(), "127.0.0.1:1883 -> 127.0.0.1:1884");
}

TEST(ConfigDiffTest, AddingAListenerNeedsARestart) {
    Config next;
    next.listeners.mqtts = TlsListener{};
    next.listeners.http.reset();
    const auto changes = diff_config(Config{}, next);
    EXPECT_EQ(keys_of(changes), (std::vector<std::string>{"listeners.mqtts", "listeners.http"}));
    EXPECT_EQ(find(changes, "listeners.mqtts")->describe(), "null -> 127.0.0.1:8883");
    EXPECT_EQ(find(changes, "listeners.http")->describe(), "127.0.0.1:8081 -> null");
    EXPECT_FALSE(find(changes, "listeners.mqtts")->reloadable);
}

TEST(ConfigDiffTest, TlsFilesAndChecksAreReloadableTheRestOfTheListenerIsNot) {
    Config running;
    running.listeners.wss = TlsListener{};
    running.listeners.wss->cert_file = "a.crt";
    Config next = running;
    next.listeners.wss->cert_file = "b.crt";
    next.listeners.wss->verify_peer = true;
    next.listeners.wss->ca_file = "ca.crt";
    next.listeners.wss->path = "/mqtt";
    const auto changes = diff_config(running, next);
    EXPECT_TRUE(find(changes, "listeners.wss.cert_file")->reloadable);
    EXPECT_TRUE(find(changes, "listeners.wss.verify_peer")->reloadable);
    EXPECT_TRUE(find(changes, "listeners.wss.ca_file")->reloadable);
    EXPECT_EQ(find(changes, "listeners.wss.ca_file")->describe(), "null -> ca.crt");
    EXPECT_FALSE(find(changes, "listeners.wss.path")->reloadable);
}

TEST(ConfigDiffTest, APathIsReloadableSettingOrUnsettingItIsNot) {
    Config running;
    running.acl_file = "/etc/akasa/acl";
    running.auth.password_file = "/etc/akasa/passwords";
    Config moved = running;
    moved.acl_file = "/srv/acl";
    moved.auth.password_file = "/srv/passwords";
    for (const auto& change : diff_config(running, moved))
        EXPECT_TRUE(change.reloadable) << change.key;

    Config unset = running;
    unset.acl_file.reset();
    unset.auth.enable = false;
    unset.auth.password_file.reset();
    const auto changes = diff_config(running, unset);
    EXPECT_EQ(keys_of(changes),
              (std::vector<std::string>{"auth.enable", "auth.password_file", "acl_file"}));
    for (const auto& change : changes)
        EXPECT_FALSE(change.reloadable) << change.key;
}

TEST(ConfigDiffTest, WithChangesTakesOnlyTheReloadableValues) {
    Config next;
    next.max_topic_levels = 4;
    next.worker_threads = 3;
    next.log_level = LogLevel::Debug;
    next.persistence.dir = "/elsewhere";
    const Config result = with_changes(Config{}, next, diff_config(Config{}, next));
    EXPECT_EQ(result.max_topic_levels, 4);
    EXPECT_EQ(result.log_level, LogLevel::Debug);
    EXPECT_EQ(result.worker_threads, 0u);
    EXPECT_EQ(result.persistence.dir, "./data");
}

TEST(ConfigDiffTest, AChangeTheCallerMarksNotReloadableIsNotApplied) {
    Config running;
    running.plugins = {{"./p.so", {{"users", "a:1"}}}};
    Config next = running;
    next.plugins[0].options = {{"users", "a:2"}};
    auto changes = diff_config(running, next);
    ASSERT_EQ(keys_of(changes), std::vector<std::string>{"plugins[0].options"});
    EXPECT_TRUE(changes[0].reloadable);
    EXPECT_EQ(with_changes(running, next, changes).plugins[0].options, next.plugins[0].options);
    changes[0].reloadable = false;  // a plugin without akasa_plugin_reconfigure
    EXPECT_EQ(with_changes(running, next, changes).plugins[0].options, running.plugins[0].options);
}

TEST(ConfigDiffTest, PluginPathsAndTheirNumberNeedARestart) {
    Config running;
    running.plugins = {{"./a.so", {}}, {"./b.so", {}}};
    Config replaced = running;
    replaced.plugins[1] = {"./c.so", {{"k", "v"}}};
    const auto changes = diff_config(running, replaced);
    EXPECT_EQ(keys_of(changes),
              (std::vector<std::string>{"plugins[1].path", "plugins[1].options"}));
    for (const auto& change : changes)
        EXPECT_FALSE(change.reloadable) << change.key;

    Config added = running;
    added.plugins.push_back({"./c.so", {}});
    const auto more = diff_config(running, added);
    ASSERT_EQ(keys_of(more), std::vector<std::string>{"plugins"});
    EXPECT_EQ(more[0].describe(), "2 entries -> 3 entries");
}

TEST(ConfigDiffTest, SecretsStayOutOfTheValues) {
    Config running;
    running.scram_users["alice"] = scram_user(1, 2);
    running.scram_users["bob"] = scram_user(3, 4);
    running.plugins = {{"./p.so", {{"users", "alice:secret"}}}};
    Config next = running;
    next.scram_users.erase("bob");
    next.scram_users["alice"].hashed_password = {9};
    next.scram_users["carol"] = scram_user(5, 6);
    next.plugins[0].options = {{"users", "alice:other"}};
    const auto changes = diff_config(running, next);
    EXPECT_EQ(keys_of(changes),
              (std::vector<std::string>{"scram_users.alice", "scram_users.bob", "scram_users.carol",
                                        "plugins[0].options"}));
    EXPECT_EQ(find(changes, "scram_users.alice")->describe(), "changed");
    EXPECT_EQ(find(changes, "scram_users.bob")->describe(), "(secret) -> null");
    EXPECT_EQ(find(changes, "scram_users.carol")->describe(), "null -> (secret)");
    EXPECT_EQ(find(changes, "plugins[0].options")->describe(), "changed");
    const Config result = with_changes(running, next, changes);
    EXPECT_EQ(result.scram_users, next.scram_users);
}

// A Config with every field away from its default: each must be reported by its own key
// (never as kUnknownKey), and applying every change must give that Config exactly. A field
// added to Config without an entry in config_diff.cpp fails the second check at run time.
Config every_key_changed() {
    Config c;
    c.listeners.mqtt = PlainListener{.addr = SocketAddress::ipv4(0x7f000001, 1),
                                     .reuse_port = false,
                                     .proxy_mode = ProxyMode::Normal,
                                     .proxy_allowed_sources = {*IpNetwork::parse("10.0.0.0/8")},
                                     .allowed_origins = std::vector<std::string>{"https://a"},
                                     .path = "/m"};
    c.listeners.mqtts = TlsListener{.addr = SocketAddress::ipv4(0x7f000001, 2),
                                    .reuse_port = false,
                                    .proxy = true,
                                    .ca_file = "ca",
                                    .key_file = "k",
                                    .cert_file = "c",
                                    .verify_peer = true,
                                    .fail_if_no_peer_cert = true,
                                    .proxy_allowed_sources = {*IpNetwork::parse("::1")},
                                    .allowed_origins = std::vector<std::string>{},
                                    .path = "/t"};
    c.listeners.ws = c.listeners.mqtt;
    c.listeners.wss = c.listeners.mqtts;
    c.listeners.http = HttpListener{SocketAddress::ipv4(0x7f000001, 3), false, false};
    c.auth = AuthConfig{false, "p", 1, 2, 3, std::chrono::seconds(4), std::chrono::seconds(5), 6};
    c.scram_users["u"] = scram_user(1, 2);
    c.sasl_mechanisms.clear();
    c.check_v310_client_id_length = true;
    c.shared_subscription_mode = SharedSubscriptionMode::HashTopicName;
    c.max_allowed_qos = 1;
    c.inflight_timeout = std::chrono::seconds(1);
    c.max_inflight_client = 1;
    c.max_inflight_server = 2;
    c.max_in_mem_pending_messages = 3;
    c.max_in_db_pending_messages = 4;
    c.min_keep_alive = 5;
    c.max_keep_alive = 6;
    c.multiple_subscription_id_in_publish = true;
    c.max_session_expiry_interval = 7;
    c.max_packet_size_client = 8;
    c.max_packet_size_server = 9;
    c.topic_alias_max = 10;
    c.retain_available = false;
    c.shared_subscription_available = false;
    c.subscription_id_available = false;
    c.wildcard_subscription_available = false;
    c.hook = HookConfig{false, false, false, false, false, false};
    c.worker_threads = 11;
    c.connect_timeout = std::chrono::seconds(12);
    c.v3_session_expiry_interval = 13;
    c.log_level = LogLevel::Trace;
    c.log_format = LogFormat::Json;
    c.log_file = "f";
    c.log_syslog = "s";
    c.max_connections = 14;
    c.validate_payload_format = true;
    c.allow_session_takeover_by_other_user = true;
    c.response_information = "r";
    c.persistence = PersistenceConfig{true, "d", SyncPolicy::Always, std::chrono::milliseconds(15)};
    c.acl_file = "a";
    c.plugins = {{"p", {{"k", "v"}}}};
    c.hook_timeout = std::chrono::seconds(16);
    c.max_topic_levels = 17;
    c.max_topic_length = 18;
    c.sys_interval = std::chrono::seconds(19);
    c.memory_limits = MemoryLimits{65536, 20, 28, 21, 22, 23, 24, 25, 26, 27};
    return c;
}

TEST(ConfigDiffTest, EveryFieldHasItsOwnKey) {
    // Every listener present in both, so that their fields are compared one by one.
    Config running;
    running.listeners.mqtts = TlsListener{};
    running.listeners.ws = PlainListener{};
    running.listeners.wss = TlsListener{};
    const Config next = every_key_changed();
    const auto changes = diff_config(running, next);
    for (const auto& change : changes)
        EXPECT_NE(change.key, kUnknownKey);
    Config all = running;
    for (const auto& change : changes)
        change.apply(all, next);
    EXPECT_TRUE(all == next);
    // One key per changed field.
    const auto keys = keys_of(changes);
    EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), changes.size());
    EXPECT_TRUE(find(changes, "listeners.mqtt.proxy_allowed_sources"));
    EXPECT_TRUE(find(changes, "listeners.wss.fail_if_no_peer_cert"));
    EXPECT_TRUE(find(changes, "max_retained_bytes"));
    EXPECT_TRUE(find(changes, "max_in_mem_pending_bytes_total"));
    EXPECT_TRUE(find(changes, "plugins"));
}

// docs/configuration.md, "Reloading with SIGHUP": the table whose header starts with
// `| needs a restart` lists exactly restart_needed_keys() (backquoted, in its first column).
TEST(ConfigDiffTest, TheDocumentationListsTheRestartKeys) {
    const std::string path = std::string(AKASA_FIXTURES_DIR) + "/../../docs/configuration.md";
    std::ifstream file(path);
    ASSERT_TRUE(file) << "cannot read " << path;
    std::set<std::string> documented;
    bool in_section = false;
    bool in_table = false;
    std::string line;
    const std::regex key_pattern("`([^`]+)`");
    while (std::getline(file, line)) {
        if (line.starts_with("## ")) in_section = line == "## Reloading with SIGHUP";
        if (!in_section) continue;
        if (line.starts_with("| needs a restart")) {
            in_table = true;
            continue;
        }
        if (!in_table) continue;
        if (!line.starts_with("|")) break;
        const std::string first_cell = line.substr(1, line.find('|', 1) - 1);
        for (std::sregex_iterator it(first_cell.begin(), first_cell.end(), key_pattern), end;
             it != end; ++it) {
            documented.insert((*it)[1]);
        }
    }
    ASSERT_TRUE(in_table) << "no `| needs a restart` table under ## Reloading with SIGHUP in "
                          << path;
    const auto keys = restart_needed_keys();
    const std::set<std::string> expected(keys.begin(), keys.end());
    std::vector<std::string> missing, extra;
    std::set_difference(expected.begin(), expected.end(), documented.begin(), documented.end(),
                        std::back_inserter(missing));
    std::set_difference(documented.begin(), documented.end(), expected.begin(), expected.end(),
                        std::back_inserter(extra));
    EXPECT_TRUE(missing.empty()) << "restart keys missing from the docs: "
                                 << ::testing::PrintToString(missing);
    EXPECT_TRUE(extra.empty()) << "documented as needing a restart but reloadable: "
                               << ::testing::PrintToString(extra);
}

}  // namespace
}  // namespace akasa::config
