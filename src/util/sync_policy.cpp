#include "util/sync_policy.h"

#include <array>
#include <utility>

namespace akasa {
namespace {

constexpr std::array<std::pair<std::string_view, SyncPolicy>, 3> kNames = {{
    {"none", SyncPolicy::None},
    {"interval", SyncPolicy::Interval},
    {"always", SyncPolicy::Always},
}};

}  // namespace

std::string_view to_string(SyncPolicy policy) {
    for (const auto& [name, value] : kNames) {
        if (value == policy) return name;
    }
    return "unknown";
}

std::optional<SyncPolicy> parse_sync_policy(std::string_view name) {
    for (const auto& [spelling, value] : kNames) {
        if (spelling == name) return value;
    }
    return std::nullopt;
}

}  // namespace akasa
