// sys_interval: seconds between $SYS publications, 0 switches them off (docs/configuration.md).
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "config_test_util.h"

namespace akasa::config {
namespace {

using testing_util::expect_config_error;
using testing_util::kMinimal;

TEST(SysIntervalKeyTest, DefaultIsMosquittos) {
    EXPECT_EQ(parse_config_text(kMinimal).sys_interval, std::chrono::seconds(10));
}

TEST(SysIntervalKeyTest, ZeroAndTheMaximumAreAccepted) {
    EXPECT_EQ(parse_config_text(std::string(kMinimal) + "sys_interval: 0\n").sys_interval,
              std::chrono::seconds(0));
    EXPECT_EQ(parse_config_text(std::string(kMinimal) + "sys_interval: 65535\n").sys_interval,
              std::chrono::seconds(65535));
}

TEST(SysIntervalKeyTest, OutOfRangeNamesTheKeyTheValueAndTheRange) {
    expect_config_error(std::string(kMinimal) + "sys_interval: 65536\n",
                        {"config:6: sys_interval", "\"65536\"", "0 to 65535"});
    expect_config_error(std::string(kMinimal) + "sys_interval: -1\n", {"sys_interval", "\"-1\""});
}

}  // namespace
}  // namespace akasa::config
