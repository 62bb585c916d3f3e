// Reads the YAML config file into a validated Config. Every problem is a ConfigError whose
// message reads like a compiler's: `akasa.yaml:7: listeners.mqtt.addr: "localhost:1883" is
// not ...; expected IPv4:port or [IPv6]:port`. Unknown keys, wrong types, out-of-range values
// and inconsistent combinations are all rejected: a typo never silently becomes a default.
//
//   try {
//       Config config = load_config_file(path);
//   } catch (const ConfigError& e) {
//       std::fprintf(stderr, "akasa: %s\n", e.what());
//   }
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"

namespace akasa::config {

class ConfigError : public std::runtime_error {
  public:
    ConfigError(std::string message, std::string key_path, std::optional<int> line)
        : std::runtime_error(std::move(message)), key_path_(std::move(key_path)), line_(line) {}

    // Dotted path of the offending key (`listeners.mqtt.addr`); empty for whole-file errors.
    const std::string& key_path() const { return key_path_; }
    // 1-based line in the YAML text, when known.
    std::optional<int> line() const { return line_; }

  private:
    std::string key_path_;
    std::optional<int> line_;
};

// Reads and parses the file; an unreadable file is a ConfigError naming the path and the
// OS error. Messages start with `path:line:`. `warnings` (when given) receives what does not
// stop the load, in the same form: unknown keys (ignored, with the closest known key),
// combinations the Rust Akasa accepts that mean less than they say.
Config load_config_file(const std::string& path, std::vector<std::string>* warnings = nullptr);

// Parses YAML text; `source` names it in messages (`source:line: key: problem`).
// TLS key/cert/CA files named by the text are checked for readability here too.
Config parse_config_text(std::string_view text, std::string_view source = "config",
                         std::vector<std::string>* warnings = nullptr);

}  // namespace akasa::config
