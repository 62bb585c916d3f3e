// A SysSample read from the metrics registry the broker fills for GET /metrics
// (Broker::collect_metrics sums every worker's counters into it), plus the heap in use.
#pragma once

#include <cstdint>

#include "broker/sys/sys_tree.h"
#include "metrics/registry.h"

namespace akasa::broker::sys {

// `registry` holds the families of broker_metrics.h, filled.
SysSample sample_from_metrics(const metrics::Registry& registry, std::uint64_t uptime_seconds);

// Bytes allocated through malloc and not freed (glibc's mallinfo2: arenas and mmapped
// blocks); 0 when the allocator does not say.
std::uint64_t heap_in_use();

}  // namespace akasa::broker::sys
