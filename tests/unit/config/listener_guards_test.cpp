// `allowed_origins` (ws, wss) and `proxy_allowed_sources` (PROXY listeners): read, normalized,
// and every bad value named with its key and entry.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config_loader.h"
#include "config_test_util.h"

namespace akasa::config {
namespace {

using testing_util::expect_config_error;
using testing_util::TempDir;

// A document with one listener `name` at 127.0.0.1:1883 whose other keys are `body` (flow map
// entries, e.g. "proxy_mode: Normal").
std::string with_listener(const std::string& name, const std::string& body) {
    return "listeners:\n  " + name + ": {addr: \"127.0.0.1:1883\", " + body +
           "}\nauth: {enable: false}\n";
}

std::vector<std::string> sources(const std::vector<IpNetwork>& networks) {
    std::vector<std::string> out;
    for (const auto& n : networks)
        out.push_back(n.to_string());
    return out;
}

TEST(ListenerGuards, AbsentMeansAnyOriginAndAnySource) {
    Config c = parse_config_text(with_listener("ws", "proxy_mode: Normal"));
    ASSERT_TRUE(c.listeners.ws);
    EXPECT_FALSE(c.listeners.ws->allowed_origins);
    EXPECT_TRUE(c.listeners.ws->proxy_allowed_sources.empty());
    c = parse_config_text(with_listener("ws",
                                        "allowed_origins: null, proxy_mode: Normal, "
                                        "proxy_allowed_sources: null"));
    EXPECT_FALSE(c.listeners.ws->allowed_origins);
    EXPECT_TRUE(c.listeners.ws->proxy_allowed_sources.empty());
}

TEST(ListenerGuards, ReadsAllowedOriginsInNormalForm) {
    Config c = parse_config_text(with_listener(
        "ws", "allowed_origins: [\"HTTPS://App.Example.com:443\", \"http://localhost:3000\"]"));
    ASSERT_TRUE(c.listeners.ws->allowed_origins);
    EXPECT_EQ(*c.listeners.ws->allowed_origins,
              (std::vector<std::string>{"https://app.example.com", "http://localhost:3000"}));
}

TEST(ListenerGuards, StarAloneMeansAnyOriginAndAnEmptyListOnlyNonBrowsers) {
    Config c = parse_config_text(with_listener("ws", "allowed_origins: [\"*\"]"));
    EXPECT_FALSE(c.listeners.ws->allowed_origins);
    c = parse_config_text(with_listener("ws", "allowed_origins: []"));
    ASSERT_TRUE(c.listeners.ws->allowed_origins);
    EXPECT_TRUE(c.listeners.ws->allowed_origins->empty());
    expect_config_error(with_listener("ws", "allowed_origins: [\"*\", \"https://a.example\"]"),
                        {"listeners.ws.allowed_origins[0]", "\"*\" allows any origin"});
}

TEST(ListenerGuards, BadOriginsNameTheKeyAndTheEntry) {
    expect_config_error(
        with_listener("ws", "allowed_origins: [\"https://a.example\", \"https://b.example/\"]"),
        {"listeners.ws.allowed_origins[1]", "\"https://b.example/\" is not an origin",
         "trailing slash"});
    expect_config_error(with_listener("ws", "allowed_origins: [example.com]"),
                        {"listeners.ws.allowed_origins[0]", "\"example.com\" is not an origin"});
    expect_config_error(with_listener("ws", "allowed_origins: [\"null\"]"),
                        {"listeners.ws.allowed_origins[0]", "sandboxed"});
    expect_config_error(with_listener("ws", "allowed_origins: [null]"),
                        {"listeners.ws.allowed_origins[0]", "expected a string"});
    expect_config_error(
        with_listener("ws", "allowed_origins: https://a.example"),
        {"listeners.ws.allowed_origins", "expected a list such as", "\"https://a.example\""});
}

TEST(ListenerGuards, AllowedOriginsOnlyOnWebSocketListeners) {
    expect_config_error(with_listener("mqtt", "allowed_origins: [\"https://a.example\"]"),
                        {"listeners.mqtt.allowed_origins", "only the ws and wss listeners"});
}

TEST(ListenerGuards, ReadsProxyAllowedSources) {
    Config c = parse_config_text(
        with_listener("mqtt",
                      "proxy_mode: Normal, proxy_allowed_sources: [127.0.0.1, 10.0.0.0/8, \"::1\", "
                      "\"2001:db8::/32\"]"));
    EXPECT_EQ(sources(c.listeners.mqtt->proxy_allowed_sources),
              (std::vector<std::string>{"127.0.0.1/32", "10.0.0.0/8", "::1/128", "2001:db8::/32"}));
    // Block style, with an unquoted IPv6 address.
    c = parse_config_text(
        "listeners:\n  ws:\n    addr: 127.0.0.1:8080\n    proxy_mode: TlsTermination\n"
        "    proxy_allowed_sources:\n      - ::1\n      - 192.168.0.0/16\nauth: {enable: false}\n");
    EXPECT_EQ(sources(c.listeners.ws->proxy_allowed_sources),
              (std::vector<std::string>{"::1/128", "192.168.0.0/16"}));
}

TEST(ListenerGuards, BadSourcesNameTheKeyAndTheEntry) {
    const std::string on = "proxy_mode: Normal, ";
    expect_config_error(with_listener("mqtt", on + "proxy_allowed_sources: [10.0.0.0/33]"),
                        {"listeners.mqtt.proxy_allowed_sources[0]", "\"10.0.0.0/33\"",
                         "prefix length 33 is too long"});
    expect_config_error(with_listener("mqtt", on + "proxy_allowed_sources: [10.0.0.1, 10.1.0.0/8]"),
                        {"listeners.mqtt.proxy_allowed_sources[1]", "the network is 10.0.0.0/8"});
    expect_config_error(with_listener("mqtt", on + "proxy_allowed_sources: [proxy.local]"),
                        {"listeners.mqtt.proxy_allowed_sources[0]", "\"proxy.local\"",
                         "not an address or a network"});
    expect_config_error(with_listener("mqtt", on + "proxy_allowed_sources: 10.0.0.0/8"),
                        {"listeners.mqtt.proxy_allowed_sources", "expected a list"});
    expect_config_error(with_listener("mqtt", on + "proxy_allowed_sources: []"),
                        {"listeners.mqtt.proxy_allowed_sources", "empty list would refuse"});
}

TEST(ListenerGuards, ProxyAllowedSourcesNeedsTheProxyProtocol) {
    expect_config_error(with_listener("mqtt", "proxy_allowed_sources: [127.0.0.1]"),
                        {"listeners.mqtt.proxy_allowed_sources", "proxy_mode is off"});
    expect_config_error(with_listener("ws", "proxy_mode: null, proxy_allowed_sources: [127.0.0.1]"),
                        {"listeners.ws.proxy_allowed_sources", "proxy_mode is off"});
}

TEST(ListenerGuards, TlsListenersTakeBothKeys) {
    TempDir dir;
    const std::string key = dir.write("key.pem", "x\n");
    const std::string cert = dir.write("cert.pem", "x\n");
    const std::string files = "key_file: " + key + ", cert_file: " + cert + ", ";
    Config c = parse_config_text(
        with_listener("wss", files + "proxy: true, proxy_allowed_sources: [\"fd00::/8\"], "
                                     "allowed_origins: [\"https://a.example\"]"));
    ASSERT_TRUE(c.listeners.wss);
    EXPECT_EQ(sources(c.listeners.wss->proxy_allowed_sources),
              std::vector<std::string>{"fd00::/8"});
    EXPECT_EQ(c.listeners.wss->allowed_origins, std::vector<std::string>{"https://a.example"});
    expect_config_error(with_listener("mqtts", files + "proxy_allowed_sources: [127.0.0.1]"),
                        {"listeners.mqtts.proxy_allowed_sources", "proxy is off"});
    expect_config_error(with_listener("mqtts", files + "allowed_origins: [\"https://a.example\"]"),
                        {"listeners.mqtts.allowed_origins", "only the ws and wss listeners"});
}

}  // namespace
}  // namespace akasa::config
