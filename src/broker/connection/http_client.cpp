#include "broker/connection/http_client.h"

#include <sys/epoll.h>

#include <spdlog/spdlog.h>

#include "broker/worker/worker.h"

namespace akasa::broker {
namespace {

// Responses are small; a client that pipelines requests without reading the answers is
// not read from while this much output waits (its deadline then closes it).
constexpr std::size_t kMaxPendingOutput = 64 * 1024;
constexpr std::size_t kReadChunk = 4096;
constexpr int kMaxReadsPerWakeup = 16;

}  // namespace

HttpClient::HttpClient(Worker& worker, std::unique_ptr<net::Transport> transport,
                       const net::http::HttpService& service, Clock::time_point deadline)
    : worker_(worker),
      transport_(std::move(transport)),
      http_(service),
      max_input_(service.options().max_head_size + kReadChunk),
      deadline_(deadline) {
    interest_ = EPOLLIN;
    worker_.loop().add(transport_->fd(), interest_, this);
}

HttpClient::~HttpClient() = default;

void HttpClient::on_io(std::uint32_t events) {
    if (closed_) return;
    if (events & (EPOLLERR | EPOLLHUP)) {
        close();
        return;
    }
    if (events & EPOLLOUT) flush_output();
    if (!closed_ && (events & EPOLLIN)) read_input();
    if (!closed_) flush_output();
    if (!closed_) update_interest();
}

void HttpClient::read_input() {
    // The HttpService answers 431 to a head over max_head_size, so a partial request left
    // in input_ stays under max_input_; the check is a second bound, not the rule.
    // Bounded per wakeup, like MQTT reads, so a client streaming bytes cannot hold the loop.
    for (int round = 0; round < kMaxReadsPerWakeup; ++round) {
        if (closed_ || !wants_input()) return;
        std::uint8_t* room = input_.prepare(kReadChunk);
        auto result = transport_->read(room, kReadChunk);
        if (result.status == net::IoResult::Status::would_block) return;
        if (result.status == net::IoResult::Status::closed && !output_.empty()) {
            // The client finished sending (a half-close after its request): it still gets
            // the responses already queued, then the connection closes.
            peer_finished_ = true;
            closing_ = true;
            input_.clear();
            return;
        }
        if (result.status != net::IoResult::Status::ok) {
            close();
            return;
        }
        if (write_shut_ || closing_) continue;  // draining after our last response
        input_.commit(result.bytes);
        const std::size_t before = output_.size();
        if (http_.on_input(input_, output_) == net::http::HttpConnection::Status::Close) {
            closing_ = true;
            input_.clear();
        }
        if (output_.size() != before) {
            // A request was answered: the client gets a fresh connect_timeout for the next.
            deadline_ = worker_.now() + worker_.config().connect_timeout;
        }
    }
}

void HttpClient::flush_output() {
    while (!output_.empty()) {
        auto result = transport_->write(output_.data(), output_.size());
        if (result.status == net::IoResult::Status::would_block) break;
        if (result.status != net::IoResult::Status::ok) {
            close();
            return;
        }
        output_.consume(result.bytes);
    }
    output_.shrink_if_idle(kReadChunk);
    if (peer_finished_ && output_.empty()) {
        close();
        return;
    }
    if (closing_ && output_.empty() && !write_shut_) {
        // Send FIN and read until the client closes: closing with unread input (a request
        // body) would reset the connection and could destroy the response in flight.
        transport_->shutdown_write();
        write_shut_ = true;
    }
}

bool HttpClient::wants_input() const {
    if (peer_finished_ || output_.size() > kMaxPendingOutput) return false;
    return closing_ || input_.size() < max_input_;
}

void HttpClient::update_interest() {
    std::uint32_t wanted = 0;
    if (wants_input()) wanted |= EPOLLIN;
    if (!output_.empty()) wanted |= EPOLLOUT;
    if (wanted == interest_) return;
    interest_ = wanted;
    try {
        worker_.loop().modify(transport_->fd(), interest_, this);
    } catch (const std::exception& e) {
        spdlog::warn("http connection from {}: {}", transport_->peer_address(), e.what());
        close();
    }
}

void HttpClient::tick(Clock::time_point now) {
    if (!closed_ && now >= deadline_) close();
}

void HttpClient::close() {
    if (closed_) return;
    closed_ = true;
    worker_.retire_http(*this);
}

}  // namespace akasa::broker
