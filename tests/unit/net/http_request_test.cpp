// The strict HTTP/1.x request-head parser (RFC 9112) shared by the ws and http listeners.
#include <gtest/gtest.h>

#include <string>

#include "net/http/http_request.h"
#include "net/http/http_response.h"

namespace akasa::net::http {
namespace {

HttpParseResult parse(const std::string& text, std::size_t max = kDefaultMaxHeadSize) {
    return parse_http_request({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
                              max);
}

void expect_error(const std::string& text, int status, std::string_view fragment) {
    auto r = parse(text);
    ASSERT_EQ(r.status, HttpParseStatus::Error) << text;
    EXPECT_EQ(r.error_status, status);
    EXPECT_NE(r.error.find(fragment), std::string::npos) << r.error;
}

TEST(HttpRequest, ParsesRequestLineAndHeaders) {
    std::string head = "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nX-Thing:  padded value \t\r\n\r\n";
    auto r = parse(head + "GET /next");
    ASSERT_EQ(r.status, HttpParseStatus::Complete) << r.error;
    EXPECT_EQ(r.size, head.size());
    EXPECT_EQ(r.request.method, "GET");
    EXPECT_EQ(r.request.target, "/metrics?x=1");
    EXPECT_EQ(r.request.path(), "/metrics");
    EXPECT_EQ(r.request.version_minor, 1);
    ASSERT_NE(r.request.header("x-thing"), nullptr);
    EXPECT_EQ(*r.request.header("X-THING"), "padded value");
    EXPECT_EQ(r.request.header("missing"), nullptr);
    EXPECT_FALSE(r.request.has_body);
}

TEST(HttpRequest, IncompleteIsNeedMoreAtEveryLength) {
    std::string head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    for (std::size_t n = 0; n < head.size(); ++n) {
        EXPECT_EQ(parse(head.substr(0, n)).status, HttpParseStatus::NeedMore) << n;
    }
}

TEST(HttpRequest, LeadingEmptyLinesAreSkipped) {
    auto r = parse("\r\n\r\nGET / HTTP/1.0\r\n\r\n");
    ASSERT_EQ(r.status, HttpParseStatus::Complete) << r.error;
    EXPECT_EQ(r.size, 22u);
}

TEST(HttpRequest, KeepAliveRules) {
    EXPECT_TRUE(parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n").request.keep_alive());
    EXPECT_FALSE(
        parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n").request.keep_alive());
    EXPECT_FALSE(parse("GET / HTTP/1.0\r\n\r\n").request.keep_alive());
    EXPECT_TRUE(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").request.keep_alive());
}

TEST(HttpRequest, TokensInLists) {
    auto r = parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive , Upgrade\r\n\r\n");
    EXPECT_TRUE(r.request.has_token("connection", "upgrade"));
    EXPECT_TRUE(r.request.has_token("Connection", "KEEP-ALIVE"));
    EXPECT_FALSE(r.request.has_token("Connection", "close"));
}

TEST(HttpRequest, BodyIsDetected) {
    EXPECT_TRUE(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n").request.has_body);
    EXPECT_FALSE(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").request.has_body);
    EXPECT_TRUE(
        parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n").request.has_body);
}

TEST(HttpRequest, HeadOverLimitIs431) {
    std::string big = "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(9000, 'a');
    expect_error(big, 431, "8192");
    // Exactly at the limit is fine, one byte over is not.
    std::string head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    EXPECT_EQ(parse(head, head.size()).status, HttpParseStatus::Complete);
    EXPECT_EQ(parse(head, head.size() - 1).status, HttpParseStatus::Error);
}

TEST(HttpRequest, HeadOverLimitIs431HoweverTheBytesWereSplit) {
    // Found by fuzz/http_request_fuzz.cpp: a bare LF past the limit made a head that was too
    // large a 400 when it arrived in one read, and a 431 when the limit was crossed first.
    const std::size_t max = 64;
    const std::string head =
        "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(100, 'a') + "\nb\r\n\r\n";
    const auto crossing_read = parse(head.substr(0, max + 1), max);
    ASSERT_EQ(crossing_read.status, HttpParseStatus::Error);
    EXPECT_EQ(crossing_read.error_status, 431);
    const auto whole = parse(head, max);
    ASSERT_EQ(whole.status, HttpParseStatus::Error);
    EXPECT_EQ(whole.error_status, 431) << whole.error;
    // Within the limit a bare LF is still refused as soon as it is seen.
    EXPECT_EQ(parse(head.substr(0, 40) + "\n", max).error_status, 400);
}

TEST(HttpRequest, TooManyFieldsIs431) {
    std::string text = "GET / HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < 100; ++i)
        text += "X: y\r\n";
    expect_error(text + "\r\n", 431, "header fields");
}

TEST(HttpRequest, MalformedRequestLines) {
    expect_error("GET /\r\n\r\n", 400, "request line");
    expect_error("GET  / HTTP/1.1\r\n\r\n", 400, "request line");
    expect_error("GET / HTTP/1.1 x\r\n\r\n", 400, "request line");
    expect_error("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "method");
    expect_error("GET mqtt HTTP/1.1\r\nHost: a\r\n\r\n", 400, "absolute path");
    expect_error("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "absolute path");
    expect_error("GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400, "version");
    expect_error("GET / http/1.1\r\nHost: a\r\n\r\n", 400, "version");
    expect_error("GET / HTTP/11\r\nHost: a\r\n\r\n", 400, "version");
}

TEST(HttpRequest, UnsupportedVersionsAre505) {
    expect_error("GET / HTTP/2.0\r\n\r\n", 505, "HTTP/2.0");
    expect_error("GET / HTTP/1.2\r\n\r\n", 505, "HTTP/1.2");
    expect_error("GET / HTTP/0.9\r\n\r\n", 505, "HTTP/0.9");
}

TEST(HttpRequest, MalformedHeaderFields) {
    expect_error("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400, "without ':'");
    expect_error("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "field name");
    expect_error("GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n", 400, "field name");
    expect_error("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n folded\r\n\r\n", 400, "folding");
    expect_error(std::string("GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n"), 400, "control");
    expect_error("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400, "Content-Length");
    expect_error("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 400,
                 "Content-Length");
}

TEST(HttpRequest, BareLineEndingsAreRefusedEarly) {
    expect_error("GET / HTTP/1.1\nHost: a\n\n", 400, "bare LF");
    expect_error("GET / HTTP/1.1\rHost", 400, "bare CR");
}

TEST(HttpRequest, Http11WithoutHostIs400) {
    expect_error("GET / HTTP/1.1\r\n\r\n", 400, "Host");
    EXPECT_EQ(parse("GET / HTTP/1.0\r\n\r\n").status, HttpParseStatus::Complete);
}

TEST(HttpResponse, Serialization) {
    ByteBuffer out;
    HttpResponse r = HttpResponse::with_body(200, "application/json", "{}");
    append_response(r, out);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(out.data()), out.size()),
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    out.clear();
    append_response(HttpResponse::error(404, "nope"), out);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(out.data()), out.size()),
              "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\n"
              "Content-Length: 5\r\nConnection: close\r\n\r\nnope\n");
}

}  // namespace
}  // namespace akasa::net::http
