// What a config may carry and still start (issue 16 item 2): keys we do not know (a config
// written for the Rust Akasa has some, e.g. listeners.http.swagger_ui) and combinations the
// Rust Akasa accepts are warnings naming the key, its line and the closest known key; the
// load goes on. Values of a wrong type or out of range stay errors (config_errors_test.cpp).
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "config_test_util.h"

namespace akasa::config {
namespace {

using testing_util::kMinimal;

struct WarnedConfig {
    const char* name;
    std::string yaml;
    std::vector<std::string> parts;  // each must appear in the one warning
};

void PrintTo(const WarnedConfig& warned, std::ostream* out) {
    *out << warned.name;
}

std::string with(const std::string& extra) {
    return std::string(kMinimal) + extra;
}

class ConfigWarningTest : public testing::TestWithParam<WarnedConfig> {};

TEST_P(ConfigWarningTest, LoadsAndWarnsNamingKeyLineAndClosestKey) {
    const WarnedConfig& warned = GetParam();
    std::vector<std::string> warnings;
    EXPECT_NO_THROW(parse_config_text(warned.yaml, "config", &warnings)) << warned.yaml;
    ASSERT_EQ(warnings.size(), 1u) << warned.yaml;
    for (const auto& part : warned.parts) {
        EXPECT_NE(warnings[0].find(part), std::string::npos)
            << "warning: " << warnings[0] << "\nmissing: " << part;
    }
}

// clang-format off
const WarnedConfig kWarnedConfigs[] = {
    {"UnknownTopLevelKey", with("max_alowed_qos: 1\n"),
     {"config:6: max_alowed_qos: unknown key", "did you mean \"max_allowed_qos\"?)", "ignored"}},
    {"UnknownTopLevelKeyFarFromAny", with("colour: blue\n"),
     {"config:6: colour: unknown key \"colour\""}},
    {"UnknownListener", "listeners:\n  mqtt: {addr: 127.0.0.1:1883}\n  mqttt: {addr: 127.0.0.1:1884}\n"
     "auth: {enable: false}\n",
     {"listeners.mqttt", "unknown key", "mqtt, mqtts, ws, wss, http"}},
    {"UnknownListenerKey", "listeners:\n  mqtt:\n    addr: 127.0.0.1:1883\n    adr: x\nauth: {enable: false}\n",
     {"config:4: listeners.mqtt.adr", "unknown key", "did you mean \"addr\"?)"}},
    {"AkasaSwaggerUi",
     "listeners:\n  mqtt: {addr: 127.0.0.1:1883}\n  http:\n    addr: 127.0.0.1:8081\n"
     "    swagger_ui: true\nauth: {enable: false}\n",
     {"config:5: listeners.http.swagger_ui", "unknown key", "ignored"}},
    {"UnknownHookKey", with("hook:\n  enable_before_publish: false\n"),
     {"config:7: hook.enable_before_publish", "unknown key", "enable_publish"}},
    {"UnknownAuthKey", with("  file: x\n"), {"auth.file", "unknown key"}},
    {"UnknownScramUserKey",
     with("scram_users:\n  bob: {hashed_password: aa, iterations: 4096, salt: bb, x: 1}\n"),
     {"scram_users.bob.x", "unknown key"}},
    {"UnknownTopLevelSection", with("bridges: {}\n"), {"bridges", "unknown key"}},
    {"UnknownPersistenceKey", with("persistence:\n  directory: ./data\n"),
     {"persistence.directory", "unknown key"}},
    {"OnlyTheHttpListener", "listeners:\n  http: {addr: 127.0.0.1:8081}\nauth: {enable: false}\n",
     {"listeners", "only the http listener", "no MQTT client can connect"}},
};
// clang-format on

INSTANTIATE_TEST_SUITE_P(Cases, ConfigWarningTest, testing::ValuesIn(kWarnedConfigs),
                         [](const testing::TestParamInfo<WarnedConfig>& info) {
                             return std::string(info.param.name);
                         });

TEST(ConfigWarningTest, AnUnknownKeyIsIgnoredNotApplied) {
    std::vector<std::string> warnings;
    const Config config = parse_config_text(with("max_alowed_qos: 1\n"), "config", &warnings);
    EXPECT_EQ(config.max_allowed_qos, 2);
}

TEST(ConfigWarningTest, WrongValuesStayErrors) {
    testing_util::expect_config_error(with("max_allowed_qos: 3\n"), {"max_allowed_qos", "3"});
    testing_util::expect_config_error("listeners: {}\nauth: {enable: false}\n",
                                      {"listeners", "no listener is configured"});
}

}  // namespace
}  // namespace akasa::config
