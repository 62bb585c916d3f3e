// One connection's output: the bytes written for its client and not yet taken by the socket,
// with large PUBLISH payloads sent from their messages rather than copied
// (referenced_payloads.h), and whether they must wait for the worker's open store batch.
// The connection encodes its answers into bytes(), appends deliveries with append_publish(),
// and calls write_to() when its socket is writable.
//
//   ConnectionOutput out;
//   mqtt::encode(puback, version, out.bytes());
//   out.append_publish(encoded, packet_id_offset, 17, /*dup=*/false, nullptr);
//   auto result = out.write_to(transport);   // result.lost: the connection is gone
//   out.discard();                           // closing without sending the rest
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "broker/output/referenced_payloads.h"
#include "broker/routing/message.h"
#include "net/transport.h"

namespace akasa::broker {

class ConnectionOutput {
  public:
    // Payloads from this size on are sent from the message rather than copied into the
    // output. Below it a copy is cheaper than a write of its own.
    static constexpr std::size_t kReferencedPayload = 64 * 1024;

    // Where encoders append a packet.
    std::vector<std::uint8_t>& bytes() { return out_; }
    // Appends an encoded PUBLISH (publish_encoder.h) with `packet_id` patched in at
    // `packet_id_offset` (0: QoS 0, none) and the DUP flag set when `dup`. With
    // `payload_from`, `encoded` ends before the payload, which follows from that message.
    // Inline: every delivery of a fan-out passes here (the call alone cost a tenth of it).
    void append_publish(std::span<const std::uint8_t> encoded, std::size_t packet_id_offset,
                        std::uint16_t packet_id, bool dup, const MessagePtr* payload_from) {
        const std::size_t start = out_.size();
        out_.insert(out_.end(), encoded.begin(), encoded.end());
        if (packet_id != 0) {
            out_[start + packet_id_offset] = static_cast<std::uint8_t>(packet_id >> 8);
            out_[start + packet_id_offset + 1] = static_cast<std::uint8_t>(packet_id & 0xFF);
        }
        if (dup) out_[start] |= 0x08;
        if (payload_from) add_referenced_payload(*payload_from);
    }

    // Bytes the client has not taken yet: copied ones and referenced payloads.
    std::size_t pending() const { return out_.size() - sent_ + (refs_ ? refs_->bytes() : 0); }
    bool empty() const { return sent_ == out_.size() && no_referenced_payload(); }
    // No large payload waits to be sent by reference.
    bool no_referenced_payload() const { return !refs_ || refs_->empty(); }

    struct WriteResult {
        std::size_t written = 0;  // bytes the socket took
        bool lost = false;        // the socket failed: the connection is gone
    };
    // Writes as much as `transport` takes now, then frees what was sent.
    WriteResult write_to(net::Transport& transport);
    // Forgets everything not sent (the connection is closing or lost).
    void discard();

    // What was just written stands for a write of the store batch `generation`
    // (persist_writer.h): it may leave only once that batch is committed.
    void await_store(std::uint64_t generation) { awaited_generation_ = generation + 1; }
    bool awaits_store() const { return awaited_generation_ != 0; }
    std::uint64_t awaited_generation() const { return awaited_generation_ - 1; }
    void store_committed() { awaited_generation_ = 0; }

  private:
    // The payload of the PUBLISH just appended follows from `message`, not from out_.
    void add_referenced_payload(const MessagePtr& message);
    // After a write: frees what was sent. Inline for its common case, everything sent.
    void compact() {
        if (sent_ == out_.size() && no_referenced_payload()) {
            out_.clear();
            sent_ = 0;
            if (refs_) refs_.reset();  // empty: a connection keeps it only while it is used
            if (out_.capacity() > kKeptCapacity) release_buffer();
        } else if (sent_ >= kKeptCapacity && sent_ >= out_.size() / 2) {
            drop_sent();
        }
    }
    // A large buffer is not kept for an idle connection.
    static constexpr std::size_t kKeptCapacity = 64 * 1024;
    void release_buffer();
    // A client that takes its output but never all of it: what it took goes, so that the
    // buffer holds what it has not taken, not everything it ever got.
    void drop_sent();

    std::vector<std::uint8_t> out_;
    std::size_t sent_ = 0;
    // Allocated by the first referenced payload.
    std::unique_ptr<ReferencedPayloads> refs_;
    std::uint64_t awaited_generation_ = 0;  // 0: nothing waits; else the generation + 1
};

}  // namespace akasa::broker
