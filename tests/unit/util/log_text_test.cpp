// Client input quoted for a log line (util/log_text.h): the WebSocket Origin header among others.
#include "util/log_text.h"

#include <gtest/gtest.h>

#include <string>

namespace akasa::util {
namespace {

TEST(QuotedForLog, PrintableTextIsQuotedAsItIs) {
    EXPECT_EQ(quoted_for_log("https://app.example.com"), "\"https://app.example.com\"");
    EXPECT_EQ(quoted_for_log(""), "\"\"");
}

TEST(QuotedForLog, QuotesAndBackslashesCannotEndTheQuote) {
    EXPECT_EQ(quoted_for_log("a\"b\\c"), "\"a\\\"b\\\\c\"");
}

TEST(QuotedForLog, ControlAndNonAsciiBytesAreEscaped) {
    EXPECT_EQ(quoted_for_log("x\r\nfake line"), "\"x\\x0d\\x0afake line\"");
    EXPECT_EQ(quoted_for_log("\x1b[2J\x7f\xc3\xa9"), "\"\\x1b[2J\\x7f\\xc3\\xa9\"");
    EXPECT_EQ(quoted_for_log(std::string_view("\0", 1)), "\"\\x00\"");
}

TEST(QuotedForLog, LongTextIsCutAndItsLengthSaid) {
    const std::string text(9000, 'a');
    EXPECT_EQ(quoted_for_log(text, 4), "\"aaaa...\" (9000 bytes)");
    EXPECT_EQ(quoted_for_log("abcd", 4), "\"abcd\"");
}

}  // namespace
}  // namespace akasa::util
