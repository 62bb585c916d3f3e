// log_format: json (util/log_json.h): every line is one valid JSON object whatever the bytes
// logged, with the UTC time, the level, and the client's fields inside a LogFieldsScope.
#include "util/log_json.h"

#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>

#include <string>

namespace akasa::util {
namespace {

std::string json(std::string_view text) {
    std::string out;
    append_json_string(text, out);
    return out;
}

std::string line(std::string_view message, spdlog::level::level_enum level) {
    spdlog::details::log_msg msg("akasa", level, message);
    msg.time = spdlog::log_clock::time_point(std::chrono::milliseconds(1796612108123));
    msg.thread_id = 42;
    spdlog::memory_buf_t out;
    JsonLogFormatter().format(msg, out);
    return std::string(out.data(), out.size());
}

TEST(JsonLogString, PlainTextAndUtf8PassUnchanged) {
    EXPECT_EQ(json("client sensor-7 connected"), "\"client sensor-7 connected\"");
    EXPECT_EQ(json("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
              "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
}

TEST(JsonLogString, QuotesBackslashesAndControlsAreEscaped) {
    EXPECT_EQ(json("say \"hi\" \\o/"), R"("say \"hi\" \\o/")");
    EXPECT_EQ(json("evil\n{\"level\":\"info\"}"), R"("evil\u000a{\"level\":\"info\"}")");
    EXPECT_EQ(json("\x1b[2J\x7f"), R"("\u001b[2J\u007f")");
    EXPECT_EQ(json("\xC2\x9B"), R"("\u009b")");   // C1 CSI
    EXPECT_EQ(json("\xC2\xA0"), "\"\xC2\xA0\"");  // U+00A0 is not a control
}

TEST(JsonLogString, BytesThatAreNotUtf8BecomeEscapes) {
    EXPECT_EQ(json("\xFF\xFE"), R"("\u00ff\u00fe")");
    EXPECT_EQ(json("a\xC3"), R"("a\u00c3")");                    // truncated sequence
    EXPECT_EQ(json("\xC0\xAF"), R"("\u00c0\u00af")");            // overlong '/'
    EXPECT_EQ(json("\xED\xA0\x80"), R"("\u00ed\u00a0\u0080")");  // surrogate U+D800
}

TEST(JsonLogFormatter, OneObjectPerLineWithUtcTime) {
    EXPECT_EQ(line("akasa started", spdlog::level::info),
              R"({"time":"2026-12-07T02:55:08.123Z","level":"info","thread":42,)"
              R"("message":"akasa started"})"
              "\n");
    EXPECT_NE(line("x", spdlog::level::warn).find(R"("level":"warn")"), std::string::npos);
    EXPECT_NE(line("x", spdlog::level::err).find(R"("level":"error")"), std::string::npos);
}

TEST(JsonLogFormatter, ScopeAddsClientFieldsOnThisThread) {
    {
        LogFieldsScope outer("c1", "127.0.0.1:5000");
        {
            LogFieldsScope inner("c\"2", "[::1]:6000");
            EXPECT_NE(line("x", spdlog::level::info)
                          .find(R"("message":"x","client_id":"c\"2","address":"[::1]:6000"})"),
                      std::string::npos);
        }
        EXPECT_NE(line("x", spdlog::level::info).find(R"("client_id":"c1")"), std::string::npos);
    }
    EXPECT_EQ(line("x", spdlog::level::info).find("client_id"), std::string::npos);
    LogFieldsScope before_connect("", "127.0.0.1:5000");
    EXPECT_NE(line("x", spdlog::level::info).find(R"("message":"x","address":"127.0.0.1:5000"})"),
              std::string::npos);
}

}  // namespace
}  // namespace akasa::util
