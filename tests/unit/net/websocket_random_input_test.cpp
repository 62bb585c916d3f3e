// Untrusted frames never crash the decoder (ASan/UBSan in `make test`), and the result does
// not depend on how the bytes were split into reads.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "net/websocket/frame_codec.h"

namespace akasa::net::websocket {
namespace {

using Bytes = std::vector<std::uint8_t>;

struct Outcome {
    FeedResult result;
    Bytes mqtt;
    Bytes wire;
};

Outcome feed_in_chunks(const Bytes& input, std::mt19937* rng) {
    WebSocketStream ws({.max_frame_payload = 512, .max_message_size = 2048});
    ByteBuffer mqtt, wire;
    Outcome run;
    std::size_t at = 0;
    while (at < input.size()) {
        std::size_t n = rng ? 1 + (*rng)() % 7 : input.size();
        n = std::min(n, input.size() - at);
        run.result = ws.feed(std::span(input).subspan(at, n), mqtt, wire);
        at += n;
        if (run.result.status != FeedStatus::Open) break;
    }
    run.mqtt.assign(mqtt.data(), mqtt.data() + mqtt.size());
    run.wire.assign(wire.data(), wire.data() + wire.size());
    return run;
}

Bytes sample_stream() {
    // binary(3 bytes, fragmented) + ping + binary(130 bytes), all masked with 0x01020304.
    Bytes out;
    auto frame = [&](std::uint8_t first, std::size_t n) {
        out.push_back(first);
        if (n < 126) {
            out.push_back(static_cast<std::uint8_t>(0x80 | n));
        } else {
            out.push_back(0x80 | 126);
            out.push_back(static_cast<std::uint8_t>(n >> 8));
            out.push_back(static_cast<std::uint8_t>(n));
        }
        for (std::uint8_t m : {1, 2, 3, 4})
            out.push_back(m);
        for (std::size_t i = 0; i < n; ++i)
            out.push_back(static_cast<std::uint8_t>(i));
    };
    frame(0x02, 2);
    frame(0x89, 3);
    frame(0x80, 1);
    frame(0x82, 130);
    frame(0x88, 2);
    return out;
}

TEST(WebSocketRandomInput, SplitDoesNotChangeTheOutcome) {
    std::mt19937 rng(42);
    Bytes base = sample_stream();
    for (int i = 0; i < 5000; ++i) {
        Bytes b = base;
        if (i > 0) {
            int flips = 1 + static_cast<int>(rng() % 3);
            for (int f = 0; f < flips; ++f)
                b[rng() % b.size()] = static_cast<std::uint8_t>(rng());
        }
        Outcome whole = feed_in_chunks(b, nullptr);
        Outcome split = feed_in_chunks(b, &rng);
        ASSERT_EQ(whole.result.status, split.result.status) << i;
        EXPECT_EQ(whole.result.close_code, split.result.close_code);
        EXPECT_EQ(whole.mqtt, split.mqtt);
        EXPECT_EQ(whole.wire, split.wire);
        EXPECT_LE(whole.mqtt.size(), b.size());
    }
}

TEST(WebSocketRandomInput, RandomBytes) {
    std::mt19937 rng(3);
    for (int i = 0; i < 5000; ++i) {
        Bytes b(rng() % 200);
        for (auto& x : b)
            x = static_cast<std::uint8_t>(rng());
        Outcome r = feed_in_chunks(b, &rng);
        if (r.result.status == FeedStatus::Failed) {
            // Our output is well-formed server frames ending in a close with our code.
            std::size_t at = 0, last = 0;
            while (at < r.wire.size()) {
                ASSERT_LE(at + 2, r.wire.size());
                ASSERT_EQ(r.wire[at + 1] & 0x80, 0);  // never masked
                std::size_t n = r.wire[at + 1];
                ASSERT_LE(n, 125u);  // pongs and closes only
                last = at;
                at += 2 + n;
            }
            ASSERT_EQ(at, r.wire.size());
            EXPECT_EQ(r.wire[last], 0x88);
            EXPECT_EQ(r.wire[last + 2] << 8 | r.wire[last + 3], r.result.close_code);
        }
    }
}

}  // namespace
}  // namespace akasa::net::websocket
