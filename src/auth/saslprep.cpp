#include "auth/saslprep.h"

#include <idn-free.h>
#include <stringprep.h>

#include <cstdint>
#include <memory>

namespace akasa::auth {
namespace {

// Well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF), no NUL:
// libidn expects a C string of valid UTF-8.
bool is_clean_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        if (lead == 0) return false;
        if (lead < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        std::uint32_t code = 0;
        if ((lead & 0xE0) == 0xC0) {
            length = 2;
            code = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            code = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
            code = lead & 0x07;
        } else {
            return false;
        }
        if (i + length > text.size()) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            code = (code << 6) | (next & 0x3F);
        }
        const std::uint32_t minimum = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
        if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
        i += length;
    }
    return true;
}

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
    if (!is_clean_utf8(text)) return fail("not valid UTF-8 (or contains NUL)");
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
