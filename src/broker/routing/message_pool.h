// Recycles the memory blocks of messages so the publish path does not call malloc.
//
// Each published message is one block (reference counts, the Message, then topic and
// payload bytes). Blocks up to kMaxPooledBytes come from per-thread free lists in
// power-of-two size classes; a freed block goes back to the list of the thread that frees
// it, up to kMaxCachedBytesPerClass per class. Beyond that, blocks go in 64 KiB batches to
// a shared depot (one mutex operation per batch, at most 8 MiB per class, the system
// allocator beyond), where a thread whose own list ran dry takes them before it asks the
// system. So the steady state allocates nothing, also with several workers where messages
// are published on one and released on another in uneven numbers.
//
// Under AddressSanitizer every call goes to the system allocator, so ASan still sees each
// block's lifetime (a pooled block would hide a use after free).
#pragma once

#include <cstddef>

namespace akasa::broker::message_pool {

inline constexpr std::size_t kMinClassBytes = 128;
inline constexpr std::size_t kMaxPooledBytes = 4096;
inline constexpr std::size_t kMaxCachedBytesPerClass = std::size_t{1} << 20;

// Memory for `bytes` bytes, aligned for any object (max_align_t); throws std::bad_alloc.
void* allocate(std::size_t bytes);
// Returns a block from allocate(); `bytes` must be the size it was allocated with.
void deallocate(void* block, std::size_t bytes) noexcept;

// False in sanitizer builds, where every block comes from the system allocator.
bool pooling_enabled() noexcept;

// This thread's cache, for tests: blocks held per size class (0 = kMinClassBytes).
std::size_t cached_blocks(std::size_t size_class) noexcept;

}  // namespace akasa::broker::message_pool
