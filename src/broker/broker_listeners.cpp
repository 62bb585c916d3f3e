// The MQTT listeners of a Broker: which transport stack each kind gets (docs/listeners.md),
// their sockets, and the TLS contexts reloaded on SIGHUP.
//
//   mqtt   [PROXY if proxy_mode]                    -> MQTT
//   mqtts  [PROXY if proxy: true] -> TLS            -> MQTT
//   ws     [PROXY if proxy_mode]  -> WebSocket      -> MQTT
//   wss    [PROXY if proxy: true] -> TLS -> WebSocket -> MQTT
#include <array>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "broker/broker.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/worker/worker.h"
#include "net/layered_transport.h"
#include "net/socket.h"

namespace akasa::broker {
namespace {

// Index of each MQTT listener kind in Broker::listener_counters_.
constexpr std::array<std::string_view, 4> kListenerKinds = {"mqtt", "mqtts", "ws", "wss"};

net::Endpoint listener_endpoint(const config::SocketAddress& addr) {
    auto endpoint = net::Endpoint::parse(addr.to_string());
    if (!endpoint) throw std::runtime_error("bad listener address " + addr.to_string());
    return *endpoint;
}

net::TransportStack plain_stack(std::string_view name, const config::PlainListener& listener) {
    net::TransportStack stack;
    stack.listener = name;
    stack.proxy = listener.proxy_mode != config::ProxyMode::None;
    stack.proxy_tls_termination = listener.proxy_mode == config::ProxyMode::TlsTermination;
    return stack;
}

// Who may use the listener, and how: its proxy_allowed_sources, and on ws/wss its path and
// allowed_origins (docs/listeners.md).
template <typename Listener>
void add_guards(net::TransportStack& stack, const Listener& listener) {
    const std::string name(stack.listener);
    if (stack.proxy && !listener.proxy_allowed_sources.empty()) {
        stack.allowed_sources =
            std::make_shared<net::SourceFilter>(name, listener.proxy_allowed_sources);
    } else if (stack.proxy && !net::is_loopback(listener.addr)) {
        spdlog::warn(
            "listeners.{} reads PROXY headers from anyone who can reach {}: a client "
            "that connects directly can claim any source address; set "
            "listeners.{}.proxy_allowed_sources to the proxies' addresses",
            name, listener.addr.to_string(), name);
    }
    if (stack.websocket && (listener.path || listener.allowed_origins)) {
        stack.upgrade_policy =
            std::make_shared<net::websocket::UpgradePolicy>(net::websocket::UpgradePolicy{
                name, listener.path.value_or(""), listener.allowed_origins});
    }
}

std::string describe(const net::TransportStack& stack) {
    std::string text;
    if (stack.proxy) {
        text += stack.proxy_tls_termination ? "PROXY (TLS terminated by the proxy)" : "PROXY";
        if (stack.allowed_sources) {
            std::vector<std::string> sources;
            for (const auto& n : stack.allowed_sources->allowed())
                sources.push_back(n.to_string());
            text += fmt::format(" from {}", fmt::join(sources, ", "));
        }
        text += ", ";
    }
    if (stack.tls) text += "TLS, ";
    if (stack.websocket) {
        const net::websocket::UpgradePolicy* policy = stack.upgrade_policy.get();
        text += fmt::format("WebSocket on {}",
                            policy && !policy->path.empty() ? policy->path : "any path");
        if (policy && policy->allowed_origins) {
            text += fmt::format(" (origins: {})",
                                policy->allowed_origins->empty()
                                    ? "none; only clients that send no Origin"
                                    : fmt::format("{}", fmt::join(*policy->allowed_origins, ", ")));
        }
        text += ", ";
    }
    text += "MQTT";
    return text;
}

}  // namespace

void Broker::listen_mqtt() {
    const auto& config = context_->startup_config();
    const auto& l = config.listeners;
    // TLS contexts first: a bad key or certificate stops the start before anything listens.
    auto tls_context = [this](std::string name, const config::TlsListener& listener) {
        try {
            tls_contexts_.emplace_back(name,
                                       std::make_unique<net::tls::TlsContextHolder>(listener));
        } catch (const net::tls::TlsConfigError& e) {
            throw net::tls::TlsConfigError("listeners." + name + ": " + e.what());
        }
        return tls_contexts_.back().second.get();
    };
    const net::tls::TlsContextHolder* mqtts_tls =
        l.mqtts ? tls_context("mqtts", *l.mqtts) : nullptr;
    const net::tls::TlsContextHolder* wss_tls = l.wss ? tls_context("wss", *l.wss) : nullptr;

    auto serve = [this](const config::SocketAddress& addr, bool reuse_port,
                        net::TransportStack stack) {
        for (std::size_t i = 0; i < kListenerKinds.size(); ++i) {
            if (kListenerKinds[i] == stack.listener) stack.counters = &listener_counters_[i];
        }
        const auto endpoint = listener_endpoint(addr);
        if (reuse_port) {
            for (auto& worker : context_->workers) {
                worker->add_listener(net::listen_tcp(endpoint, true), false, stack);
            }
        } else {
            int fd = net::listen_tcp(endpoint, false);
            shared_listen_fds_.push_back(fd);
            for (auto& worker : context_->workers)
                worker->add_listener(fd, true, stack);
        }
        spdlog::info("listening for {} on {} ({}; {} worker threads{})", stack.listener,
                     endpoint.to_string(), describe(stack), context_->workers.size(),
                     reuse_port ? ", SO_REUSEPORT" : "");
    };
    if (l.mqtt) {
        net::TransportStack stack = plain_stack("mqtt", *l.mqtt);
        add_guards(stack, *l.mqtt);
        serve(l.mqtt->addr, l.mqtt->reuse_port, stack);
    }
    if (l.mqtts) {
        net::TransportStack stack;
        stack.listener = "mqtts";
        stack.proxy = l.mqtts->proxy;
        stack.tls = mqtts_tls;
        add_guards(stack, *l.mqtts);
        serve(l.mqtts->addr, l.mqtts->reuse_port, stack);
    }
    if (l.ws) {
        net::TransportStack stack = plain_stack("ws", *l.ws);
        stack.websocket = true;
        stack.websocket_limits = context_->configs.first().websocket_limits;
        add_guards(stack, *l.ws);
        serve(l.ws->addr, l.ws->reuse_port, stack);
    }
    if (l.wss) {
        net::TransportStack stack;
        stack.listener = "wss";
        stack.proxy = l.wss->proxy;
        stack.tls = wss_tls;
        stack.websocket = true;
        stack.websocket_limits = context_->configs.first().websocket_limits;
        add_guards(stack, *l.wss);
        serve(l.wss->addr, l.wss->reuse_port, stack);
    }
}

void Broker::add_listener_metrics(metrics::Registry& registry) const {
    const auto& l = context_->startup_config().listeners;
    const std::array<bool, 4> present = {l.mqtt.has_value(), l.mqtts.has_value(), l.ws.has_value(),
                                         l.wss.has_value()};
    for (std::size_t i = 0; i < kListenerKinds.size(); ++i) {
        if (!present[i]) continue;
        const auto& counters = listener_counters_[i];
        metrics::add_listener_connections(registry, kListenerKinds[i],
                                          counters.current.load(std::memory_order_relaxed),
                                          counters.total.load(std::memory_order_relaxed));
    }
}

bool Broker::prepare_tls_contexts(const config::Config& config, std::vector<TlsUpdate>& out) const {
    bool ok = true;
    for (const auto& [name, holder] : tls_contexts_) {
        const auto& listener = name == "mqtts" ? config.listeners.mqtts : config.listeners.wss;
        if (!listener) continue;  // cannot happen: adding or removing a listener needs a restart
        try {
            out.push_back(
                {name, holder.get(), *listener, net::tls::make_server_context(*listener)});
        } catch (const net::tls::TlsConfigError& e) {
            spdlog::error("SIGHUP: keeping the current certificates of listeners.{}: {}", name,
                          e.what());
            ok = false;
        }
    }
    return ok;
}

void Broker::commit_tls_contexts(std::vector<TlsUpdate>& updates) {
    // Live connections keep the context they were made with; new ones get the new one.
    for (auto& update : updates) {
        update.holder->replace(std::move(update.listener), std::move(update.context));
        spdlog::info("SIGHUP: reloaded the certificates of listeners.{}", update.name);
    }
}

}  // namespace akasa::broker
