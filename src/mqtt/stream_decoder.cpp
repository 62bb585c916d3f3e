#include "mqtt/decoder.h"

namespace akasa::mqtt {

StreamDecoder::StreamDecoder(ProtocolVersion version, uint32_t max_packet_size)
    : version_(version), max_packet_size_(max_packet_size) {}

void StreamDecoder::feed(std::span<const uint8_t> bytes) {
    // Drop what earlier packets consumed before growing, so the buffer holds at most one
    // partial packet plus the new bytes.
    if (consumed_ > 0) {
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_));
        consumed_ = 0;
    }
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

StreamDecoder::Status StreamDecoder::next(Packet& out) {
    if (status_ == Status::Error) return status_;
    const std::span<const uint8_t> pending(buffer_.data() + consumed_, buffer_.size() - consumed_);
    const HeaderResult header = decode_fixed_header(pending, max_packet_size_);
    if (header.status == HeaderStatus::Error) {
        error_ = header.error;
        return status_ = Status::Error;
    }
    if (header.status == HeaderStatus::NeedMore || pending.size() < header.header.packet_size()) {
        return status_ = Status::NeedMore;
    }
    const auto body = pending.subspan(header.header.header_size, header.header.remaining_length);
    if (auto decode_error = decode_packet(header.header, body, version_, out)) {
        error_ = *decode_error;
        return status_ = Status::Error;
    }
    consumed_ += header.header.packet_size();
    if (const auto* connect = std::get_if<Connect>(&out)) version_ = connect->version;
    return status_ = Status::Packet;
}

}  // namespace akasa::mqtt
