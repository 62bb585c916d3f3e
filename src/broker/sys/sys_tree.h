// The $SYS topics (docs/listeners.md, "$SYS topics"): mosquitto's names and value formats
// where our meaning is the same, computed from one sample of the broker's counters.
//
// Files: sys_tree.{h,cpp} (this: names, values, load averages; no I/O), sys_sample.{h,cpp}
// (a SysSample from the metrics registry the workers' counters are summed into),
// sys_publisher.{h,cpp} (the periodic publication on worker 0's tick).
//
//   SysTree tree("akasa version 0.1.0");
//   for (const SysMessage& m : tree.update(sample, 10.0)) publish_retained(m.topic, m.payload);
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace akasa::broker::sys {

// True for a topic whose first level is `$SYS`.
inline bool is_sys_topic(std::string_view topic) {
    constexpr std::string_view kRoot = "$SYS";
    return topic.starts_with(kRoot) && (topic.size() == kRoot.size() || topic[kRoot.size()] == '/');
}

// `$SYS/broker/connection/{one level}/state`: where mosquitto's bridges publish their state
// (and set their will), the one `$SYS` topic mosquitto leaves to the ACL.
inline bool is_bridge_state_topic(std::string_view topic) {
    constexpr std::string_view kPrefix = "$SYS/broker/connection/";
    constexpr std::string_view kSuffix = "/state";
    if (!topic.starts_with(kPrefix) || !topic.ends_with(kSuffix)) return false;
    if (topic.size() < kPrefix.size() + kSuffix.size()) return false;
    const auto middle =
        topic.substr(kPrefix.size(), topic.size() - kPrefix.size() - kSuffix.size());
    return middle.find('/') == std::string_view::npos;
}

// The server's own topics: clients may read them (ACL permitting) but never publish there
// (PUBLISH or will), and they are not persisted. Every `$SYS` topic but the bridge state.
inline bool is_server_topic(std::string_view topic) {
    return is_sys_topic(topic) && !is_bridge_state_topic(topic);
}

// What the broker looks like at one publication.
struct SysSample {
    std::uint64_t uptime_seconds = 0;
    std::uint64_t clients_connected = 0;  // online sessions
    std::uint64_t clients_total = 0;      // sessions, online or offline
    std::uint64_t publish_received = 0;   // PUBLISH packets, all QoS
    std::uint64_t publish_sent = 0;
    std::uint64_t bytes_received = 0;
    std::uint64_t bytes_sent = 0;
    std::uint64_t sockets_accepted = 0;  // network connections accepted
    std::uint64_t retained_messages = 0;
    std::uint64_t subscriptions = 0;
    std::uint64_t heap_bytes = 0;  // allocated by malloc now (0: unknown)
};

struct SysMessage {
    std::string topic;
    std::string payload;
};

class SysTree {
  public:
    explicit SysTree(std::string version) : version_(std::move(version)) {}

    // The topics whose value differs from the one last returned (all of them the first
    // time), given `sample` taken `elapsed_seconds` after the previous one (ignored the
    // first time). The load averages move by mosquitto's formula: the rate per minute over
    // the elapsed time, folded into an exponential moving average over 1, 5 and 15 minutes.
    std::vector<SysMessage> update(const SysSample& sample, double elapsed_seconds);

  private:
    // One counter's moving averages of its rate per minute.
    struct Load {
        std::uint64_t last = 0;
        double average[3] = {0, 0, 0};  // 1, 5, 15 minutes
    };
    void set(std::vector<SysMessage>& out, std::string topic, std::string payload);
    void add_load(std::vector<SysMessage>& out, std::string_view name, Load& load,
                  std::uint64_t total, double elapsed_seconds);

    std::string version_;
    bool first_ = true;
    std::uint64_t clients_maximum_ = 0;
    std::uint64_t heap_maximum_ = 0;
    std::map<std::string, Load, std::less<>> loads_;
    std::map<std::string, std::string, std::less<>> published_;  // topic -> last payload
};

}  // namespace akasa::broker::sys
