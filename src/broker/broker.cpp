#include "broker/broker.h"

#include <sched.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "broker/worker.h"
#include "net/socket.h"

namespace akasa::broker {

std::uint32_t effective_worker_count(std::uint32_t configured) {
    if (configured != 0) return configured;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) == 0) {
        int count = CPU_COUNT(&set);
        if (count > 0) return static_cast<std::uint32_t>(count);
    }
    long online = ::sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? static_cast<std::uint32_t>(online) : 1;
}

Broker::Broker(config::Config config, std::shared_ptr<const auth::PasswordFile> passwords)
    : context_(std::make_unique<BrokerContext>(std::move(config), std::move(passwords))) {}

Broker::~Broker() {
    stop();
}

std::uint32_t Broker::worker_count() const {
    return static_cast<std::uint32_t>(context_->workers.size());
}

void Broker::start() {
    const auto& config = context_->config;
    const std::uint32_t count = effective_worker_count(config.worker_threads);
    for (std::uint32_t i = 0; i < count; ++i) {
        context_->workers.push_back(std::make_unique<Worker>(*context_, i));
    }
    if (config.listeners.mqtt) {
        const auto& listener = *config.listeners.mqtt;
        auto endpoint = net::Endpoint::parse(listener.addr.to_string());
        if (!endpoint)
            throw std::runtime_error("bad listener address " + listener.addr.to_string());
        if (listener.reuse_port) {
            for (auto& worker : context_->workers) {
                worker->add_listener(net::listen_tcp(*endpoint, true), false);
            }
        } else {
            int fd = net::listen_tcp(*endpoint, false);
            shared_listen_fds_.push_back(fd);
            for (auto& worker : context_->workers)
                worker->add_listener(fd, true);
        }
        spdlog::info("listening for MQTT on {} ({} worker threads{})", endpoint->to_string(), count,
                     listener.reuse_port ? ", SO_REUSEPORT" : "");
    }
    for (auto& worker : context_->workers)
        worker->start();
    started_ = true;
}

void Broker::stop() {
    if (!started_) return;
    started_ = false;
    for (auto& worker : context_->workers)
        worker->request_stop();
    for (auto& worker : context_->workers)
        worker->join();
    // Destroy workers (connections first, then sessions) before the shared state.
    context_->workers.clear();
    for (int fd : shared_listen_fds_)
        ::close(fd);
    shared_listen_fds_.clear();
}

}  // namespace akasa::broker
