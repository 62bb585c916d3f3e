#include "broker/routing/message_pool.h"

#include <array>
#include <bit>
#include <cstdlib>
#include <mutex>
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

// A list of free blocks of one class handed between threads as a whole.
struct Batch {
    FreeBlock* head = nullptr;
    std::size_t count = 0;
};

// Blocks handed over between threads in batches of this many bytes (so one lock per ~500
// small messages), and at most kMaxDepotBytesPerClass of them kept in the depot.
constexpr std::size_t kBatchBytes = 64 * 1024;
constexpr std::size_t kMaxDepotBytesPerClass = std::size_t{8} << 20;
constexpr std::size_t kMaxDepotBatches = kMaxDepotBytesPerClass / kBatchBytes;

constexpr std::size_t batch_blocks(std::size_t size_class) noexcept {
    return kBatchBytes / class_bytes(size_class);  // 512 .. 16
}

void free_to_system(FreeBlock* head) noexcept {
    while (head) {
        FreeBlock* next = head->next;
        ::operator delete(head);
        head = next;
    }
}

// Where blocks cross threads. With two workers, a message published on one and released
// on the other leaves a block in the releasing thread: once that thread's cache is full
// its surplus comes here, and a thread whose cache ran dry (the publishing side) takes a
// batch before asking the system. So an uneven split of publishers and subscribers
// between workers still allocates nothing per message. Fixed arrays: no allocation here.
class Depot {
  public:
    // False when the depot is full (the caller gives the blocks back to the system).
    bool put(std::size_t size_class, Batch batch) {
        std::lock_guard lock(mutex_);
        auto& count = counts_[size_class];
        if (count == kMaxDepotBatches) return false;
        batches_[size_class][count++] = batch;
        return true;
    }
    bool take(std::size_t size_class, Batch& batch) {
        std::lock_guard lock(mutex_);
        auto& count = counts_[size_class];
        if (count == 0) return false;
        batch = batches_[size_class][--count];
        return true;
    }

  private:
    std::mutex mutex_;
    std::array<std::array<Batch, kMaxDepotBatches>, kClassCount> batches_{};
    std::array<std::size_t, kClassCount> counts_{};
};

// Never destroyed: messages may be released by static destructors after this file's.
[[maybe_unused]] Depot& depot() {
    static Depot* const instance = new Depot;
    return *instance;
}

// One thread's free lists. Trivially destructible on purpose: a message freed while the
// thread exits (after CacheReleaser ran) must still find a valid, closed cache.
struct ThreadCache {
    std::array<FreeBlock*, kClassCount> heads{};
    std::array<std::size_t, kClassCount> counts{};
    // Blocks freed beyond kMaxCachedBytesPerClass, collected into the next depot batch.
    std::array<Batch, kClassCount> surplus{};
    bool closed = false;
};

thread_local ThreadCache cache;

// Gives the cached blocks back to the system when the thread ends.
struct CacheReleaser {
    bool armed = false;
    ~CacheReleaser() {
        for (std::size_t c = 0; c < kClassCount; ++c) {
            free_to_system(cache.heads[c]);
            cache.heads[c] = nullptr;
            cache.counts[c] = 0;
            free_to_system(cache.surplus[c].head);
            cache.surplus[c] = {};
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
        if (!cache.heads[c]) {
            // Dry: refill from this thread's surplus, else from the depot (blocks released
            // by another thread), and only then from the system.
            if (cache.closed) return ::operator new(class_bytes(c));  // the thread is ending
            releaser.armed = true;  // the refill is given back when this thread ends
            Batch refill;
            if (cache.surplus[c].head) {
                refill = cache.surplus[c];
                cache.surplus[c] = {};
            } else if (!depot().take(c, refill)) {
                return ::operator new(class_bytes(c));
            }
            cache.heads[c] = refill.head;
            cache.counts[c] = refill.count;
        }
        FreeBlock* block = cache.heads[c];
        cache.heads[c] = block->next;
        --cache.counts[c];
        return block;
    }
#endif
    return ::operator new(bytes);
}

void deallocate(void* block, std::size_t bytes) noexcept {
#ifndef AKASA_MESSAGE_POOL_DISABLED
    if (bytes <= kMaxPooledBytes) {
        const std::size_t c = class_of(bytes);
        if (!cache.closed) {
            releaser.armed = true;  // the first use on a thread registers its destructor
            if (cache.counts[c] * class_bytes(c) < kMaxCachedBytesPerClass) {
                cache.heads[c] = new (block) FreeBlock{cache.heads[c]};
                ++cache.counts[c];
                return;
            }
            // Full: collect a batch for the threads that allocate what this one frees.
            Batch& surplus = cache.surplus[c];
            surplus.head = new (block) FreeBlock{surplus.head};
            if (++surplus.count == batch_blocks(c)) {
                if (!depot().put(c, surplus)) free_to_system(surplus.head);
                surplus = {};
            }
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
