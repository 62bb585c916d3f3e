// The `persistence` section (docs/persistence.md, docs/configuration.md): absent means memory
// only, present means enabled unless `enable: false`, and each bad value is reported with its
// key path in the loader's style.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "config/config_loader.h"
#include "config_test_util.h"

namespace akasa::config {
namespace {

using testing_util::expect_config_error;
using testing_util::kMinimal;

Config parse_with(const std::string& extra) {
    return parse_config_text(std::string(kMinimal) + extra);
}

TEST(PersistenceConfigTest, AbsentSectionMeansMemoryOnly) {
    const Config config = parse_with("");
    EXPECT_FALSE(config.persistence.enable);
    EXPECT_EQ(config.persistence, PersistenceConfig{});
}

TEST(PersistenceConfigTest, NullSectionMeansMemoryOnly) {
    EXPECT_FALSE(parse_with("persistence: null\n").persistence.enable);
}

TEST(PersistenceConfigTest, SectionWithoutEnableIsEnabledWithDefaults) {
    const Config config = parse_with("persistence: {}\n");
    EXPECT_TRUE(config.persistence.enable);
    EXPECT_EQ(config.persistence.dir, "./data");
    EXPECT_EQ(config.persistence.sync, SyncPolicy::None);
    EXPECT_EQ(config.persistence.sync_interval, std::chrono::milliseconds(1000));
}

TEST(PersistenceConfigTest, EveryKeyIsRead) {
    const Config config = parse_with(
        "persistence:\n  enable: true\n  dir: /var/lib/akasa\n  sync: interval\n"
        "  sync_interval_ms: 250\n");
    EXPECT_TRUE(config.persistence.enable);
    EXPECT_EQ(config.persistence.dir, "/var/lib/akasa");
    EXPECT_EQ(config.persistence.sync, SyncPolicy::Interval);
    EXPECT_EQ(config.persistence.sync_interval, std::chrono::milliseconds(250));
    EXPECT_EQ(parse_with("persistence: {sync: always}\n").persistence.sync, SyncPolicy::Always);
    EXPECT_EQ(parse_with("persistence: {sync: none}\n").persistence.sync, SyncPolicy::None);
}

TEST(PersistenceConfigTest, EnableFalseKeepsTheOtherKeys) {
    const Config config = parse_with("persistence: {enable: false, dir: /tmp/x, sync: always}\n");
    EXPECT_FALSE(config.persistence.enable);
    EXPECT_EQ(config.persistence.dir, "/tmp/x");
    EXPECT_EQ(config.persistence.sync, SyncPolicy::Always);
}

TEST(PersistenceConfigTest, EmptyDirIsAllowedOnlyWhenDisabled) {
    expect_config_error(std::string(kMinimal) + "persistence:\n  dir: \"\"\n",
                        {"persistence.dir", "the store directory must not be empty"});
    EXPECT_FALSE(parse_with("persistence: {enable: false, dir: \"\"}\n").persistence.enable);
}

TEST(PersistenceConfigTest, BadValuesNameTheKey) {
    expect_config_error(std::string(kMinimal) + "persistence:\n  enable: yes\n",
                        {"persistence.enable", "expected true or false"});
    expect_config_error(
        std::string(kMinimal) + "persistence:\n  sync: fast\n",
        {"persistence.sync", "\"fast\" is not allowed; allowed: none, interval, always"});
    expect_config_error(std::string(kMinimal) + "persistence:\n  sync_interval_ms: 0\n",
                        {"persistence.sync_interval_ms", "out of range; allowed: 1 to 3600000"});
    expect_config_error(std::string(kMinimal) + "persistence:\n  sync_interval_ms: 3600001\n",
                        {"persistence.sync_interval_ms", "out of range"});
}

}  // namespace
}  // namespace akasa::config
