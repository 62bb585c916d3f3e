#include "net/byte_buffer.h"

#include <algorithm>

namespace akasa::net {

std::uint8_t* ByteBuffer::prepare(std::size_t n) {
    if (capacity_ - end_ >= n) return storage_.get() + end_;
    std::size_t used = size();
    if (capacity_ - used >= n && begin_ > 0 && used <= capacity_ / 2) {
        // Enough room if the live bytes move to the front.
        std::memmove(storage_.get(), storage_.get() + begin_, used);
    } else {
        std::size_t wanted = std::max<std::size_t>({used + n, capacity_ * 2, 256});
        auto grown = std::make_unique_for_overwrite<std::uint8_t[]>(wanted);
        if (used) std::memcpy(grown.get(), storage_.get() + begin_, used);
        storage_ = std::move(grown);
        capacity_ = wanted;
    }
    begin_ = 0;
    end_ = used;
    return storage_.get() + end_;
}

}  // namespace akasa::net
