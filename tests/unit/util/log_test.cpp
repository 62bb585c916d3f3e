// Log escaping (issue 15 item 10): what clients send cannot forge a log line or reach the
// operator's terminal as a control sequence.
#include "util/log.h"

#include <gtest/gtest.h>

#include <string>

namespace akasa::util {
namespace {

std::string escaped(std::string_view text) {
    std::string out;
    escape_log_text(text, out);
    return out;
}

TEST(EscapeLogText, PlainTextAndUtf8PassUnchanged) {
    EXPECT_EQ(escaped("client sensor-7 connected"), "client sensor-7 connected");
    EXPECT_EQ(escaped("caf\xC3\xA9 \xE2\x82\xAC"), "caf\xC3\xA9 \xE2\x82\xAC");
    EXPECT_EQ(escaped("\xC2\xA0"), "\xC2\xA0");  // U+00A0 is not a control
}

TEST(EscapeLogText, NewlinesCannotForgeALine) {
    EXPECT_EQ(escaped("evil\n2026-01-01T00:00:00.000 info  [1] admin logged in"),
              "evil\\x0a2026-01-01T00:00:00.000 info  [1] admin logged in");
    EXPECT_EQ(escaped("a\r\tb"), "a\\x0d\\x09b");
}

TEST(EscapeLogText, TerminalControlSequencesAreDefused) {
    EXPECT_EQ(escaped("\x1b[2J"), "\\x1b[2J");  // ESC
    EXPECT_EQ(escaped("\xC2\x9B"
                      "2J"),
              "\\xc2\\x9b2J");  // C1 CSI, UTF-8 encoded
    EXPECT_EQ(escaped("x\x7F"), "x\\x7f");
    EXPECT_EQ(escaped(std::string_view("\0", 1)), "\\x00");
}

}  // namespace
}  // namespace akasa::util

namespace akasa::util {
namespace {

TEST(LevelFromRustLog, ReadsEnvLoggerDirectives) {
    EXPECT_EQ(level_from_rust_log("debug"), "debug");
    EXPECT_EQ(level_from_rust_log("WARN"), "warn");
    EXPECT_EQ(level_from_rust_log("warn,akasa=trace"), "trace");
    EXPECT_EQ(level_from_rust_log("akasa::server=debug,info"), "debug");
    EXPECT_EQ(level_from_rust_log("tokio=debug,error"), "error");
    EXPECT_EQ(level_from_rust_log("info/some.*regex"), "info");
    EXPECT_EQ(level_from_rust_log("off"), "off");
}

TEST(LevelFromRustLog, NothingWeKnowIsNullopt) {
    EXPECT_EQ(level_from_rust_log(""), std::nullopt);
    EXPECT_EQ(level_from_rust_log("tokio=debug"), std::nullopt);
    EXPECT_EQ(level_from_rust_log("loud"), std::nullopt);
}

}  // namespace
}  // namespace akasa::util
