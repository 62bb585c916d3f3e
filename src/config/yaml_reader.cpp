#include "config/yaml_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace akasa::config::detail {
namespace {

std::optional<int> line_of(const YAML::Mark& mark) {
    if (mark.is_null() || mark.line < 0) return std::nullopt;
    return mark.line + 1;
}

// A plain (unquoted, untagged) scalar: the only kind that may be a bool or a number.
bool is_plain_scalar(const YAML::Node& node) {
    return node.IsScalar() && node.Tag() == "?";
}

// Levenshtein distance, for "did you mean" on a misspelt key.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
            diagonal = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
        }
    }
    return row[b.size()];
}

// `unknown key "x"`, then the closest allowed key when it is close, then the allowed keys
// when they are few enough to read.
std::string unknown_key_problem(std::string_view name,
                                std::initializer_list<std::string_view> allowed) {
    std::string problem = fmt::format("unknown key \"{}\"", name);
    std::string_view closest;
    std::size_t best = std::max<std::size_t>(2, name.size() / 4) + 1;
    for (std::string_view candidate : allowed) {
        std::size_t distance = edit_distance(name, candidate);
        if (distance < best) {
            best = distance;
            closest = candidate;
        }
    }
    if (!closest.empty()) problem += fmt::format(" (did you mean \"{}\"?)", closest);
    constexpr std::size_t kListable = 8;
    if (allowed.size() <= kListable) {
        problem += "; allowed keys here: ";
        bool first = true;
        for (std::string_view candidate : allowed) {
            problem += first ? "" : ", ";
            problem += candidate;
            first = false;
        }
    } else {
        problem += "; docs/configuration.md lists every key";
    }
    return problem;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

void ErrorContext::fail(const YAML::Node& at, std::string_view path,
                        std::string_view problem) const {
    std::optional<int> line = key_line(path);
    if (!line && at.IsDefined()) line = line_of(at.Mark());
    throw_error(line, path, problem);
}

void ErrorContext::fail(const YAML::Mark& at, std::string_view path,
                        std::string_view problem) const {
    std::optional<int> line = line_of(at);
    if (!line) line = key_line(path);
    throw_error(line, path, problem);
}

std::optional<int> ErrorContext::key_line(std::string_view path) const {
    auto it = key_marks_.find(path);
    return it == key_marks_.end() ? std::nullopt : line_of(it->second);
}

std::string ErrorContext::located(std::optional<int> line, std::string_view path,
                                  std::string_view problem) const {
    std::string where = line ? fmt::format("{}:{}", source_, *line) : source_;
    return path.empty() ? fmt::format("{}: {}", where, problem)
                        : fmt::format("{}: {}: {}", where, path, problem);
}

void ErrorContext::throw_error(std::optional<int> line, std::string_view path,
                               std::string_view problem) const {
    std::string message = located(line, path, problem);
    // An ignored unknown key is often why a required one is missing (`adr` for `addr`):
    // the error carries the warnings seen so far, since they are not printed otherwise.
    for (const auto& warning : warnings_)
        message += " (earlier warning: " + warning + ")";
    throw ConfigError(std::move(message), std::string(path), line);
}

void ErrorContext::warn(const YAML::Mark& at, std::string_view path, std::string_view problem) {
    std::optional<int> line = line_of(at);
    if (!line) line = key_line(path);
    warnings_.push_back(located(line, path, problem));
}

std::string describe(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return "null";
    if (node.IsMap()) return "a map";
    if (node.IsSequence()) return "a list";
    const std::string& text = node.Scalar();
    constexpr std::size_t kMax = 80;
    if (text.size() > kMax) return fmt::format("\"{}...\"", text.substr(0, kMax));
    return fmt::format("\"{}\"", text);
}

std::string join_path(std::string_view parent, std::string_view key) {
    if (parent.empty()) return std::string(key);
    return fmt::format("{}.{}", parent, key);
}

bool is_null(const YAML::Node& node) {
    return node.IsDefined() && node.IsNull();
}

bool read_bool(const ErrorContext& ctx, const YAML::Node& node, std::string_view path) {
    if (is_plain_scalar(node)) {
        const std::string& s = node.Scalar();
        if (s == "true" || s == "True" || s == "TRUE") return true;
        if (s == "false" || s == "False" || s == "FALSE") return false;
    }
    ctx.fail(node, path, fmt::format("expected true or false, got {}", describe(node)));
}

std::uint64_t read_uint(const ErrorContext& ctx, const YAML::Node& node, std::string_view path,
                        std::uint64_t min, std::uint64_t max) {
    auto out_of_range = [&] {
        ctx.fail(node, path,
                 fmt::format("{} is out of range; allowed: {} to {}", describe(node), min, max));
    };
    if (is_plain_scalar(node)) {
        const std::string& s = node.Scalar();
        std::string_view digits = s;
        bool negative = !digits.empty() && digits.front() == '-';
        if (negative) digits.remove_prefix(1);
        std::uint64_t value = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        bool all_digits = !digits.empty() && end == digits.data() + digits.size() &&
                          digits.find_first_not_of("0123456789") == std::string_view::npos;
        if (all_digits) {
            if (ec == std::errc::result_out_of_range || (negative && value != 0)) out_of_range();
            if (ec == std::errc()) {
                if (value < min || value > max) out_of_range();
                return value;
            }
        }
    }
    ctx.fail(
        node, path,
        fmt::format("expected a decimal integer from {} to {}, got {}{}", min, max, describe(node),
                    node.IsScalar() && !is_plain_scalar(node) ? " (a quoted string)" : ""));
}

std::string read_string(const ErrorContext& ctx, const YAML::Node& node, std::string_view path,
                        bool allow_empty) {
    if (!node.IsScalar()) {
        ctx.fail(node, path, fmt::format("expected a string, got {}", describe(node)));
    }
    if (!allow_empty && node.Scalar().empty()) ctx.fail(node, path, "must not be empty");
    return node.Scalar();
}

std::vector<std::uint8_t> read_hex(const ErrorContext& ctx, const YAML::Node& node,
                                   std::string_view path) {
    std::string text = read_string(ctx, node, path);
    bool valid = text.size() % 2 == 0;
    std::vector<std::uint8_t> bytes;
    bytes.reserve(text.size() / 2);
    for (std::size_t i = 0; valid && i < text.size(); i += 2) {
        int high = hex_value(text[i]);
        int low = hex_value(text[i + 1]);
        if (high < 0 || low < 0) valid = false;
        bytes.push_back(static_cast<std::uint8_t>(high * 16 + low));
    }
    if (!valid) {
        ctx.fail(node, path,
                 fmt::format("{} is not hex; expected an even number of hex digits (0-9, a-f)",
                             describe(node)));
    }
    return bytes;
}

MapReader::MapReader(ErrorContext& ctx, const YAML::Node& node, std::string path,
                     std::initializer_list<std::string_view> allowed)
    : ctx_(ctx), node_(node), path_(std::move(path)) {
    if (!node_.IsDefined() || node_.IsNull()) return;  // absent or null: no keys
    if (!node_.IsMap()) {
        ctx_.fail(node_, path_, fmt::format("expected a map of keys, got {}", describe(node_)));
    }
    for (auto it = node_.begin(); it != node_.end(); ++it) {
        YAML::Node key = it->first;  // a copy: `it->` yields a temporary proxy
        if (!key.IsScalar()) {
            ctx_.fail(key, path_, fmt::format("a key must be a plain name, got {}", describe(key)));
        }
        const std::string& name = key.Scalar();
        std::string key_path = join_path(path_, name);
        for (const auto& [seen, value] : entries_) {
            if (seen == name) {
                ctx_.fail(key.Mark(), key_path, "duplicate key (each key may appear once)");
            }
        }
        bool known = allowed.size() == 0;  // an empty list allows any key (user names)
        for (std::string_view candidate : allowed)
            known = known || candidate == name;
        if (!known) {
            ctx_.warn(key.Mark(), key_path, unknown_key_problem(name, allowed) + "; ignored");
            continue;
        }
        ctx_.remember_key(key_path, key.Mark());
        entries_.emplace_back(name, it->second);
    }
}

YAML::Node MapReader::get(std::string_view key) const {
    for (const auto& [name, value] : entries_) {
        if (name == key) return value;
    }
    return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node MapReader::require(std::string_view key) const {
    YAML::Node value = get(key);
    if (!value.IsDefined()) {
        ctx_.fail(node_, path_of(key), "is required but missing");
    }
    return value;
}

void MapReader::read(std::string_view key, bool& out) const {
    if (auto value = get(key); value.IsDefined()) out = read_bool(ctx_, value, path_of(key));
}

void MapReader::read(std::string_view key, std::chrono::seconds& out, std::uint64_t min,
                     std::uint64_t max) const {
    if (auto value = get(key); value.IsDefined()) {
        out = std::chrono::seconds(read_uint(ctx_, value, path_of(key), min, max));
    }
}

std::optional<std::string> read_optional_string(const MapReader& r, std::string_view key) {
    YAML::Node value = r.get(key);
    if (!value.IsDefined() || value.IsNull()) return std::nullopt;
    return read_string(r.context(), value, r.path_of(key));
}

}  // namespace akasa::config::detail
