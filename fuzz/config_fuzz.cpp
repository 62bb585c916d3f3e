// libFuzzer target for the config loader (config/config_loader.h: parse_config_text, the
// YAML text load_config_file() reads, with every key's validation), see fuzz/README.md.
// Input: a config file. Paths it names (TLS files) are only checked for readability.
// Properties checked, aborting on a violation (ASan/UBSan check memory and UB):
//  1. The text either gives a Config or a ConfigError whose message starts with the source
//     name; any other exception (a yaml-cpp conversion error, std::out_of_range...) escaping
//     is a finding: it would reach the user without the key and the problem named.
#include <cstdint>
#include <string_view>

#include "config/config_loader.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        (void)akasa::config::parse_config_text(text, "fuzz.yaml");
    } catch (const akasa::config::ConfigError& e) {
        if (!std::string_view(e.what()).starts_with("fuzz.yaml")) {
            akasa::fuzz::fail("config_fuzz", "a config error without the source name");
        }
    }
    return 0;
}
