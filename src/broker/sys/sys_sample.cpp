#include "broker/sys/sys_sample.h"

#include <malloc.h>

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
// The ASan runtime's own count (sanitizer/allocator_interface.h, which GCC does not ship).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

#include "broker/metrics/broker_metrics.h"

namespace akasa::broker::sys {

namespace {

std::uint64_t count(const metrics::Registry& r, std::string_view name,
                    const metrics::Labels& labels = {}) {
    return static_cast<std::uint64_t>(r.value(name, labels));
}

// The PUBLISH counters are labelled by QoS.
std::uint64_t all_qos(const metrics::Registry& r, std::string_view name) {
    std::uint64_t sum = 0;
    for (const char* qos : {"0", "1", "2"})
        sum += count(r, name, {{"qos", qos}});
    return sum;
}

}  // namespace

SysSample sample_from_metrics(const metrics::Registry& r, std::uint64_t uptime_seconds) {
    namespace name = metrics::name;
    return SysSample{.uptime_seconds = uptime_seconds,
                     .clients_connected = count(r, name::kClientsOnline),
                     .clients_total = count(r, name::kSessions),
                     .publish_received = all_qos(r, name::kMessagesReceived),
                     .publish_sent = all_qos(r, name::kMessagesSent),
                     .bytes_received = count(r, name::kBytesReceived),
                     .bytes_sent = count(r, name::kBytesSent),
                     .sockets_accepted = count(r, name::kConnectionsTotal),
                     .retained_messages = count(r, name::kRetainedMessages),
                     .subscriptions = count(r, name::kSubscriptions),
                     .heap_bytes = heap_in_use()};
}

std::uint64_t heap_in_use() {
#if defined(__SANITIZE_ADDRESS__)
    // ASan replaces malloc, and glibc's mallinfo2() then reports nothing: ask its allocator.
    return static_cast<std::uint64_t>(__sanitizer_get_current_allocated_bytes());
#elif defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    const struct mallinfo2 info = ::mallinfo2();
    return static_cast<std::uint64_t>(info.uordblks) + static_cast<std::uint64_t>(info.hblkhd);
#else
    return 0;
#endif
}

}  // namespace akasa::broker::sys
