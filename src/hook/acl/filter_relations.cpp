#include "hook/acl/filter_relations.h"

#include <optional>

namespace akasa::hook::acl {

namespace {

// Yields the '/'-separated levels of a filter one by one (empty levels included).
class Levels {
  public:
    explicit Levels(std::string_view filter) : rest_(filter) {}
    std::optional<std::string_view> next() {
        if (done_) return std::nullopt;
        const auto slash = rest_.find('/');
        std::string_view level = rest_.substr(0, slash);
        if (slash == std::string_view::npos) {
            done_ = true;
        } else {
            rest_.remove_prefix(slash + 1);
        }
        return level;
    }

  private:
    std::string_view rest_;
    bool done_ = false;
};

bool is_wildcard(std::string_view level) {
    return level == "+" || level == "#";
}

bool is_dollar_literal(std::string_view level) {
    return !level.empty() && level.front() == '$';
}

}  // namespace

bool filter_covers(std::string_view outer, std::string_view inner) {
    Levels o_levels(outer);
    Levels i_levels(inner);
    for (bool first = true;; first = false) {
        const auto o = o_levels.next();
        if (!o) return !i_levels.next();
        if (*o == "#") {
            // '#' covers the parent level and everything below, except '$' topics at the root.
            if (!first) return true;
            const auto i = i_levels.next();
            return !i || !is_dollar_literal(*i);
        }
        const auto i = i_levels.next();
        if (!i || *i == "#") return false;
        if (*o == "+") {
            if (first && is_dollar_literal(*i)) return false;
            continue;
        }
        if (*o != *i) return false;
    }
}

bool filters_overlap(std::string_view a, std::string_view b) {
    Levels a_levels(a);
    Levels b_levels(b);
    for (bool first = true;; first = false) {
        const auto x = a_levels.next();
        const auto y = b_levels.next();
        if (!x && !y) return true;
        // "a/#" also matches "a": a filter that ended overlaps one whose next level is '#'.
        if (!x) return *y == "#";
        if (!y) return *x == "#";
        if (first && ((is_wildcard(*x) && is_dollar_literal(*y)) ||
                      (is_wildcard(*y) && is_dollar_literal(*x)))) {
            return false;
        }
        if (*x == "#" || *y == "#") return true;
        if (*x == "+" || *y == "+") continue;
        if (*x != *y) return false;
    }
}

}  // namespace akasa::hook::acl
