// A deliberately naive topic matcher written straight from MQTT v5 §4.7, the reference the
// randomized tests compare the tries against.
#pragma once

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace akasa::broker::testing {

inline std::vector<std::string> split_levels(std::string_view s) {
    std::vector<std::string> levels;
    std::string current;
    for (char c : s) {
        if (c == '/') {
            levels.push_back(current);
            current.clear();
        } else {
            current.push_back(c);
        }
    }
    levels.push_back(current);
    return levels;
}

// `filter` without any `$share/{group}/` prefix.
inline bool reference_match(std::string_view filter, std::string_view topic) {
    const auto f = split_levels(filter);
    const auto t = split_levels(topic);
    // [MQTT-4.7.2-1]
    if (!t[0].empty() && t[0][0] == '$' && (f[0] == "+" || f[0] == "#")) return false;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (f[i] == "#") return true;  // the rest, including nothing [MQTT-4.7.1-2]
        if (i >= t.size()) return false;
        if (f[i] != "+" && f[i] != t[i]) return false;
    }
    return f.size() == t.size();
}

// Random topics and filters over a tiny alphabet, so that matches are frequent and every
// corner (empty levels, `$` first levels, `#` after nothing) comes up.
class RandomTopics {
  public:
    explicit RandomTopics(unsigned seed) : rng_(seed) {}

    std::string topic() {
        static const char* const kLevels[] = {"a", "b", "c", "", "$s", "a$"};
        return join(1 + pick(4), [&](std::size_t) { return std::string(kLevels[pick(6)]); });
    }

    std::string filter() {
        static const char* const kLevels[] = {"a", "b", "c", "", "$s", "a$", "+", "+"};
        const std::size_t n = 1 + pick(4);
        const bool hash_tail = pick(4) == 0;
        return join(n, [&](std::size_t i) {
            if (hash_tail && i == n - 1) return std::string("#");
            return std::string(kLevels[pick(8)]);
        });
    }

    std::size_t pick(std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
    }

  private:
    template <class Level>
    static std::string join(std::size_t n, Level&& level) {
        std::string out;
        for (std::size_t i = 0; i < n; ++i) {
            if (i > 0) out.push_back('/');
            out += level(i);
        }
        return out;
    }

    std::mt19937 rng_;
};

}  // namespace akasa::broker::testing
