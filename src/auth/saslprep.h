// SASLprep (RFC 4013): the stringprep (RFC 3454) profile SCRAM applies to user names and
// passwords before comparing or hashing them (RFC 5802 sections 2.2 and 5.1), so that
// e.g. "I\u00ADX" (soft hyphen), "IX" and "\u2168" (ROMAN NUMERAL NINE) name the same user.
// Backed by libidn's stringprep with its "SASLprep" profile. Untrusted input never crashes:
// invalid UTF-8, NUL, prohibited characters, bidi violations and an empty result are
// errors.
//
//   std::string error;
//   auto name = saslprep(username, SaslprepMode::Query, &error);  // nullopt: refuse
//   auto it = find_prepared_user(config.scram_users, *name);       // configured names
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace akasa::auth {

enum class SaslprepMode {
    Query,   // unassigned code points allowed: what a client sends (RFC 5802 5.1, "n=")
    Stored,  // unassigned code points prohibited: passwords and names the server keeps
};

// The prepared string, or nullopt with a reason in `error` (if given).
std::optional<std::string> saslprep(std::string_view text, SaslprepMode mode,
                                    std::string* error = nullptr);

// True when SASLprep can change `text` only by refusing it: printable ASCII maps to itself.
bool saslprep_is_identity(std::string_view text);

// The entry of `users` (a map keyed by user names as configured) whose name, prepared as a
// stored string, is `prepared` (a name that went through saslprep()). Names that SASLprep
// leaves alone (ASCII, the usual case) are found by key; the others by preparing each one.
template <class Map>
typename Map::const_iterator find_prepared_user(const Map& users, std::string_view prepared) {
    if (auto it = users.find(std::string(prepared)); it != users.end()) return it;
    for (auto it = users.begin(); it != users.end(); ++it) {
        if (saslprep_is_identity(it->first)) continue;
        const auto name = saslprep(it->first, SaslprepMode::Stored);
        if (name && *name == prepared) return it;
    }
    return users.end();
}

}  // namespace akasa::auth
