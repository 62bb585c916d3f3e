// Helpers shared by the fuzz targets (fuzz/README.md): how a property violation is reported,
// and how an input is cut into the reads a socket could have delivered it in.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

namespace akasa::fuzz {

// A property does not hold: abort, so libFuzzer keeps the input as a crash artifact.
[[noreturn]] inline void fail(const char* target, const char* what) {
    std::fprintf(stderr, "%s: %s\n", target, what);
    std::abort();
}

// Cuts `data` into pieces whose sizes cycle through `sizes` (each 1 + byte % 16), so one
// input exercises a parser resuming at many different offsets. Empty `sizes`: one piece.
inline std::vector<std::span<const std::uint8_t>> split_reads(std::span<const std::uint8_t> data,
                                                              std::span<const std::uint8_t> sizes) {
    std::vector<std::span<const std::uint8_t>> reads;
    std::size_t at = 0;
    std::size_t next = 0;
    while (at < data.size()) {
        std::size_t n = sizes.empty() ? data.size() : 1 + sizes[next++ % sizes.size()] % 16;
        n = std::min(n, data.size() - at);
        reads.push_back(data.subspan(at, n));
        at += n;
    }
    return reads;
}

}  // namespace akasa::fuzz
