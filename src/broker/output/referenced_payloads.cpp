#include "broker/output/referenced_payloads.h"

namespace akasa::broker {

void ReferencedPayloads::add(std::size_t at, MessagePtr message) {
    bytes_ += message->payload.size();
    entries_.push_back({at, std::move(message)});
}

std::span<const std::uint8_t> ReferencedPayloads::front_rest() const {
    const std::string_view payload = entries_.front().message->payload;
    return {reinterpret_cast<const std::uint8_t*>(payload.data()) + front_sent_,
            payload.size() - front_sent_};
}

void ReferencedPayloads::sent(std::size_t n) {
    front_sent_ += n;
    bytes_ -= n;
    if (front_sent_ == entries_.front().message->payload.size()) {
        entries_.pop_front();
        front_sent_ = 0;
    }
}

void ReferencedPayloads::rebase(std::size_t n) {
    for (auto& entry : entries_)
        entry.at -= n;
}

}  // namespace akasa::broker
