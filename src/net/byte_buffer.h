// A growable byte queue: append at the back, consume from the front. Used for a
// connection's unparsed input tail and its coalesced output. Starts with no storage (idle
// connections cost nothing) and gives memory back once drained.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace akasa::net {

class ByteBuffer {
  public:
    ByteBuffer() = default;
    ByteBuffer(ByteBuffer&&) noexcept = default;
    ByteBuffer& operator=(ByteBuffer&&) noexcept = default;

    const std::uint8_t* data() const { return storage_.get() + begin_; }
    std::uint8_t* data() { return storage_.get() + begin_; }
    std::size_t size() const { return end_ - begin_; }
    bool empty() const { return begin_ == end_; }
    std::size_t capacity() const { return capacity_; }
    std::span<const std::uint8_t> readable() const { return {data(), size()}; }

    void append(const void* bytes, std::size_t n) {
        if (n == 0) return;
        std::memcpy(prepare(n), bytes, n);
        end_ += n;
    }
    void append(std::span<const std::uint8_t> bytes) { append(bytes.data(), bytes.size()); }

    // Returns room for at least n bytes at the back; call commit(k) after writing k <= n.
    std::uint8_t* prepare(std::size_t n);
    void commit(std::size_t n) { end_ += n; }

    // Drops n bytes from the front (n <= size()).
    void consume(std::size_t n) {
        begin_ += n;
        if (begin_ == end_) begin_ = end_ = 0;
    }

    // Frees the storage when empty and larger than `keep` bytes.
    void shrink_if_idle(std::size_t keep = 16 * 1024) {
        if (empty() && capacity_ > keep) {
            storage_.reset();
            capacity_ = 0;
        }
    }

    void clear() { begin_ = end_ = 0; }

    // Drops the contents and frees the storage (a connection gone idle for good).
    void release() {
        storage_.reset();
        capacity_ = begin_ = end_ = 0;
    }

  private:
    std::unique_ptr<std::uint8_t[]> storage_;
    std::size_t capacity_ = 0;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

}  // namespace akasa::net
