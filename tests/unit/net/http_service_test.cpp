// The http listener: /health, /metrics, 404/405/400, keep-alive and pipelining.
#include <gtest/gtest.h>

#include <string>

#include "net/http/http_service.h"

namespace akasa::net::http {
namespace {

std::string text(const ByteBuffer& b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

struct Fixture {
    int metrics_calls = 0;
    HttpService service;
    HttpConnection connection{service};
    ByteBuffer input;
    ByteBuffer output;

    explicit Fixture(bool prometheus = true)
        : service(
              {.prometheus = prometheus},
              [] {
                  return HealthReport{"1.2.3", 42, 7};
              },
              [this] {
                  ++metrics_calls;
                  return std::string("# TYPE a counter\na 1\n");
              }) {}

    HttpConnection::Status send(const std::string& bytes) {
        input.append(bytes.data(), bytes.size());
        return connection.on_input(input, output);
    }
};

TEST(HttpService, HealthIsJson) {
    Fixture f;
    EXPECT_EQ(f.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"), HttpConnection::Status::Open);
    std::string out = text(f.output);
    EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << out;
    EXPECT_NE(out.find("Content-Type: application/json\r\n"), std::string::npos);
    std::string body =
        "{\"status\":\"ok\",\"version\":\"1.2.3\",\"uptime_seconds\":42,"
        "\"connections\":7}\n";
    EXPECT_NE(out.find("Content-Length: " + std::to_string(body.size()) + "\r\n"),
              std::string::npos);
    EXPECT_EQ(out.substr(out.size() - body.size()), body);
    EXPECT_EQ(out.find("Connection: close"), std::string::npos);
}

TEST(HttpService, MetricsWhenEnabled) {
    Fixture f;
    f.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string out = text(f.output);
    EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
    EXPECT_NE(out.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
    EXPECT_NE(out.find("\r\n\r\n# TYPE a counter\na 1\n"), std::string::npos);
    EXPECT_EQ(f.metrics_calls, 1);
}

TEST(HttpService, MetricsWhenDisabledIs404) {
    Fixture f(false);
    EXPECT_EQ(f.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), HttpConnection::Status::Open);
    EXPECT_EQ(text(f.output).rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u);
    EXPECT_EQ(f.metrics_calls, 0);
}

TEST(HttpService, UnknownPathIs404AndKeepsTheConnection) {
    Fixture f;
    EXPECT_EQ(f.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"), HttpConnection::Status::Open);
    EXPECT_EQ(text(f.output).rfind("HTTP/1.1 404", 0), 0u);
    EXPECT_EQ(text(f.output).find("Connection: close"), std::string::npos);
}

TEST(HttpService, NonGetIs405) {
    Fixture f;
    EXPECT_EQ(f.send("DELETE /health HTTP/1.1\r\nHost: x\r\n\r\n"), HttpConnection::Status::Open);
    EXPECT_EQ(text(f.output).rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u);
    EXPECT_NE(text(f.output).find("Allow: GET\r\n"), std::string::npos);
}

TEST(HttpService, RequestWithBodyClosesAfterResponse) {
    Fixture f;
    EXPECT_EQ(f.send("POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcd"),
              HttpConnection::Status::Close);
    EXPECT_EQ(text(f.output).rfind("HTTP/1.1 405", 0), 0u);
    EXPECT_NE(text(f.output).find("Connection: close\r\n"), std::string::npos);
    EXPECT_TRUE(f.input.empty());
}

TEST(HttpService, BadRequestIs400AndCloses) {
    Fixture f;
    EXPECT_EQ(f.send("GET /health\r\n\r\n"), HttpConnection::Status::Close);
    EXPECT_EQ(text(f.output).rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u);
    // Later bytes are ignored.
    EXPECT_EQ(f.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"), HttpConnection::Status::Close);
    EXPECT_EQ(text(f.output).find("200 OK"), std::string::npos);
}

TEST(HttpService, OversizedHeadIs431) {
    Fixture f;
    EXPECT_EQ(f.send("GET /health HTTP/1.1\r\nX: " + std::string(9000, 'a')),
              HttpConnection::Status::Close);
    EXPECT_EQ(text(f.output).rfind("HTTP/1.1 431", 0), 0u);
}

TEST(HttpService, KeepAliveServesPipelinedRequestsInOrder) {
    Fixture f;
    std::string one = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    std::string two = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
    EXPECT_EQ(f.send(one + two + "GET /hea"), HttpConnection::Status::Open);
    std::string out = text(f.output);
    std::size_t first = out.find("\"status\":\"ok\"");
    std::size_t second = out.find("a 1\n");
    ASSERT_NE(first, std::string::npos);
    ASSERT_NE(second, std::string::npos);
    EXPECT_LT(first, second);
    EXPECT_EQ(text(f.input), "GET /hea");  // the partial request waits
    EXPECT_EQ(f.send("lth HTTP/1.1\r\nHost: x\r\n\r\n"), HttpConnection::Status::Open);
    EXPECT_TRUE(f.input.empty());
}

TEST(HttpService, Http10ClosesUnlessKeepAlive) {
    Fixture f;
    EXPECT_EQ(f.send("GET /health HTTP/1.0\r\n\r\n"), HttpConnection::Status::Close);
    EXPECT_NE(text(f.output).find("Connection: close\r\n"), std::string::npos);
    Fixture g;
    EXPECT_EQ(g.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
              HttpConnection::Status::Open);
}

TEST(HttpService, ConnectionCloseIsHonoured) {
    Fixture f;
    EXPECT_EQ(f.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
              HttpConnection::Status::Close);
}

TEST(HttpService, JsonStringEscapes) {
    EXPECT_EQ(json_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
}

}  // namespace
}  // namespace akasa::net::http
