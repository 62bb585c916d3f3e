// The fake transport's fd must be ready exactly when a socket in the same state would be:
// the engine tests rely on the worker's epoll loop seeing it that way.
#include "harness/fake_transport.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace akasa::broker::harness {
namespace {

class FakeTransportTest : public ::testing::Test {
  protected:
    void SetUp() override {
        epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
        ASSERT_GE(epoll_, 0);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT;
        ASSERT_EQ(::epoll_ctl(epoll_, EPOLL_CTL_ADD, transport_.fd(), &ev), 0);
    }
    void TearDown() override { ::close(epoll_); }

    // The events epoll reports for the transport's fd now (0: none).
    std::uint32_t ready() {
        epoll_event ev{};
        return ::epoll_wait(epoll_, &ev, 1, 0) == 1 ? ev.events : 0u;
    }

    std::shared_ptr<FakePeer> peer_ = std::make_shared<FakePeer>();
    FakeTransport transport_{peer_, "192.0.2.1:1"};
    int epoll_ = -1;
};

TEST_F(FakeTransportTest, ReadableExactlyWhileInputWaits) {
    EXPECT_EQ(ready() & EPOLLIN, 0u);
    const std::uint8_t bytes[] = {1, 2, 3, 4, 5};
    peer_->push(bytes);
    EXPECT_NE(ready() & EPOLLIN, 0u);
    std::uint8_t buffer[3];
    auto result = transport_.read(buffer, sizeof buffer);
    ASSERT_EQ(result.status, net::IoResult::Status::ok);
    EXPECT_EQ(result.bytes, 3u);
    EXPECT_EQ(buffer[0], 1);
    EXPECT_NE(ready() & EPOLLIN, 0u);  // two bytes left
    result = transport_.read(buffer, sizeof buffer);
    EXPECT_EQ(result.bytes, 2u);
    EXPECT_EQ(ready() & EPOLLIN, 0u);
    EXPECT_EQ(transport_.read(buffer, sizeof buffer).status, net::IoResult::Status::would_block);
}

TEST_F(FakeTransportTest, ReadChunkBoundsEachRead) {
    const std::uint8_t bytes[] = {1, 2, 3};
    peer_->push(bytes);
    peer_->set_read_chunk(1);
    std::uint8_t buffer[8];
    EXPECT_EQ(transport_.read(buffer, sizeof buffer).bytes, 1u);
    EXPECT_EQ(peer_->unread(), 2u);
}

TEST_F(FakeTransportTest, WritableExactlyWhileTheClientTakesBytes) {
    EXPECT_NE(ready() & EPOLLOUT, 0u);
    peer_->set_room(4);
    const std::uint8_t bytes[] = {9, 8, 7, 6, 5, 4};
    auto result = transport_.write(bytes, sizeof bytes);
    ASSERT_EQ(result.status, net::IoResult::Status::ok);
    EXPECT_EQ(result.bytes, 4u);  // partial write
    EXPECT_EQ(ready() & EPOLLOUT, 0u);
    EXPECT_EQ(transport_.write(bytes, sizeof bytes).status, net::IoResult::Status::would_block);
    peer_->set_room(FakePeer::kUnlimited);
    EXPECT_NE(ready() & EPOLLOUT, 0u);
    EXPECT_EQ(transport_.write(bytes + 4, 2).bytes, 2u);
    EXPECT_EQ(peer_->take_output(), (std::vector<std::uint8_t>{9, 8, 7, 6, 5, 4}));
    EXPECT_TRUE(peer_->take_output().empty());
}

TEST_F(FakeTransportTest, CloseIsReadAfterThePushedBytes) {
    const std::uint8_t bytes[] = {1};
    peer_->push(bytes);
    peer_->close_input();
    std::uint8_t buffer[8];
    EXPECT_EQ(transport_.read(buffer, sizeof buffer).bytes, 1u);
    EXPECT_NE(ready() & EPOLLIN, 0u);  // end of stream stays readable
    EXPECT_EQ(transport_.read(buffer, sizeof buffer).status, net::IoResult::Status::closed);
}

TEST_F(FakeTransportTest, ResetReportsHangUpWhateverTheInterest) {
    epoll_event ev{};
    ev.events = 0;  // neither reading nor writing
    ASSERT_EQ(::epoll_ctl(epoll_, EPOLL_CTL_MOD, transport_.fd(), &ev), 0);
    EXPECT_EQ(ready(), 0u);
    peer_->reset();
    EXPECT_NE(ready() & EPOLLHUP, 0u);
    std::uint8_t buffer[8];
    EXPECT_EQ(transport_.read(buffer, sizeof buffer).status, net::IoResult::Status::error);
    EXPECT_EQ(transport_.write(buffer, 1).status, net::IoResult::Status::closed);
}

TEST_F(FakeTransportTest, DestroyingTheTransportIsSeenByThePeer) {
    auto peer = std::make_shared<FakePeer>();
    {
        FakeTransport transport(peer, "192.0.2.1:2");
        EXPECT_TRUE(peer->transport_alive());
    }
    EXPECT_FALSE(peer->transport_alive());
}

}  // namespace
}  // namespace akasa::broker::harness
