// Access control lists in Mosquitto's acl_file format, parsed once and then read-only (so
// every worker may call check() concurrently; reload builds a new AclRules, see acl_store.h).
//
// The format, line by line (a line whose first non-blank character is `#` is a comment;
// blank lines are skipped; words are separated by spaces or tabs):
//   topic [read|write|readwrite|deny] FILTER    a rule for the current section
//   pattern [read|write|readwrite|deny] FILTER  a rule for every client, wherever it appears;
//                                               `%u` is replaced by the username, `%c` by the
//                                               client id
//   user NAME                                   starts the section of user NAME
// `topic` lines before the first `user` line form the anonymous section: they apply to
// clients that connected without a username. The access word is optional (readwrite); as
// in Mosquitto, `topic read` alone is the topic "read". FILTER is the rest of the line, so
// it may contain spaces.
//
// Decision for a client, the one mosquitto 2.0 makes (tests/integration/
// test_acl_mosquitto_parity.py compares every kind of case with the real mosquitto):
//  1. its section (by username; the anonymous section without one, or with an empty one):
//     a `deny` rule of it that applies denies; else a rule of it granting the access allows
//     (a rule granting only the other access decides nothing). The order of the lines does
//     not matter: deny lines count before grants wherever they are.
//  2. only when the section decided nothing (or the user has no section): the patterns
//     (`%u` ones are skipped for clients without a username). When the username or client id
//     contains '+' or '#', deny (a client could otherwise widen a pattern by choosing its
//     name); else, as in 1, a `deny` pattern that applies denies, then a pattern granting
//     the access allows. So a section's grant wins over a deny pattern.
//  3. otherwise deny (an ACL file lists what is allowed).
// The one deliberate difference from mosquitto: a substituted name must stand for exactly
// one topic level, so a granting pattern using %c (%u) never applies to a client id
// (username) containing `/`, `+` or `#` (client `a/cmd` must not get `devices/a/cmd/#` from
// `devices/%c/#`, which mosquitto gives it); deny patterns still apply to such names.
// Read and Write are checked against a topic name (Write: a PUBLISH or will; Read: each
// message delivered, retained and queued ones included). Subscribe is checked against the
// subscribed filter (a shared subscription's filter after `$share/{group}/`) in the same
// steps: in a list, a `deny` rule whose filter covers every topic of the filter denies, a
// read-granting rule sharing at least one topic with it allows (deliveries are then filtered
// by Read one by one). For a filter without wildcards that is exactly the Read decision, and
// a filter is never refused when one of its topics may be read.
//
//   AclRules rules = AclRules::parse("user alice\ntopic readwrite alice/#\n", "acl");
//   rules.check("alice", "c1", "alice/x", Access::Write)   -> true
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace akasa::hook::acl {

enum class Access : std::uint8_t { Read, Write, Subscribe };

// What a rule line grants; Deny takes access away.
enum class Permission : std::uint8_t { Deny = 0, Read = 1, Write = 2, ReadWrite = 3 };

struct AclRule {
    Permission permission = Permission::ReadWrite;
    std::string filter;
    std::size_t line = 0;  // 1-based, for messages
    bool operator==(const AclRule&) const = default;
};

// A file that cannot be read or parsed. what() starts with the source name and, for a parse
// error, `:LINE`, e.g. `acl.conf:4: unknown access type "rw" (expected read, write,
// readwrite or deny)`.
class AclFileError : public std::runtime_error {
  public:
    AclFileError(std::string message, std::optional<std::size_t> line)
        : std::runtime_error(std::move(message)), line_(line) {}
    std::optional<std::size_t> line() const { return line_; }

  private:
    std::optional<std::size_t> line_;
};

// The rules that concern one client: its section and every pattern that applies to it with
// `%u` / `%c` substituted once, so a check allocates nothing. Points into the AclRules it was
// bound from: keep that alive (ClientAcl, acl_client.h, does).
struct BoundRules {
    const std::vector<AclRule>* section = nullptr;  // null: a user without a section
    std::vector<AclRule> patterns;                  // substituted
    // Patterns exist and the username or client id contains + or #: whatever the section
    // leaves undecided is denied (`patterns` is then empty).
    bool patterns_refused = false;
};

class AclRules {
  public:
    // Reads and parses `path`; throws AclFileError.
    static AclRules load(const std::string& path);
    // Parses text; `source` names it in error messages. Throws AclFileError.
    static AclRules parse(std::string_view text, std::string_view source);

    bool check(std::optional<std::string_view> username, std::string_view client_id,
               std::string_view topic_or_filter, Access access) const;

    // check() in two steps, for callers that check one client many times.
    BoundRules bind(std::optional<std::string_view> username, std::string_view client_id) const;
    static bool check(const BoundRules& rules, std::string_view topic_or_filter, Access access);

    // For tests and logs.
    const std::vector<AclRule>& anonymous_rules() const { return anonymous_; }
    const std::vector<AclRule>* user_rules(std::string_view username) const;
    const std::vector<AclRule>& patterns() const { return patterns_; }
    std::size_t rule_count() const;

  private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };

    std::vector<AclRule> anonymous_;
    std::unordered_map<std::string, std::vector<AclRule>, Hash, std::equal_to<>> users_;
    std::vector<AclRule> patterns_;
};

}  // namespace akasa::hook::acl
