// Web origins of `allowed_origins` and of the WebSocket Origin header (config/web_origin.h).
#include "config/web_origin.h"

#include <gtest/gtest.h>

#include <string>

namespace akasa::config {
namespace {

std::string normal(const std::string& text) {
    auto origin = normalize_origin(text);
    EXPECT_TRUE(origin) << text;
    return origin.value_or("");
}

std::string error(const std::string& text) {
    std::string why;
    EXPECT_FALSE(normalize_origin(text, &why)) << text;
    return why;
}

TEST(WebOrigin, SchemeAndHostAreCaseInsensitive) {
    EXPECT_EQ(normal("https://app.example.com"), "https://app.example.com");
    EXPECT_EQ(normal("HTTPS://App.Example.COM"), "https://app.example.com");
    EXPECT_EQ(normal("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    EXPECT_EQ(normal("http://[::1]:3000"), "http://[::1]:3000");
    EXPECT_EQ(normal("http://[2001:DB8::1]"), "http://[2001:db8::1]");
    EXPECT_EQ(normal("chrome-extension://abcdef"), "chrome-extension://abcdef");
}

TEST(WebOrigin, DefaultPortsAreLeftOutAsBrowsersDo) {
    EXPECT_EQ(normal("https://example.com:443"), "https://example.com");
    EXPECT_EQ(normal("http://example.com:80"), "http://example.com");
    EXPECT_EQ(normal("https://example.com:80"), "https://example.com:80");
    EXPECT_EQ(normal("http://example.com:8443"), "http://example.com:8443");
}

TEST(WebOrigin, RefusesWhatIsNotAnOrigin) {
    EXPECT_NE(error("example.com").find("no \"://\""), std::string::npos);
    EXPECT_NE(error("https://example.com/").find("path"), std::string::npos);
    EXPECT_NE(error("https://example.com/app").find("path"), std::string::npos);
    EXPECT_NE(error("https://example.com?x").find("query"), std::string::npos);
    EXPECT_NE(error("https://user@example.com").find("user name"), std::string::npos);
    EXPECT_NE(error("https://").find("host is missing"), std::string::npos);
    EXPECT_NE(error("https://exa mple.com").find("host"), std::string::npos);
    EXPECT_NE(error("1http://example.com").find("scheme"), std::string::npos);
    EXPECT_NE(error("://example.com").find("scheme"), std::string::npos);
    EXPECT_NE(error("https://example.com:").find("port"), std::string::npos);
    EXPECT_NE(error("https://example.com:0").find("port"), std::string::npos);
    EXPECT_NE(error("https://example.com:65536").find("port"), std::string::npos);
    EXPECT_NE(error("https://[::1").find("host"), std::string::npos);
    EXPECT_NE(error("https://example.com\r\n").find("host"), std::string::npos);
}

TEST(WebOrigin, TheOpaqueOriginNullIsRefused) {
    EXPECT_NE(error("null").find("sandboxed frames and file: pages of any site"),
              std::string::npos);
}

}  // namespace
}  // namespace akasa::config
