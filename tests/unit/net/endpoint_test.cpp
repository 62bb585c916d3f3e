#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include "net/event_loop.h"
#include "net/socket.h"

namespace akasa::net {
namespace {

TEST(Endpoint, ParsesIpv4AndIpv6) {
    auto v4 = Endpoint::parse("127.0.0.1:1883");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->to_string(), "127.0.0.1:1883");
    EXPECT_EQ(v4->port(), 1883);
    auto v6 = Endpoint::parse("[::1]:8883");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->to_string(), "[::1]:8883");
}

TEST(Endpoint, RejectsMalformed) {
    EXPECT_FALSE(Endpoint::parse("localhost:1883"));
    EXPECT_FALSE(Endpoint::parse("127.0.0.1"));
    EXPECT_FALSE(Endpoint::parse("127.0.0.1:99999"));
    EXPECT_FALSE(Endpoint::parse("[::1:1883"));
    EXPECT_FALSE(Endpoint::parse("1.2.3.4:12x"));
}

TEST(ListenTcp, BindsAnEphemeralPort) {
    auto e = Endpoint::parse("127.0.0.1:0");
    int fd = listen_tcp(*e, true);
    EXPECT_GT(local_endpoint(fd).port(), 0);
    ::close(fd);
}

struct CountingHandler : IoHandler {
    int calls = 0;
    void on_io(std::uint32_t) override { ++calls; }
};

TEST(EventLoop, WakeFromAnotherThreadIsSeenOnce) {
    EventLoop loop;
    loop.wake();
    loop.wake();  // coalesced
    loop.poll(1000);
    EXPECT_TRUE(loop.take_wakeup());
    EXPECT_FALSE(loop.take_wakeup());
}

TEST(EventLoop, DispatchesReadyFds) {
    EventLoop loop;
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    CountingHandler handler;
    loop.add(fds[0], EPOLLIN, &handler);
    EXPECT_EQ(loop.poll(0), 0);
    ASSERT_EQ(::write(fds[1], "x", 1), 1);
    EXPECT_EQ(loop.poll(1000), 1);
    EXPECT_EQ(handler.calls, 1);
    loop.remove(fds[0]);
    ::close(fds[0]);
    ::close(fds[1]);
}

}  // namespace
}  // namespace akasa::net
