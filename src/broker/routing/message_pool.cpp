#include "broker/routing/message_pool.h"

#include <array>
#include <bit>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define AKASA_MESSAGE_POOL_DISABLED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AKASA_MESSAGE_POOL_DISABLED 1
#endif
#endif

namespace akasa::broker::message_pool {
namespace {

constexpr std::size_t kClassCount =
    std::countr_zero(kMaxPooledBytes) - std::countr_zero(kMinClassBytes) + 1;

// Size class of a request: 0 for <= 128 bytes, 1 for <= 256, ... up to 4096. (Unused under
// ASan, where the pool is bypassed.)
[[maybe_unused]] std::size_t class_of(std::size_t bytes) noexcept {
    const std::size_t rounded = std::bit_ceil(bytes < kMinClassBytes ? kMinClassBytes : bytes);
    return static_cast<std::size_t>(std::countr_zero(rounded) - std::countr_zero(kMinClassBytes));
}

constexpr std::size_t class_bytes(std::size_t size_class) noexcept {
    return kMinClassBytes << size_class;
}

struct FreeBlock {
    FreeBlock* next;
};

// One thread's free lists. Trivially destructible on purpose: a message freed while the
// thread exits (after CacheReleaser ran) must still find a valid, closed cache.
struct ThreadCache {
    std::array<FreeBlock*, kClassCount> heads{};
    std::array<std::size_t, kClassCount> counts{};
    bool closed = false;
};

thread_local ThreadCache cache;

// Gives the cached blocks back to the system when the thread ends.
struct CacheReleaser {
    bool armed = false;
    ~CacheReleaser() {
        for (std::size_t c = 0; c < kClassCount; ++c) {
            while (FreeBlock* block = cache.heads[c]) {
                cache.heads[c] = block->next;
                ::operator delete(block);
            }
            cache.counts[c] = 0;
        }
        cache.closed = true;
    }
};

thread_local CacheReleaser releaser;

}  // namespace

void* allocate(std::size_t bytes) {
#ifndef AKASA_MESSAGE_POOL_DISABLED
    if (bytes <= kMaxPooledBytes) {
        const std::size_t c = class_of(bytes);
        if (FreeBlock* block = cache.heads[c]) {
            cache.heads[c] = block->next;
            --cache.counts[c];
            return block;
        }
        return ::operator new(class_bytes(c));
    }
#endif
    return ::operator new(bytes);
}

void deallocate(void* block, std::size_t bytes) noexcept {
#ifndef AKASA_MESSAGE_POOL_DISABLED
    if (bytes <= kMaxPooledBytes) {
        const std::size_t c = class_of(bytes);
        if (!cache.closed && cache.counts[c] * class_bytes(c) < kMaxCachedBytesPerClass) {
            releaser.armed = true;  // the first use on a thread registers its destructor
            cache.heads[c] = new (block) FreeBlock{cache.heads[c]};
            ++cache.counts[c];
            return;
        }
    }
#else
    (void)bytes;
#endif
    ::operator delete(block);
}

bool pooling_enabled() noexcept {
#ifdef AKASA_MESSAGE_POOL_DISABLED
    return false;
#else
    return true;
#endif
}

std::size_t cached_blocks(std::size_t size_class) noexcept {
    return size_class < kClassCount ? cache.counts[size_class] : 0;
}

}  // namespace akasa::broker::message_pool
