// Splitting topic names and filters into levels, as the tries of this folder walk them.
// "a//b" has three levels ("a", "", "b"); "a/" has two ("a", ""); "" has one (""). No
// allocation: each step returns a view into the caller's string.
//
//   TopicLevels levels("sport/tennis/+");
//   for (std::string_view level; levels.next(level);) { ... }
#pragma once

#include <string_view>

namespace akasa::broker {

class TopicLevels {
  public:
    explicit TopicLevels(std::string_view topic) : rest_(topic) {}

    // Stores the next level in `level` and returns true, or returns false when done.
    bool next(std::string_view& level) {
        if (done_) return false;
        auto slash = rest_.find('/');
        if (slash == std::string_view::npos) {
            level = rest_;
            done_ = true;
        } else {
            level = rest_.substr(0, slash);
            rest_.remove_prefix(slash + 1);
        }
        return true;
    }

  private:
    std::string_view rest_;
    bool done_ = false;
};

// Topics whose first level starts with '$' are never matched by a filter whose first level
// is a wildcard [MQTT-4.7.2-1].
inline bool is_dollar_level(std::string_view level) {
    return !level.empty() && level.front() == '$';
}

// A `$share/{group}/{filter}` filter split into its parts; group is empty for a plain filter.
struct ParsedFilter {
    std::string_view group;
    std::string_view filter;
};

// The caller has validated the filter. A malformed `$share/...` (no filter part) is kept as
// a plain filter rather than rejected, so this never fails.
inline ParsedFilter parse_shared_filter(std::string_view filter) {
    constexpr std::string_view kSharePrefix = "$share/";
    if (filter.substr(0, kSharePrefix.size()) != kSharePrefix) return {{}, filter};
    auto rest = filter.substr(kSharePrefix.size());
    auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0) return {{}, filter};
    return {rest.substr(0, slash), rest.substr(slash + 1)};
}

}  // namespace akasa::broker
