#include "net/closing_sockets.h"

#include <sys/epoll.h>

#include <spdlog/spdlog.h>

namespace akasa::net {
namespace {

constexpr std::size_t kScratchSize = 64 * 1024;
constexpr int kMaxReadsPerWakeup = 8;

}  // namespace

ClosingSockets::~ClosingSockets() {
    for (auto& [raw, entry] : lingering_)
        loop_.remove(raw->transport().fd());
}

void ClosingSockets::linger(std::unique_ptr<Transport> transport, Clock::time_point now) {
    if (!transport->begin_close() || lingering_.size() >= kMaxLingering) return;
    auto entry = std::make_unique<Entry>(*this, std::move(transport), now + kLinger);
    Entry* raw = entry.get();
    raw->interest = EPOLLIN | (raw->transport().has_pending_output() ? EPOLLOUT : 0u);
    try {
        loop_.add(raw->transport().fd(), raw->interest, raw);
    } catch (const std::exception& e) {
        spdlog::debug("closing {} at once: {}", raw->transport().peer_address(), e.what());
        return;  // the entry closes the socket now
    }
    lingering_.emplace(raw, std::move(entry));
}

void ClosingSockets::expire(Clock::time_point now) {
    finished_.clear();
    std::vector<Entry*> overdue;
    for (auto& [raw, entry] : lingering_) {
        if (now >= raw->deadline()) overdue.push_back(raw);
    }
    for (Entry* raw : overdue)
        finish(*raw);
    finished_.clear();  // not in a poll: nothing can still refer to them
}

void ClosingSockets::finish(Entry& entry) {
    auto it = lingering_.find(&entry);
    if (it == lingering_.end()) return;
    loop_.remove(entry.transport().fd());
    finished_.push_back(std::move(it->second));
    lingering_.erase(it);
}

void ClosingSockets::Entry::on_io(std::uint32_t events) {
    if (!owner_.lingering_.contains(this)) return;  // finished earlier in this poll
    if ((events & EPOLLOUT) || transport_->has_pending_output()) {
        const IoResult sent = transport_->flush();
        if (sent.status == IoResult::Status::closed || sent.status == IoResult::Status::error) {
            owner_.finish(*this);
            return;
        }
    }
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        auto& scratch = owner_.scratch_;
        if (scratch.empty()) scratch.resize(kScratchSize);
        for (int i = 0; i < kMaxReadsPerWakeup; ++i) {
            // The client's answer (its close frame, its close_notify) or its last bytes:
            // read through the layers and thrown away, until it closes or misbehaves.
            const IoResult r = transport_->read(scratch.data(), scratch.size());
            if (r.status == IoResult::Status::would_block) break;
            if (r.status != IoResult::Status::ok) {
                owner_.finish(*this);
                return;
            }
        }
    }
    const std::uint32_t wanted = EPOLLIN | (transport_->has_pending_output() ? EPOLLOUT : 0u);
    if (wanted != interest) {
        interest = wanted;
        try {
            owner_.loop_.modify(transport_->fd(), interest, this);
        } catch (const std::exception&) {
            owner_.finish(*this);
        }
    }
}

}  // namespace akasa::net
