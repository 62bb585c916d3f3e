#include "broker/output/connection_output.h"

namespace akasa::broker {

void ConnectionOutput::add_referenced_payload(const MessagePtr& message) {
    if (!refs_) refs_ = std::make_unique<ReferencedPayloads>();
    refs_->add(out_.size(), message);
}

ConnectionOutput::WriteResult ConnectionOutput::write_to(net::Transport& transport) {
    WriteResult result;
    for (;;) {
        // The buffer up to the next referenced payload (or to its end), then that payload.
        const bool payload_next = refs_ && !refs_->empty() && sent_ == refs_->front_at();
        std::span<const std::uint8_t> chunk;
        if (payload_next) {
            chunk = refs_->front_rest();
        } else {
            const std::size_t end = refs_ && !refs_->empty() ? refs_->front_at() : out_.size();
            if (sent_ == end) break;
            chunk = {out_.data() + sent_, end - sent_};
        }
        const auto io = transport.write(chunk.data(), chunk.size());
        if (io.status == net::IoResult::Status::ok) {
            if (payload_next) {
                refs_->sent(io.bytes);
            } else {
                sent_ += io.bytes;
            }
            result.written += io.bytes;
            continue;
        }
        if (io.status == net::IoResult::Status::would_block) break;
        discard();
        result.lost = true;
        return result;
    }
    compact();
    return result;
}

void ConnectionOutput::release_buffer() {
    std::vector<std::uint8_t>().swap(out_);
}

void ConnectionOutput::drop_sent() {
    out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(sent_));
    if (refs_) refs_->rebase(sent_);
    sent_ = 0;
}

void ConnectionOutput::discard() {
    out_.clear();
    sent_ = 0;
    refs_.reset();
}

}  // namespace akasa::broker
