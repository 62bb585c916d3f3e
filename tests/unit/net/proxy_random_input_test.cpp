// Untrusted input never crashes the PROXY parser (run under ASan/UBSan in `make test`),
// and a Complete header never depends on bytes after it.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "net/proxy/proxy_header.h"

namespace akasa::net::proxy {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes valid_v2() {
    Bytes b{0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51,
            0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, 0x1f};
    Bytes block = {192,  0,    2,    1,    198, 51, 100, 7, 0xdc, 0x04, 0x07, 0x5b,  // addresses
                   0x02, 0x00, 0x01, 'a',                                            // AUTHORITY
                   0x20, 0x00, 0x0c, 0x01, 0,   0,  0,   0, 0x22, 0x00, 0x04, 'd',
                   'e',  'v',  '1',  0xff};  // trailing MQTT byte, outside the header
    b.insert(b.end(), block.begin(), block.end());
    return b;
}

void check_invariants(const Bytes& input) {
    auto r = parse_proxy_header(input);
    if (r.status == ProxyParseStatus::Error) {
        EXPECT_FALSE(r.error.empty());
        return;
    }
    if (r.status != ProxyParseStatus::Complete) return;
    ASSERT_LE(r.size, input.size());
    // The same header without anything after it parses the same way.
    auto exact = parse_proxy_header(std::span(input).first(r.size));
    EXPECT_EQ(exact.status, ProxyParseStatus::Complete);
    EXPECT_EQ(exact.size, r.size);
}

TEST(ProxyRandomInput, MutatedV2Headers) {
    std::mt19937 rng(1234);
    Bytes base = valid_v2();
    for (int i = 0; i < 20000; ++i) {
        Bytes b = base;
        int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f)
            b[rng() % b.size()] = static_cast<std::uint8_t>(rng());
        b.resize(rng() % (b.size() + 1));
        check_invariants(b);
    }
}

TEST(ProxyRandomInput, MutatedV1Lines) {
    std::mt19937 rng(99);
    std::string line = "PROXY TCP6 2001:db8::1 ::1 65535 1883\r\nMQTT";
    for (int i = 0; i < 20000; ++i) {
        Bytes b(line.begin(), line.end());
        b[rng() % b.size()] = static_cast<std::uint8_t>(rng() % 128);
        check_invariants(b);
    }
}

TEST(ProxyRandomInput, RandomBytes) {
    std::mt19937 rng(7);
    for (int i = 0; i < 5000; ++i) {
        Bytes b(rng() % 300);
        for (auto& x : b)
            x = static_cast<std::uint8_t>(rng());
        if (!b.empty() && i % 2) b[0] = 0x0d;  // reach the v2 path more often
        check_invariants(b);
    }
}

}  // namespace
}  // namespace akasa::net::proxy
