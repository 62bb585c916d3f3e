// Loads real plugins built from tests/unit/hook/plugins/test_plugin.c (three variants) and
// examples/auth_plugin. Their directory comes from the AKASA_TEST_PLUGIN_DIR compile
// definition or environment variable; without it these tests are skipped (the loader's
// errors for missing and non-library files are tested regardless). Expected files:
//   test_plugin.so, test_plugin_bad_abi.so (-DTEST_PLUGIN_ABI_VERSION=999),
//   test_plugin_no_init.so (-DTEST_PLUGIN_OMIT_INIT), auth_plugin.so.
#include "hook/plugin_hook.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include "hook/hook_chain.h"
#include "hook_test_util.h"

namespace akasa::hook {
namespace {

using mqtt::ReasonCode;

std::string plugin_dir() {
#ifdef AKASA_TEST_PLUGIN_DIR
    return AKASA_TEST_PLUGIN_DIR;
#else
    const char* dir = std::getenv("AKASA_TEST_PLUGIN_DIR");
    return dir ? dir : "";
#endif
}

#define REQUIRE_PLUGIN_DIR()                                                               \
    if (plugin_dir().empty())                                                              \
    GTEST_SKIP() << "set AKASA_TEST_PLUGIN_DIR to a directory with the test plugins (see " \
                    "the top of plugin_hook_test.cpp)"

std::string plugin(const char* file) {
    return plugin_dir() + "/" + file;
}

// The PluginError message of loading `path`, or "" when it loaded.
std::string load_error(const std::string& path, const PluginOptions& options = {}) {
    try {
        PluginHook::load(path, options);
    } catch (const PluginError& e) {
        return e.what();
    }
    return "";
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(PluginLoaderTest, AMissingFileIsAClearError) {
    const std::string error = load_error("/nonexistent/dir/plugin.so");
    EXPECT_EQ(error, "plugin /nonexistent/dir/plugin.so: no such file");
}

TEST(PluginLoaderTest, AFileThatIsNotALibraryIsRefused) {
    const std::string path = ::testing::TempDir() + "not_a_plugin.so";
    {
        std::ofstream out(path);
        out << "just text\n";
    }
    const std::string error = load_error(path);
    EXPECT_EQ(error.rfind("plugin " + path + ": cannot load it: ", 0), 0u) << error;
    std::filesystem::remove(path);
}

TEST(PluginLoaderTest, HostTableAnnouncesTheAbiVersion) {
    EXPECT_EQ(PluginHook::host().abi_version, AKASA_PLUGIN_ABI_VERSION);
    EXPECT_EQ(PluginHook::host().struct_size, sizeof(akasa_plugin_host));
}

TEST(PluginLoaderTest, AnAbiMismatchNamesBothVersions) {
    REQUIRE_PLUGIN_DIR();
    const std::string error = load_error(plugin("test_plugin_bad_abi.so"));
    EXPECT_NE(error.find("built for plugin ABI version 999"), std::string::npos) << error;
    EXPECT_NE(
        error.find("this server supports version " + std::to_string(AKASA_PLUGIN_ABI_VERSION)),
        std::string::npos)
        << error;
}

TEST(PluginLoaderTest, AMissingRequiredSymbolIsNamed) {
    REQUIRE_PLUGIN_DIR();
    const std::string error = load_error(plugin("test_plugin_no_init.so"));
    EXPECT_NE(error.find("does not export the required function akasa_plugin_init"),
              std::string::npos)
        << error;
}

TEST(PluginLoaderTest, AFailingInitIsReported) {
    REQUIRE_PLUGIN_DIR();
    const std::string error = load_error(plugin("test_plugin.so"), {{"fail_init", "yes"}});
    EXPECT_NE(error.find("akasa_plugin_init failed with code 7"), std::string::npos) << error;
}

class TestPluginTest : public ::testing::Test {
  protected:
    void SetUp() override {
        REQUIRE_PLUGIN_DIR();
        // One file per process: ctest runs the tests of this fixture in parallel processes.
        marker = ::testing::TempDir() + "test_plugin_deinit_marker." + std::to_string(::getpid());
        std::filesystem::remove(marker);
        plugin_hook = PluginHook::load(plugin("test_plugin.so"), {{"deinit_marker", marker}});
        chain.add(plugin_hook);
    }

    std::string marker;
    std::shared_ptr<PluginHook> plugin_hook;
    HookChain chain;
    testing::Site s;
};

TEST_F(TestPluginTest, ImplementsExactlyTheExportedPoints) {
    EXPECT_EQ(plugin_hook->points(),
              bit(HookPoint::BeforeConnect) | bit(HookPoint::AfterConnect) |
                  bit(HookPoint::BeforePublish) | bit(HookPoint::AfterPublish) |
                  bit(HookPoint::BeforeSubscribe) | bit(HookPoint::AfterSubscribe) |
                  bit(HookPoint::BeforeUnsubscribe) | bit(HookPoint::AfterDisconnect));
    EXPECT_TRUE(chain.any_for(HookPoint::AfterDisconnect));
    EXPECT_FALSE(chain.any_for(HookPoint::AfterUnsubscribe));  // not exported: never called
}

TEST_F(TestPluginTest, WithoutTheExportNewOptionsWaitForARestart) {
    EXPECT_FALSE(plugin_hook->can_reconfigure());
    const auto error = plugin_hook->reconfigure({{"deinit_marker", "elsewhere"}});
    ASSERT_TRUE(error.has_value());
    EXPECT_NE(error->find("akasa_plugin_reconfigure"), std::string::npos);
}

TEST_F(TestPluginTest, RefusesAConnectSynchronously) {
    mqtt::Connect connect;
    connect.username = "denied";
    const ChainResult r = chain.before_connect(s.site(), connect);
    EXPECT_FALSE(r.pending);
    EXPECT_EQ(r.decision.reason, ReasonCode::NotAuthorized);
    EXPECT_EQ(r.decision.reason_string, "denied by test plugin");
}

TEST_F(TestPluginTest, AnswersAConnectFromAnotherThread) {
    mqtt::Connect connect;
    connect.username = "async";
    connect.password = "ok";
    ChainResult r = chain.before_connect(s.site(7), connect);
    ASSERT_TRUE(r.pending);
    CompletedCall done = s.poster->wait();
    EXPECT_EQ(done.call_id, 7u);
    EXPECT_FALSE(done.decision.refuses());

    connect.password = "wrong";
    ASSERT_TRUE(chain.before_connect(s.site(8), connect).pending);
    done = s.poster->wait();
    EXPECT_EQ(done.call_id, 8u);
    EXPECT_EQ(done.decision.reason, ReasonCode::BadUserNameOrPassword);
    EXPECT_EQ(done.decision.reason_string, "async says no");
}

TEST_F(TestPluginTest, AsyncIsRefusedWhenTheCallCannotWait) {
    mqtt::Connect connect;
    connect.username = "async";
    const ChainResult r = chain.before_connect(CallSite{s.session, s.arena, nullptr, 1}, connect);
    EXPECT_FALSE(r.pending);
    EXPECT_EQ(r.decision.reason, ReasonCode::ServerUnavailable);
}

TEST_F(TestPluginTest, AfterConnectSubscribesTheSession) {
    const ChainResult r = chain.after_connect(s.site(), true);
    ASSERT_EQ(r.decision.actions.size(), 1u);
    const auto& sub = std::get<SubscribeAction>(r.decision.actions[0]);
    EXPECT_EQ(sub.filter, "inbox/client-1");
    EXPECT_EQ(sub.options.qos, mqtt::QoS::AtLeastOnce);
}

TEST_F(TestPluginTest, RefusesPublishAndSubscribePerFilter) {
    mqtt::Publish p;
    p.topic = "blocked/x";
    EXPECT_EQ(chain.before_publish(s.site(), p).decision.reason, ReasonCode::NotAuthorized);
    p.topic = "open/x";
    EXPECT_FALSE(chain.before_publish(s.site(), p).decision.refuses());

    mqtt::Subscribe sub;
    sub.topics = {{"open/#", {}}, {"private/x", {}}};
    std::vector<ReasonCode> reasons(2, ReasonCode::Success);
    chain.before_subscribe(s.site(), sub, reasons);
    EXPECT_EQ(reasons, (std::vector<ReasonCode>{ReasonCode::Success, ReasonCode::NotAuthorized}));
}

TEST_F(TestPluginTest, PerThreadInitAndDeinitOnUnload) {
    chain.on_worker_start(0);
    chain.on_worker_start(1);
    chain = HookChain{};
    plugin_hook.reset();  // the last reference: deinit, then dlclose
    EXPECT_EQ(read_file(marker), "deinit after 2 thread(s)");
    std::filesystem::remove(marker);
}

class ExamplePluginTest : public ::testing::Test {
  protected:
    void SetUp() override {
        REQUIRE_PLUGIN_DIR();
        plugin_hook = PluginHook::load(
            plugin("auth_plugin.so"),
            {{"users", "alice:secret,bob:pw"}, {"rewrite_from", "legacy/"}, {"rewrite_to", "v2/"}});
        chain.add(plugin_hook);
    }

    bool rewrites(std::string topic) {
        mqtt::Publish p;
        p.topic = topic;
        return chain.before_publish(s.site(), p).changed;
    }

    ReasonCode connect_as(std::optional<std::string_view> user,
                          std::optional<std::string_view> password) {
        mqtt::Connect connect;
        connect.username = user;
        connect.password = password;
        return chain.before_connect(s.site(), connect).decision.reason;
    }

    std::shared_ptr<PluginHook> plugin_hook;
    HookChain chain;
    testing::Site s;
};

TEST_F(ExamplePluginTest, AuthenticatesAgainstItsUserList) {
    EXPECT_EQ(connect_as("alice", "secret"), ReasonCode::Success);
    EXPECT_EQ(connect_as("bob", "pw"), ReasonCode::Success);
    EXPECT_EQ(connect_as("alice", "pw"), ReasonCode::BadUserNameOrPassword);
    EXPECT_EQ(connect_as("alice", std::nullopt), ReasonCode::BadUserNameOrPassword);
    EXPECT_EQ(connect_as("carol", "secret"), ReasonCode::BadUserNameOrPassword);
    EXPECT_EQ(connect_as(std::nullopt, std::nullopt), ReasonCode::NotAuthorized);
}

TEST_F(ExamplePluginTest, RewritesTheTopicPrefix) {
    mqtt::Publish p;
    p.topic = "legacy/room/1";
    const ChainResult r = chain.before_publish(s.site(), p);
    EXPECT_TRUE(r.changed);
    EXPECT_EQ(p.topic, "v2/room/1");
    mqtt::Publish other;
    other.topic = "legacyx/1";
    EXPECT_FALSE(chain.before_publish(s.site(), other).changed);
    EXPECT_EQ(other.topic, "legacyx/1");
}

TEST_F(ExamplePluginTest, TakesNewOptionsWhileLoaded) {
    ASSERT_TRUE(plugin_hook->can_reconfigure());
    EXPECT_EQ(plugin_hook->reconfigure({{"users", "carol:pw2"}, {"allow_anonymous", "true"}}),
              std::nullopt);
    EXPECT_EQ(connect_as("carol", "pw2"), ReasonCode::Success);
    EXPECT_EQ(connect_as("alice", "secret"), ReasonCode::BadUserNameOrPassword);
    EXPECT_EQ(connect_as(std::nullopt, std::nullopt), ReasonCode::Success);
    EXPECT_FALSE(rewrites("legacy/room/1"));
}

TEST_F(ExamplePluginTest, RefusedNewOptionsLeaveTheCurrentOnes) {
    const auto error = plugin_hook->reconfigure({{"users", "nocolon"}});
    ASSERT_TRUE(error.has_value());
    EXPECT_NE(error->find("refused"), std::string::npos) << *error;
    EXPECT_EQ(connect_as("alice", "secret"), ReasonCode::Success);
    EXPECT_TRUE(rewrites("legacy/room/1"));
}

TEST(ExamplePluginOptionsTest, BadOptionsRefuseToStart) {
    REQUIRE_PLUGIN_DIR();
    EXPECT_NE(load_error(plugin("auth_plugin.so"), {}).find("akasa_plugin_init failed"),
              std::string::npos);
    EXPECT_NE(load_error(plugin("auth_plugin.so"), {{"users", "a:b"}, {"rewrite_from", "x/"}})
                  .find("akasa_plugin_init failed"),
              std::string::npos);
    EXPECT_NE(load_error(plugin("auth_plugin.so"), {{"users", "nocolon"}})
                  .find("akasa_plugin_init failed"),
              std::string::npos);
    EXPECT_EQ(load_error(plugin("auth_plugin.so"), {{"users", "a:b"}}), "");
}

}  // namespace
}  // namespace akasa::hook
