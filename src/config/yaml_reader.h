// Internal to the config module: strict typed reads from a yaml-cpp tree, each failure a
// ConfigError naming the key path, the value and what is allowed. yaml-cpp itself is lenient
// (it converts "yes" to a bool and "2" in quotes to an int); these readers are not, so that a
// value means what it looks like in the file.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config_loader.h"

namespace akasa::config::detail {

// Where messages say the text came from (a file path, or "config"), and on which line each
// key seen so far was written (a null value has no line of its own, its key has).
class ErrorContext {
  public:
    explicit ErrorContext(std::string source) : source_(std::move(source)) {}

    // Throws ConfigError `source:line: path: problem`. The line is that of the key `path` when
    // it was seen (a null value has no line), else that of `at`, else none.
    [[noreturn]] void fail(const YAML::Node& at, std::string_view path,
                           std::string_view problem) const;
    // The same, preferring the line of `at` (a parse error, a duplicate key).
    [[noreturn]] void fail(const YAML::Mark& at, std::string_view path,
                           std::string_view problem) const;
    // Records `source:line: path: problem` as a warning: the load goes on.
    void warn(const YAML::Mark& at, std::string_view path, std::string_view problem);
    std::vector<std::string> take_warnings() { return std::move(warnings_); }
    void remember_key(std::string path, const YAML::Mark& mark) { key_marks_[path] = mark; }
    const std::string& source() const { return source_; }

  private:
    std::optional<int> key_line(std::string_view path) const;
    [[noreturn]] void throw_error(std::optional<int> line, std::string_view path,
                                  std::string_view problem) const;

    std::string located(std::optional<int> line, std::string_view path,
                        std::string_view problem) const;

    std::string source_;
    std::map<std::string, YAML::Mark, std::less<>> key_marks_;
    std::vector<std::string> warnings_;
};

// `"text"` for a scalar (shortened when long), `a map`, `a list` or `null`: for messages.
std::string describe(const YAML::Node& node);

// Joins a parent path and a key: ("listeners", "mqtt") -> "listeners.mqtt".
std::string join_path(std::string_view parent, std::string_view key);

// Scalar readers. `node` must be defined; `path` names it in errors.
bool read_bool(const ErrorContext& ctx, const YAML::Node& node, std::string_view path);
// A plain decimal integer in [min, max].
std::uint64_t read_uint(const ErrorContext& ctx, const YAML::Node& node, std::string_view path,
                        std::uint64_t min, std::uint64_t max);
// Any scalar (plain or quoted) that is not null; `allow_empty` false rejects "".
std::string read_string(const ErrorContext& ctx, const YAML::Node& node, std::string_view path,
                        bool allow_empty = false);
// Even-length hex digits (either case), at least one byte.
std::vector<std::uint8_t> read_hex(const ErrorContext& ctx, const YAML::Node& node,
                                   std::string_view path);
bool is_null(const YAML::Node& node);

// One YAML map section. The constructor rejects a non-map (null counts as empty), keys that
// are not scalars and duplicate keys. A key not in `allowed` (an empty list allows any key) is
// a warning naming its line and the closest allowed key, and is ignored: a config written for
// the Rust Akasa (which carries keys we do not have, e.g. listeners.http.swagger_ui) starts,
// and a typo is still reported before any "missing key" complaint it would cause.
class MapReader {
  public:
    MapReader(ErrorContext& ctx, const YAML::Node& node, std::string path,
              std::initializer_list<std::string_view> allowed);

    // The value of `key`, or an undefined node (IsDefined() false) when the key is absent.
    YAML::Node get(std::string_view key) const;
    bool has(std::string_view key) const { return get(key).IsDefined(); }
    // The value of `key`; a missing key is an error saying it is required.
    YAML::Node require(std::string_view key) const;
    std::string path_of(std::string_view key) const { return join_path(path_, key); }
    const std::string& path() const { return path_; }
    const YAML::Node& node() const { return node_; }
    const ErrorContext& context() const { return ctx_; }
    // Keys in file order, with their values.
    const std::vector<std::pair<std::string, YAML::Node>>& entries() const { return entries_; }

    // Leave `out` (its default) untouched when the key is absent.
    void read(std::string_view key, bool& out) const;
    void read(std::string_view key, std::chrono::seconds& out, std::uint64_t min,
              std::uint64_t max) const;
    template <typename T>
    void read(std::string_view key, T& out, std::uint64_t min, std::uint64_t max) const {
        if (auto value = get(key); value.IsDefined()) {
            out = static_cast<T>(read_uint(ctx_, value, path_of(key), min, max));
        }
    }

  private:
    ErrorContext& ctx_;
    YAML::Node node_;
    std::string path_;
    std::vector<std::pair<std::string, YAML::Node>> entries_;
};

// The string value of `key` in `r`, or nullopt when the key is absent or null ("not set").
std::optional<std::string> read_optional_string(const MapReader& r, std::string_view key);

}  // namespace akasa::config::detail
