#include "text/utf8.h"

#include <cstdint>
#include <cstring>

namespace akasa::text {

namespace {

template <bool kAllowNull>
bool validate(std::string_view text) {
    const auto* p = reinterpret_cast<const uint8_t*>(text.data());
    const auto* end = p + text.size();
    // Fast path for the common all-ASCII topic: 8 bytes at a time while none has the high bit
    // set and none is zero (the classic "has zero byte" test).
    constexpr uint64_t kHigh = 0x8080808080808080ull;
    constexpr uint64_t kOnes = 0x0101010101010101ull;
    while (end - p >= 8) {
        uint64_t word;
        std::memcpy(&word, p, 8);
        if ((word & kHigh) != 0) break;
        if (!kAllowNull && ((word - kOnes) & ~word & kHigh) != 0) break;
        p += 8;
    }
    while (p < end) {
        const uint8_t b0 = *p;
        if (b0 < 0x80) {
            if (!kAllowNull && b0 == 0) return false;  // U+0000
            ++p;
            continue;
        }
        // Table 3-7 of the Unicode standard: the second byte's range depends on the first,
        // which excludes overlong forms, surrogates (ED A0..BF) and code points > U+10FFFF.
        int length;
        uint8_t low = 0x80, high = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            length = 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            length = 3;
            if (b0 == 0xE0) low = 0xA0;
            if (b0 == 0xED) high = 0x9F;  // surrogates U+D800..U+DFFF
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            length = 4;
            if (b0 == 0xF0) low = 0x90;
            if (b0 == 0xF4) high = 0x8F;
        } else {
            return false;  // continuation byte, C0/C1 overlong lead, or F5..FF
        }
        if (end - p < length) return false;
        if (p[1] < low || p[1] > high) return false;
        for (int i = 2; i < length; ++i) {
            if ((p[i] & 0xC0) != 0x80) return false;
        }
        p += length;
    }
    return true;
}

}  // namespace

bool is_well_formed_utf8_without_nul(std::string_view text) {
    return validate<false>(text);
}

bool is_well_formed_utf8(std::string_view text) {
    return validate<true>(text);
}

}  // namespace akasa::text
