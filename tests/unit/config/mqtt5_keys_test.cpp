// The MQTT 5 keys of ours: validate_payload_format and response_information (docs/mqtt5.md).
#include <gtest/gtest.h>

#include <string>

#include "config_test_util.h"

namespace akasa::config {
namespace {

using testing_util::expect_config_error;
using testing_util::kMinimal;

TEST(Mqtt5KeysTest, DefaultsAreOff) {
    const Config config = parse_config_text(kMinimal);
    EXPECT_FALSE(config.validate_payload_format);
    EXPECT_FALSE(config.response_information.has_value());
}

TEST(Mqtt5KeysTest, BothAreRead) {
    const Config config = parse_config_text(std::string(kMinimal) +
                                            "validate_payload_format: true\n"
                                            "response_information: \"reply/{client_id}/\"\n");
    EXPECT_TRUE(config.validate_payload_format);
    EXPECT_EQ(config.response_information, std::optional<std::string>("reply/{client_id}/"));
}

TEST(Mqtt5KeysTest, NullResponseInformationMeansNone) {
    const Config config = parse_config_text(std::string(kMinimal) + "response_information: null\n");
    EXPECT_FALSE(config.response_information.has_value());
}

TEST(Mqtt5KeysTest, WrongTypesAreReportedWithTheKey) {
    expect_config_error(std::string(kMinimal) + "validate_payload_format: maybe\n",
                        {"validate_payload_format"});
    expect_config_error(std::string(kMinimal) + "response_information: [a, b]\n",
                        {"response_information"});
}

}  // namespace
}  // namespace akasa::config
