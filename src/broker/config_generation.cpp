#include "broker/config_generation.h"

#include <utility>

#include "broker/flow/connection_flow.h"

namespace akasa::broker {
namespace {

// Frames are streamed, never buffered whole, and the MQTT decoder enforces
// max_packet_size_server itself; a frame may carry several packets, so allow some more.
net::websocket::FrameLimits frame_limits_for(const config::Config& config) {
    constexpr std::uint64_t kSlack = 1 << 20;
    const std::uint64_t limit = std::uint64_t{config.max_packet_size_server} + kSlack;
    return {.max_frame_payload = limit, .max_message_size = limit};
}

std::vector<std::unique_ptr<const ConfigGeneration>> only(config::Config config) {
    std::vector<std::unique_ptr<const ConfigGeneration>> all;
    all.push_back(std::make_unique<const ConfigGeneration>(std::move(config)));
    return all;
}

}  // namespace

ConfigGeneration::ConfigGeneration(config::Config c)
    : config(std::move(c)),
      limits(config.memory_limits, ConnectionFlow::kOutputPause),
      websocket_limits(frame_limits_for(config)) {}

ConfigGenerations::ConfigGenerations(config::Config first)
    : all_(only(std::move(first))), first_(all_.front().get()) {}

const ConfigGeneration& ConfigGenerations::add(config::Config next) {
    all_.push_back(std::make_unique<const ConfigGeneration>(std::move(next)));
    return *all_.back();
}

}  // namespace akasa::broker
