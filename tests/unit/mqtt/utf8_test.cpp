// MQTT UTF-8 Encoded Strings (spec 1.5.4).
#include <gtest/gtest.h>

#include "mqtt/utf8.h"

namespace akasa::mqtt {
namespace {

using namespace std::string_view_literals;

TEST(Utf8, AcceptsAsciiAndEmpty) {
    EXPECT_TRUE(is_valid_mqtt_utf8(""));
    EXPECT_TRUE(is_valid_mqtt_utf8("sensors/temperature"));
}

TEST(Utf8, AcceptsTwoThreeAndFourByteCharacters) {
    EXPECT_TRUE(is_valid_mqtt_utf8("\xc3\xa9"));          // U+00E9
    EXPECT_TRUE(is_valid_mqtt_utf8("\xe2\x82\xac"));      // U+20AC
    EXPECT_TRUE(is_valid_mqtt_utf8("\xf0\x9f\x98\x80"));  // U+1F600
    EXPECT_TRUE(is_valid_mqtt_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
    EXPECT_TRUE(is_valid_mqtt_utf8("\xed\x9f\xbf"));      // U+D7FF, just below surrogates
    EXPECT_TRUE(is_valid_mqtt_utf8("\xee\x80\x80"));      // U+E000, just above
}

// [MQTT-1.5.4-2] A UTF-8 Encoded String MUST NOT include an encoding of U+0000.
TEST(Utf8, RejectsNullCharacter_MQTT_1_5_4_2) {
    EXPECT_FALSE(is_valid_mqtt_utf8("a\0b"sv));
    EXPECT_FALSE(is_valid_mqtt_utf8("\0"sv));
    EXPECT_FALSE(is_valid_mqtt_utf8("\xc0\x80"));  // overlong U+0000 ("modified UTF-8")
}

// [MQTT-1.5.4-1] Surrogates U+D800..U+DFFF are ill-formed.
TEST(Utf8, RejectsSurrogates_MQTT_1_5_4_1) {
    EXPECT_FALSE(is_valid_mqtt_utf8("\xed\xa0\x80"));  // U+D800
    EXPECT_FALSE(is_valid_mqtt_utf8("\xed\xbf\xbf"));  // U+DFFF
    EXPECT_FALSE(is_valid_mqtt_utf8("\xed\xb0\x80"));  // U+DC00
}

TEST(Utf8, RejectsOverlongForms) {
    EXPECT_FALSE(is_valid_mqtt_utf8("\xc1\xbf"));          // U+007F in two bytes
    EXPECT_FALSE(is_valid_mqtt_utf8("\xe0\x9f\xbf"));      // U+07FF in three bytes
    EXPECT_FALSE(is_valid_mqtt_utf8("\xf0\x8f\xbf\xbf"));  // U+FFFF in four bytes
}

TEST(Utf8, RejectsCodePointsAboveTheUnicodeRange) {
    EXPECT_FALSE(is_valid_mqtt_utf8("\xf4\x90\x80\x80"));  // U+110000
    EXPECT_FALSE(is_valid_mqtt_utf8("\xf5\x80\x80\x80"));
    EXPECT_FALSE(is_valid_mqtt_utf8("\xff"));
}

TEST(Utf8, RejectsTruncatedAndStrayBytes) {
    EXPECT_FALSE(is_valid_mqtt_utf8("\xc3"));
    EXPECT_FALSE(is_valid_mqtt_utf8("\xe2\x82"));
    EXPECT_FALSE(is_valid_mqtt_utf8("\xf0\x9f\x98"));
    EXPECT_FALSE(is_valid_mqtt_utf8("abc\xf0"));
    EXPECT_FALSE(is_valid_mqtt_utf8("\x80"));          // lone continuation byte
    EXPECT_FALSE(is_valid_mqtt_utf8("\xe2\x28\xa1"));  // bad continuation
}

// [MQTT-1.5.4-3] U+FEFF is a character like any other: accepted, not stripped.
TEST(Utf8, AcceptsZeroWidthNoBreakSpace_MQTT_1_5_4_3) {
    EXPECT_TRUE(is_valid_mqtt_utf8("\xef\xbb\xbfhello"));
}

TEST(Utf8, AcceptsControlCharactersAndNonCharacters) {
    // The spec says SHOULD NOT for these; a receiver may accept them.
    EXPECT_TRUE(is_valid_mqtt_utf8("\x01\x1f\x7f"));
    EXPECT_TRUE(is_valid_mqtt_utf8("\xef\xbf\xbf"));  // U+FFFF
}

}  // namespace
}  // namespace akasa::mqtt

namespace akasa::mqtt {
namespace {

TEST(WellFormedUtf8, AllowsNullButNotIllFormedSequences) {
    EXPECT_TRUE(is_well_formed_utf8(std::string_view("a\0b", 3)));
    EXPECT_TRUE(is_well_formed_utf8(std::string_view("0123456789\0abcdef", 17)));
    EXPECT_TRUE(is_well_formed_utf8("{\"t\": \"\xc3\xa9\"}"));
    EXPECT_FALSE(is_well_formed_utf8("\xed\xa0\x80"));
    EXPECT_FALSE(is_well_formed_utf8("\xc0\x80"));
    EXPECT_FALSE(is_well_formed_utf8("0123456789\xff"));
}

TEST(Utf8, NullAfterTheFastPathIsStillRejected) {
    // The 8-byte ASCII fast path must find a zero byte anywhere in a word.
    for (size_t at = 0; at < 20; ++at) {
        std::string text(20, 'a');
        text[at] = '\0';
        EXPECT_FALSE(is_valid_mqtt_utf8(text)) << at;
    }
}

}  // namespace
}  // namespace akasa::mqtt
