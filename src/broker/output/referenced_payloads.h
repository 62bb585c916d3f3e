// Large PUBLISH payloads in one connection's output, sent from the message that holds them
// instead of copied into the connection's output buffer (ConnectionOutput::append_publish):
// the PUBLISH up to its payload is copied into the buffer, and the payload follows from the
// shared, immutable message. A message fanned out to N clients that read slowly so costs its
// payload once, not N times: a 17 MB message to 8 clients that did not read cost 8 copies
// (160 MiB) before.
//
//   ReferencedPayloads refs;
//   refs.add(out.size(), message);               // after the bytes written so far
//   while (!refs.empty() && sent == refs.front_at()) {
//       auto rest = refs.front_rest(); ...write(rest)...; refs.sent(n);
//   }
//   out.erase(out.begin(), out.begin() + k); refs.rebase(k);   // buffer compacted
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>

#include "broker/routing/message.h"

namespace akasa::broker {

class ReferencedPayloads {
  public:
    // `message`'s payload goes out once the output buffer was sent up to offset `at`.
    // Offsets never decrease from one call to the next.
    void add(std::size_t at, MessagePtr message);

    bool empty() const { return entries_.empty(); }
    // Payload bytes not sent yet.
    std::size_t bytes() const { return bytes_; }
    // Where the next payload goes in the output buffer.
    std::size_t front_at() const { return entries_.front().at; }
    // The next payload's bytes not sent yet.
    std::span<const std::uint8_t> front_rest() const;
    // `n` bytes of front_rest() were sent; the entry is dropped once all of it was.
    void sent(std::size_t n);
    // The output buffer dropped its first `n` bytes (all sent, so at or before every entry).
    void rebase(std::size_t n);

  private:
    struct Entry {
        std::size_t at;
        MessagePtr message;  // keeps the payload alive until it is sent
    };
    std::deque<Entry> entries_;
    std::size_t front_sent_ = 0;
    std::size_t bytes_ = 0;
};

}  // namespace akasa::broker
