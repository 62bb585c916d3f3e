#include "hook/acl/acl_rules.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "hook/acl/filter_relations.h"
#include "mqtt/topic.h"

namespace akasa::hook::acl {

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back()))
        s.remove_suffix(1);
    return s;
}

// Splits off the first word; `rest` keeps what follows it, trimmed.
std::string_view next_word(std::string_view& rest) {
    std::size_t end = 0;
    while (end < rest.size() && !is_blank(rest[end]))
        ++end;
    std::string_view word = rest.substr(0, end);
    rest = trim(rest.substr(end));
    return word;
}

std::optional<Permission> parse_permission(std::string_view word) {
    if (word == "read") return Permission::Read;
    if (word == "write") return Permission::Write;
    if (word == "readwrite") return Permission::ReadWrite;
    if (word == "deny") return Permission::Deny;
    return std::nullopt;
}

bool grants(Permission permission, Access access) {
    const auto bits = static_cast<unsigned>(permission);
    switch (access) {
        case Access::Read:
        case Access::Subscribe:
            return (bits & static_cast<unsigned>(Permission::Read)) != 0;
        case Access::Write:
            return (bits & static_cast<unsigned>(Permission::Write)) != 0;
    }
    return false;
}

bool has_wildcard_char(std::string_view s) {
    return s.find_first_of("+#") != std::string_view::npos;
}

// Does a rule's filter apply to this access? For Subscribe, `target` is a filter.
bool rule_applies(std::string_view rule_filter, std::string_view target, Access access, bool deny) {
    if (access != Access::Subscribe) return mqtt::topic_matches_filter(target, rule_filter);
    return deny ? filter_covers(rule_filter, target) : filters_overlap(rule_filter, target);
}

std::string substitute(std::string_view pattern, std::optional<std::string_view> username,
                       std::string_view client_id) {
    std::string out;
    out.reserve(pattern.size() + 16);
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '%' && i + 1 < pattern.size()) {
            if (pattern[i + 1] == 'c') {
                out += client_id;
                ++i;
                continue;
            }
            if (pattern[i + 1] == 'u' && username) {
                out += *username;
                ++i;
                continue;
            }
        }
        out += pattern[i];
    }
    return out;
}

// One list's decision, as mosquitto makes it: its deny rules first (one that applies
// denies), then its grants (one that applies and grants the access allows); nullopt when
// neither, and the next list decides. A rule that applies but grants only the other access
// decides nothing.
std::optional<bool> decide(const std::vector<AclRule>& rules, std::string_view target,
                           Access access) {
    for (const AclRule& rule : rules) {
        if (rule.permission == Permission::Deny && rule_applies(rule.filter, target, access, true))
            return false;
    }
    for (const AclRule& rule : rules) {
        if (rule.permission != Permission::Deny && grants(rule.permission, access) &&
            rule_applies(rule.filter, target, access, false)) {
            return true;
        }
    }
    return std::nullopt;
}

bool uses_username(std::string_view pattern) {
    return pattern.find("%u") != std::string_view::npos;
}

bool uses_client_id(std::string_view pattern) {
    return pattern.find("%c") != std::string_view::npos;
}

// A name that would span or widen topic levels once substituted: `a/cmd` in `devices/%c/#`
// would grant `devices/a/cmd/#`, a part of client `a`'s space.
bool spans_levels(std::string_view name) {
    return name.find_first_of("/+#") != std::string_view::npos;
}

}  // namespace

AclRules AclRules::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw AclFileError(
            fmt::format("{}: cannot open the ACL file: {}", path, std::strerror(errno)),
            std::nullopt);
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw AclFileError(fmt::format("{}: cannot read the ACL file", path), std::nullopt);
    }
    return parse(text.str(), path);
}

AclRules AclRules::parse(std::string_view text, std::string_view source) {
    AclRules rules;
    std::vector<AclRule>* section = &rules.anonymous_;
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const auto newline = text.find('\n');
        std::string_view line = trim(text.substr(0, newline));
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        if (line.empty() || line.front() == '#') continue;

        auto fail = [&](const std::string& why) {
            return AclFileError(fmt::format("{}:{}: {}", source, line_number, why), line_number);
        };
        if (line.find('\0') != std::string_view::npos) throw fail("the line contains a NUL byte");

        std::string_view rest = line;
        const std::string_view keyword = next_word(rest);
        if (keyword == "user") {
            if (rest.empty()) throw fail("`user` needs a username");
            section = &rules.users_[std::string(rest)];
            continue;
        }
        if (keyword != "topic" && keyword != "pattern") {
            throw fail(
                fmt::format("unknown directive \"{}\" (expected topic, pattern or user)", keyword));
        }
        if (rest.empty()) throw fail(fmt::format("`{}` needs a topic filter", keyword));
        AclRule rule;
        rule.line = line_number;
        std::string_view filter = rest;
        std::string_view after_access = rest;
        const std::string_view first = next_word(after_access);
        if (!after_access.empty()) {
            // Two or more words: the first one is the access type.
            const auto permission = parse_permission(first);
            if (!permission) {
                throw fail(fmt::format(
                    "unknown access type \"{}\" (expected read, write, readwrite or deny)", first));
            }
            rule.permission = *permission;
            filter = after_access;
        }
        if (!mqtt::validate_topic_filter(filter)) {
            throw fail(fmt::format("\"{}\" is not a valid topic filter", filter));
        }
        rule.filter = std::string(filter);
        if (keyword == "pattern") {
            rules.patterns_.push_back(std::move(rule));
        } else {
            section->push_back(std::move(rule));
        }
    }
    return rules;
}

const std::vector<AclRule>* AclRules::user_rules(std::string_view username) const {
    const auto it = users_.find(username);
    return it == users_.end() ? nullptr : &it->second;
}

std::size_t AclRules::rule_count() const {
    std::size_t n = anonymous_.size() + patterns_.size();
    for (const auto& [name, rules] : users_)
        n += rules.size();
    return n;
}

BoundRules AclRules::bind(std::optional<std::string_view> username,
                          std::string_view client_id) const {
    // As in mosquitto, an empty User Name is no user name: the anonymous section, no %u.
    if (username && username->empty()) username.reset();
    BoundRules bound;
    bound.section = username ? user_rules(*username) : &anonymous_;
    if (!patterns_.empty() &&
        ((username && has_wildcard_char(*username)) || has_wildcard_char(client_id))) {
        bound.patterns_refused = true;
        return bound;
    }
    bound.patterns.reserve(patterns_.size());
    const bool unsafe_client_id = spans_levels(client_id);
    const bool unsafe_username = username && spans_levels(*username);
    for (const AclRule& rule : patterns_) {
        if (!username && uses_username(rule.filter)) continue;
        // A substituted name stands for exactly one level. A granting pattern never applies
        // to a name that is not one level; a deny pattern still applies (it can only take
        // access away, so keeping it is the safe side).
        const bool unsafe = (unsafe_client_id && uses_client_id(rule.filter)) ||
                            (unsafe_username && uses_username(rule.filter));
        if (unsafe && rule.permission != Permission::Deny) continue;
        bound.patterns.push_back(
            {rule.permission, substitute(rule.filter, username, client_id), rule.line});
    }
    return bound;
}

bool AclRules::check(std::optional<std::string_view> username, std::string_view client_id,
                     std::string_view target, Access access) const {
    return check(bind(username, client_id), target, access);
}

bool AclRules::check(const BoundRules& rules, std::string_view target, Access access) {
    if (access == Access::Subscribe) {
        if (const auto shared = mqtt::parse_shared_subscription(target)) target = shared->filter;
    }
    if (rules.section) {
        if (const auto decided = decide(*rules.section, target, access)) return *decided;
    }
    if (rules.patterns_refused) return false;
    return decide(rules.patterns, target, access).value_or(false);
}

}  // namespace akasa::hook::acl
