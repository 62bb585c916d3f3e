// Untrusted request heads never crash the parser (ASan/UBSan in `make test`), and a
// Complete head never depends on bytes after it.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "net/http/http_request.h"

namespace akasa::net::http {
namespace {

TEST(HttpRandomInput, MutatedRequests) {
    std::mt19937 rng(2024);
    std::string base =
        "GET /mqtt HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nContent-Length: 0\r\n\r\nrest";
    for (int i = 0; i < 20000; ++i) {
        std::string s = base;
        int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f)
            s[rng() % s.size()] = static_cast<char>(rng());
        s.resize(rng() % (s.size() + 1));
        std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(s.data()),
                                            s.size());
        auto r = parse_http_request(bytes, 200);
        if (r.status == HttpParseStatus::Error) {
            EXPECT_TRUE(r.error_status == 400 || r.error_status == 431 || r.error_status == 505);
            continue;
        }
        if (r.status != HttpParseStatus::Complete) continue;
        ASSERT_LE(r.size, s.size());
        auto exact = parse_http_request(bytes.first(r.size), 200);
        EXPECT_EQ(exact.status, HttpParseStatus::Complete);
        EXPECT_EQ(exact.request.headers.size(), r.request.headers.size());
    }
}

}  // namespace
}  // namespace akasa::net::http
