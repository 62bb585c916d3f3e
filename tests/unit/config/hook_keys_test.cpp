// The hook keys of ours: acl_file, plugins (path + free-form options) and hook_timeout.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config_loader.h"
#include "config_test_util.h"

namespace akasa::config {
namespace {

using testing_util::expect_config_error;
using testing_util::kMinimal;

std::string with(const std::string& extra) {
    return std::string(kMinimal) + extra;
}

TEST(HookKeysTest, DefaultsAreNoAclNoPluginsAndFiveSeconds) {
    const Config config = parse_config_text(kMinimal);
    EXPECT_FALSE(config.acl_file);
    EXPECT_TRUE(config.plugins.empty());
    EXPECT_EQ(config.hook_timeout, std::chrono::seconds(5));
}

TEST(HookKeysTest, NullMeansNone) {
    const Config config = parse_config_text(with("acl_file: null\nplugins: null\n"));
    EXPECT_FALSE(config.acl_file);
    EXPECT_TRUE(config.plugins.empty());
}

TEST(HookKeysTest, ReadsAclFileAndTimeout) {
    const Config config = parse_config_text(with("acl_file: /etc/akasa/acl\nhook_timeout: 2\n"));
    ASSERT_TRUE(config.acl_file);
    EXPECT_EQ(*config.acl_file, "/etc/akasa/acl");
    EXPECT_EQ(config.hook_timeout, std::chrono::seconds(2));
}

TEST(HookKeysTest, PluginsKeepOrderAndOptionsAsText) {
    const Config config =
        parse_config_text(with("plugins:\n"
                               "  - path: /a.so\n"
                               "    options:\n"
                               "      users: \"alice:secret\"\n"
                               "      retries: 5\n"
                               "      strict: true\n"
                               "  - path: b.so\n"));
    ASSERT_EQ(config.plugins.size(), 2u);
    EXPECT_EQ(config.plugins[0].path, "/a.so");
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"users", "alice:secret"}, {"retries", "5"}, {"strict", "true"}};
    EXPECT_EQ(config.plugins[0].options, expected);
    EXPECT_EQ(config.plugins[1].path, "b.so");
    EXPECT_TRUE(config.plugins[1].options.empty());
}

TEST(HookKeysTest, ErrorsNameTheKey) {
    expect_config_error(with("acl_file: {a: 1}\n"), {"acl_file", "expected a string"});
    expect_config_error(with("plugins: /a.so\n"),
                        {"plugins", "expected a list of {path, options}"});
    expect_config_error(with("plugins:\n  - options: {}\n"), {"plugins[0].path", "required"});
    expect_config_error(with("plugins:\n  - path: \"\"\n"),
                        {"plugins[0].path", "must not be empty"});
    std::vector<std::string> warnings;  // an unknown key: a warning (config_warnings_test)
    parse_config_text(with("plugins:\n  - path: a.so\n  - path: b.so\n    opts: {}\n"), "config",
                      &warnings);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("plugins[1].opts"), std::string::npos) << warnings[0];
    expect_config_error(with("plugins:\n  - path: a.so\n    options: [1, 2]\n"),
                        {"plugins[0].options", "expected a map"});
    expect_config_error(with("plugins:\n  - path: a.so\n    options:\n      users: [a]\n"),
                        {"plugins[0].options.users", "expected a scalar value"});
    expect_config_error(with("plugins:\n  - a.so\n"), {"plugins[0]", "expected a map"});
    expect_config_error(with("hook_timeout: 0\n"), {"hook_timeout", "0"});
    expect_config_error(with("hook_timeout: 1.5\n"), {"hook_timeout", "1.5"});
}

}  // namespace
}  // namespace akasa::config
