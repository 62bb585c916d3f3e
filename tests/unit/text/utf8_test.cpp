// UTF-8 validation: well-formed UTF-8 (RFC 3629) for every text, and MQTT UTF-8 Encoded
// Strings (MQTT 5.0 1.5.4), which also refuse U+0000.
#include <gtest/gtest.h>

#include <string>

#include "text/utf8.h"

namespace akasa::text {
namespace {

using namespace std::string_view_literals;

TEST(Utf8, AcceptsAsciiAndEmpty) {
    EXPECT_TRUE(is_well_formed_utf8_without_nul(""));
    EXPECT_TRUE(is_well_formed_utf8_without_nul("sensors/temperature"));
}

TEST(Utf8, AcceptsTwoThreeAndFourByteCharacters) {
    EXPECT_TRUE(is_well_formed_utf8_without_nul("\xc3\xa9"));          // U+00E9
    EXPECT_TRUE(is_well_formed_utf8_without_nul("\xe2\x82\xac"));      // U+20AC
    EXPECT_TRUE(is_well_formed_utf8_without_nul("\xf0\x9f\x98\x80"));  // U+1F600
    EXPECT_TRUE(is_well_formed_utf8_without_nul("\xf4\x8f\xbf\xbf"));  // U+10FFFF
    // U+D7FF, just below the surrogates, and U+E000, just above.
    EXPECT_TRUE(is_well_formed_utf8_without_nul("\xed\x9f\xbf"));
    EXPECT_TRUE(is_well_formed_utf8_without_nul("\xee\x80\x80"));
    // After a run of ASCII long enough for the 8-byte fast path.
    EXPECT_TRUE(is_well_formed_utf8_without_nul("0123456789abcdef\xc3\xa9"));
}

// [MQTT-1.5.4-2] A UTF-8 Encoded String MUST NOT include an encoding of U+0000.
TEST(Utf8, RejectsNullCharacter_MQTT_1_5_4_2) {
    EXPECT_FALSE(is_well_formed_utf8_without_nul("a\0b"sv));
    EXPECT_FALSE(is_well_formed_utf8_without_nul("\0"sv));
    // The overlong U+0000 of "modified UTF-8" is refused by both functions.
    EXPECT_FALSE(is_well_formed_utf8_without_nul("\xc0\x80"));
    EXPECT_FALSE(is_well_formed_utf8("\xc0\x80"));
}

TEST(Utf8, NullAfterTheFastPathIsStillRejected) {
    // The 8-byte ASCII fast path must find a zero byte anywhere in a word.
    for (size_t at = 0; at < 20; ++at) {
        std::string text(20, 'a');
        text[at] = '\0';
        EXPECT_FALSE(is_well_formed_utf8_without_nul(text)) << at;
        EXPECT_TRUE(is_well_formed_utf8(text)) << at;
    }
}

// Ill-formed input is refused by both functions, NUL allowed or not: surrogates
// [MQTT-1.5.4-1], overlong forms, code points above U+10FFFF, truncated and stray bytes.
TEST(Utf8, BothFunctionsRejectIllFormedSequences) {
    const std::string_view ill_formed[] = {
        "\xed\xa0\x80",      // U+D800
        "\xed\xbf\xbf",      // U+DFFF
        "\xed\xb0\x80",      // U+DC00
        "\xc1\xbf",          // U+007F in two bytes
        "\xe0\x9f\xbf",      // U+07FF in three bytes
        "\xf0\x8f\xbf\xbf",  // U+FFFF in four bytes
        "\xf4\x90\x80\x80",  // U+110000
        "\xf5\x80\x80\x80",  // a lead byte past U+10FFFF
        "\xf8\x88\x80\x80",  // a five-byte lead (RFC 2279, gone since RFC 3629)
        "\xff",
        "\xc3",
        "\xe2\x82",
        "\xf0\x9f\x98",
        "abc\xf0",
        "\x80",                 // lone continuation byte
        "\xe2\x28\xa1",         // bad continuation
        "0123456789\xff",       // after the fast path
        "0123456789abcdef\xc3"  // truncated after the fast path
    };
    for (const std::string_view text : ill_formed) {
        EXPECT_FALSE(is_well_formed_utf8_without_nul(text)) << testing::PrintToString(text);
        EXPECT_FALSE(is_well_formed_utf8(text)) << testing::PrintToString(text);
    }
}

// [MQTT-1.5.4-3] U+FEFF is a character like any other: accepted, not stripped.
TEST(Utf8, AcceptsZeroWidthNoBreakSpace_MQTT_1_5_4_3) {
    EXPECT_TRUE(is_well_formed_utf8_without_nul("\xef\xbb\xbfhello"));
}

TEST(Utf8, AcceptsControlCharactersAndNonCharacters) {
    // MQTT says SHOULD NOT for these; a receiver may accept them.
    EXPECT_TRUE(is_well_formed_utf8_without_nul("\x01\x1f\x7f"));
    EXPECT_TRUE(is_well_formed_utf8_without_nul("\xef\xbf\xbf"));  // U+FFFF
}

TEST(WellFormedUtf8, AllowsNullButNotIllFormedSequences) {
    EXPECT_TRUE(is_well_formed_utf8(std::string_view("a\0b", 3)));
    EXPECT_TRUE(is_well_formed_utf8(std::string_view("0123456789\0abcdef", 17)));
    EXPECT_TRUE(is_well_formed_utf8("{\"t\": \"\xc3\xa9\"}"));
}

}  // namespace
}  // namespace akasa::text
