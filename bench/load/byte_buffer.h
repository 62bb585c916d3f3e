// A growable byte queue for socket I/O: bytes are appended at the tail (encoded packets,
// or a read() into prepare()) and consumed from the head (write() or the decoder). It keeps
// its storage between uses so the steady state allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace akasa::bench {

class ByteBuffer {
  public:
    ByteBuffer() = default;
    ByteBuffer(const ByteBuffer&) = delete;
    ByteBuffer& operator=(const ByteBuffer&) = delete;
    ByteBuffer(ByteBuffer&&) = default;
    ByteBuffer& operator=(ByteBuffer&&) = default;

    std::size_t size() const { return tail_ - head_; }
    bool empty() const { return head_ == tail_; }
    const std::uint8_t* data() const { return storage_.get() + head_; }
    std::span<const std::uint8_t> readable() const { return {data(), size()}; }

    // Drops `n` bytes from the head (n <= size()).
    void consume(std::size_t n) {
        head_ += n;
        if (head_ == tail_) head_ = tail_ = 0;
    }

    // Returns room for at least `n` bytes at the tail; commit() what was actually written.
    std::uint8_t* prepare(std::size_t n) {
        if (capacity_ - tail_ < n) make_room(n);
        return storage_.get() + tail_;
    }
    void commit(std::size_t n) { tail_ += n; }
    std::size_t tail_room() const { return capacity_ - tail_; }

    void append(const void* bytes, std::size_t n) {
        std::memcpy(prepare(n), bytes, n);
        commit(n);
    }
    void append(std::span<const std::uint8_t> bytes) { append(bytes.data(), bytes.size()); }

    // Releases the storage (used when a connection goes idle for good).
    void release() {
        storage_.reset();
        capacity_ = head_ = tail_ = 0;
    }

  private:
    void make_room(std::size_t n) {
        const std::size_t used = size();
        if (head_ > 0 && capacity_ - used >= n) {  // enough room once the head is reclaimed
            std::memmove(storage_.get(), storage_.get() + head_, used);
        } else {
            std::size_t capacity = capacity_ == 0 ? 256 : capacity_;
            while (capacity - used < n)
                capacity *= 2;
            auto grown = std::make_unique_for_overwrite<std::uint8_t[]>(capacity);
            if (used > 0) std::memcpy(grown.get(), storage_.get() + head_, used);
            storage_ = std::move(grown);
            capacity_ = capacity;
        }
        head_ = 0;
        tail_ = used;
    }

    std::unique_ptr<std::uint8_t[]> storage_;
    std::size_t capacity_ = 0;
    std::size_t head_ = 0;
    std::size_t tail_ = 0;
};

}  // namespace akasa::bench
