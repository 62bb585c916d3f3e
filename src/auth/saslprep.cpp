#include "auth/saslprep.h"

#include <idn-free.h>
#include <stringprep.h>

#include <memory>

#include "text/utf8.h"

namespace akasa::auth {
namespace {

struct IdnFree {
    void operator()(char* p) const { idn_free(p); }
};

}  // namespace

bool saslprep_is_identity(std::string_view text) {
    for (const char c : text) {
        if (c < 0x20 || c > 0x7E) return false;
    }
    return true;
}

std::optional<std::string> saslprep(std::string_view text, SaslprepMode mode, std::string* error) {
    auto fail = [&](std::string reason) -> std::optional<std::string> {
        if (error) *error = std::move(reason);
        return std::nullopt;
    };
    // libidn expects a C string of valid UTF-8.
    if (!text::is_well_formed_utf8_without_nul(text)) {
        return fail("not valid UTF-8 (or contains NUL)");
    }
    const std::string input(text);  // libidn takes a NUL-terminated string
    char* raw = nullptr;
    const auto flags = mode == SaslprepMode::Stored ? STRINGPREP_NO_UNASSIGNED
                                                    : static_cast<Stringprep_profile_flags>(0);
    const int rc = stringprep_profile(input.c_str(), &raw, "SASLprep", flags);
    std::unique_ptr<char, IdnFree> output(raw);
    if (rc != STRINGPREP_OK || !output) {
        return fail(std::string("SASLprep: ") +
                    stringprep_strerror(static_cast<Stringprep_rc>(rc)));
    }
    std::string prepared(output.get());
    if (prepared.empty()) return fail("SASLprep: the prepared string is empty");
    return prepared;
}

}  // namespace akasa::auth
