#include "broker/sys/sys_tree.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace akasa::broker::sys {

namespace {

constexpr double kLoadPeriodsSeconds[3] = {60, 300, 900};
constexpr std::string_view kLoadSuffixes[3] = {"1min", "5min", "15min"};

}  // namespace

void SysTree::set(std::vector<SysMessage>& out, std::string topic, std::string payload) {
    auto it = published_.find(topic);
    if (it != published_.end() && it->second == payload) return;
    if (it == published_.end()) {
        published_.emplace(topic, payload);
    } else {
        it->second = payload;
    }
    out.push_back({std::move(topic), std::move(payload)});
}

void SysTree::add_load(std::vector<SysMessage>& out, std::string_view name, Load& load,
                       std::uint64_t total, double elapsed_seconds) {
    if (!first_ && elapsed_seconds > 0) {
        // A counter only grows; a smaller one (never expected) counts as no traffic.
        const std::uint64_t delta = total >= load.last ? total - load.last : 0;
        const double per_minute = static_cast<double>(delta) * 60.0 / elapsed_seconds;
        for (int i = 0; i < 3; ++i) {
            const double decay = std::exp(-elapsed_seconds / kLoadPeriodsSeconds[i]);
            load.average[i] = per_minute + decay * (load.average[i] - per_minute);
        }
    }
    load.last = total;
    for (int i = 0; i < 3; ++i) {
        set(out, fmt::format("$SYS/broker/load/{}/{}", name, kLoadSuffixes[i]),
            fmt::format("{:.2f}", load.average[i]));
    }
}

std::vector<SysMessage> SysTree::update(const SysSample& s, double elapsed_seconds) {
    std::vector<SysMessage> out;
    auto number = [](std::uint64_t n) { return fmt::format("{}", n); };
    set(out, "$SYS/broker/version", version_);
    set(out, "$SYS/broker/uptime", fmt::format("{} seconds", s.uptime_seconds));

    clients_maximum_ = std::max(clients_maximum_, s.clients_total);
    set(out, "$SYS/broker/clients/connected", number(s.clients_connected));
    set(out, "$SYS/broker/clients/disconnected",
        number(s.clients_total - std::min(s.clients_total, s.clients_connected)));
    set(out, "$SYS/broker/clients/total", number(s.clients_total));
    set(out, "$SYS/broker/clients/maximum", number(clients_maximum_));

    // mosquitto's messages/* count every packet type; ours count PUBLISH packets, as
    // publish/messages/* do (docs/listeners.md says so).
    set(out, "$SYS/broker/messages/received", number(s.publish_received));
    set(out, "$SYS/broker/messages/sent", number(s.publish_sent));
    set(out, "$SYS/broker/publish/messages/received", number(s.publish_received));
    set(out, "$SYS/broker/publish/messages/sent", number(s.publish_sent));
    set(out, "$SYS/broker/bytes/received", number(s.bytes_received));
    set(out, "$SYS/broker/bytes/sent", number(s.bytes_sent));

    add_load(out, "messages/received", loads_["messages/received"], s.publish_received,
             elapsed_seconds);
    add_load(out, "messages/sent", loads_["messages/sent"], s.publish_sent, elapsed_seconds);
    add_load(out, "publish/received", loads_["publish/received"], s.publish_received,
             elapsed_seconds);
    add_load(out, "publish/sent", loads_["publish/sent"], s.publish_sent, elapsed_seconds);
    add_load(out, "bytes/received", loads_["bytes/received"], s.bytes_received, elapsed_seconds);
    add_load(out, "bytes/sent", loads_["bytes/sent"], s.bytes_sent, elapsed_seconds);
    add_load(out, "sockets", loads_["sockets"], s.sockets_accepted, elapsed_seconds);

    set(out, "$SYS/broker/retained messages/count", number(s.retained_messages));
    set(out, "$SYS/broker/subscriptions/count", number(s.subscriptions));
    if (s.heap_bytes != 0) {
        heap_maximum_ = std::max(heap_maximum_, s.heap_bytes);
        set(out, "$SYS/broker/heap/current", number(s.heap_bytes));
        set(out, "$SYS/broker/heap/maximum", number(heap_maximum_));
    }
    first_ = false;
    return out;
}

}  // namespace akasa::broker::sys
