#include "latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace akasa::bench {

void LatencyHistogram::merge(const LatencyHistogram& other) {
    for (int i = 0; i < kBucketCount; ++i)
        counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    max_ = std::max(max_, other.max_);
    min_ = std::min(min_, other.min_);
}

std::uint64_t LatencyHistogram::upper_edge_of(int index) {
    if (index < 2 * kSubBuckets) return static_cast<std::uint64_t>(index);
    const int shift = index / kSubBuckets - 1;
    const std::uint64_t mantissa = static_cast<std::uint64_t>(index - shift * kSubBuckets);
    return ((mantissa + 1) << shift) - 1;
}

std::uint64_t LatencyHistogram::quantile(double q) const {
    if (count_ == 0) return 0;
    q = std::clamp(q, 0.0, 1.0);
    // The rank of the wanted sample, 1-based: p50 of 10 samples is the 5th.
    const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * count_)));
    std::uint64_t seen = 0;
    for (int i = 0; i < kBucketCount; ++i) {
        seen += counts_[i];
        if (seen >= rank) return std::min(upper_edge_of(i), max_);
    }
    return max_;
}

}  // namespace akasa::bench
