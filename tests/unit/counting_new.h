// Replaces the global operator new of a test binary with one that counts calls, for tests
// that prove a path allocates nothing. Include it in exactly one file per test binary (it
// defines the replacement functions, which may not be inline).
#pragma once

#include <atomic>
#include <cstdlib>
#include <new>

namespace akasa::testing {
inline std::atomic<long> g_allocations{0};

// operator new calls so far in this process.
inline long allocations() {
    return g_allocations.load(std::memory_order_relaxed);
}
}  // namespace akasa::testing

// GCC sees std::free on memory from operator new and warns (-Wmismatched-new-delete), but
// these replacements pair malloc with free themselves.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
    akasa::testing::g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
// The nothrow form too (std::inplace_merge's temporary buffer): otherwise the sanitizers'
// own nothrow new allocates what the free above releases (alloc-dealloc-mismatch).
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    akasa::testing::g_allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
#pragma GCC diagnostic pop
