// EventLoop::poll with a cap on the events handled per call: the worker flushes its
// output after every 64 ready sockets instead of after all of them, so the cap must not
// lose or starve any ready fd.
#include "net/event_loop.h"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cstdint>

namespace akasa::net {
namespace {

// A level-triggered eventfd that stays readable until the test resets it.
struct ReadyFd final : IoHandler {
    ReadyFd() : fd(::eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC)) {}
    ~ReadyFd() { ::close(fd); }
    void on_io(std::uint32_t) override { ++calls; }
    int fd;
    int calls = 0;
};

TEST(EventLoop, CappedPollHandlesAtMostTheCap) {
    EventLoop loop;
    std::array<ReadyFd, 5> fds;
    for (auto& f : fds)
        loop.add(f.fd, EPOLLIN, &f);
    EXPECT_EQ(loop.poll(0, 2), 2);
    int total = 0;
    for (auto& f : fds)
        total += f.calls;
    EXPECT_EQ(total, 2);
    for (auto& f : fds)
        loop.remove(f.fd);
}

TEST(EventLoop, FdsLeftOverByTheCapComeNext) {
    EventLoop loop;
    std::array<ReadyFd, 5> fds;
    for (auto& f : fds)
        loop.add(f.fd, EPOLLIN, &f);
    // Three capped polls of 2 reach all five still-ready fds: the ones left over go first.
    for (int i = 0; i < 3; ++i)
        loop.poll(0, 2);
    for (auto& f : fds)
        EXPECT_GE(f.calls, 1) << "fd " << f.fd << " starved";
    for (auto& f : fds)
        loop.remove(f.fd);
}

TEST(EventLoop, UncappedPollHandlesEveryReadyFd) {
    EventLoop loop;
    std::array<ReadyFd, 5> fds;
    for (auto& f : fds)
        loop.add(f.fd, EPOLLIN, &f);
    EXPECT_EQ(loop.poll(0), 5);
    for (auto& f : fds)
        EXPECT_EQ(f.calls, 1);
    for (auto& f : fds)
        loop.remove(f.fd);
}

}  // namespace
}  // namespace akasa::net
