#include "mqtt/topic.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace akasa::mqtt {

namespace {

constexpr std::string_view kSharePrefix = "$share/";

bool is_valid_plain_filter(std::string_view filter) {
    if (filter.empty()) return false;
    size_t level_start = 0;
    for (size_t i = 0; i <= filter.size(); ++i) {
        if (i < filter.size() && filter[i] != '/') {
            if (filter[i] == '\0') return false;
            continue;
        }
        const std::string_view level = filter.substr(level_start, i - level_start);
        if (level.size() > 1 && level.find_first_of("+#") != std::string_view::npos) return false;
        if (level == "#" && i != filter.size()) return false;  // '#' must be last
        level_start = i + 1;
    }
    return true;
}

}  // namespace

bool validate_topic_name(std::string_view topic) {
    if (topic.empty()) return false;
    // Every PUBLISH goes through here: test 8 bytes at a time for '+', '#' or NUL, using the
    // "word has a zero byte" trick on the word XORed with each byte value.
    constexpr uint64_t kOnes = 0x0101010101010101ull;
    constexpr uint64_t kHigh = 0x8080808080808080ull;
    const auto has_zero_byte = [](uint64_t w) { return ((w - kOnes) & ~w & kHigh) != 0; };
    size_t i = 0;
    for (; i + 8 <= topic.size(); i += 8) {
        uint64_t word;
        std::memcpy(&word, topic.data() + i, 8);
        if (has_zero_byte(word) || has_zero_byte(word ^ (kOnes * '+')) ||
            has_zero_byte(word ^ (kOnes * '#'))) {
            return false;
        }
    }
    for (; i < topic.size(); ++i) {
        const char c = topic[i];
        if (c == '+' || c == '#' || c == '\0') return false;
    }
    return true;
}

bool validate_topic_filter(std::string_view filter) {
    if (!filter.starts_with(kSharePrefix)) return is_valid_plain_filter(filter);
    return parse_shared_subscription(filter).has_value();
}

std::optional<SharedSubscription> parse_shared_subscription(std::string_view filter) {
    if (!filter.starts_with(kSharePrefix)) return std::nullopt;
    const std::string_view rest = filter.substr(kSharePrefix.size());
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0) return std::nullopt;
    const std::string_view group = rest.substr(0, slash);
    if (group.find_first_of(std::string_view("+#\0", 3)) != std::string_view::npos) {
        return std::nullopt;
    }
    const std::string_view inner = rest.substr(slash + 1);
    if (!is_valid_plain_filter(inner)) return std::nullopt;
    return SharedSubscription{group, inner};
}

bool topic_matches_filter(std::string_view topic, std::string_view filter) {
    if (!topic.empty() && topic.front() == '$' && !filter.empty() &&
        (filter.front() == '+' || filter.front() == '#')) {
        return false;  // [MQTT-4.7.2-1]
    }
    size_t t = 0, f = 0;
    while (true) {
        const size_t f_end = std::min(filter.find('/', f), filter.size());
        const std::string_view f_level = filter.substr(f, f_end - f);
        if (f_level == "#") return true;  // matches this level, the parent and all below
        const size_t t_end = std::min(topic.find('/', t), topic.size());
        const std::string_view t_level = topic.substr(t, t_end - t);
        if (f_level != "+" && f_level != t_level) return false;
        const bool topic_done = t_end == topic.size();
        const bool filter_done = f_end == filter.size();
        if (filter_done) return topic_done;
        if (topic_done) {
            // "a" matches "a/#": the filter's next (and last) level is '#'.
            return filter.substr(f_end + 1) == "#";
        }
        t = t_end + 1;
        f = f_end + 1;
    }
}

}  // namespace akasa::mqtt
