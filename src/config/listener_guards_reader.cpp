#include "config/listener_guards_reader.h"

#include <fmt/format.h>

#include "config/web_origin.h"

namespace akasa::config::detail {
namespace {

constexpr std::string_view kAnyOrigin = "*";

// The list under `key`, or nullopt when the key is absent or null; anything other than a list
// is an error showing `example`.
std::optional<YAML::Node> read_list(const MapReader& r, std::string_view key,
                                    std::string_view example) {
    YAML::Node node = r.get(key);
    if (!node.IsDefined() || is_null(node)) return std::nullopt;
    if (!node.IsSequence()) {
        r.context().fail(
            node, r.path_of(key),
            fmt::format("expected a list such as {}, got {}", example, describe(node)));
    }
    return node;
}

std::string entry_path(const MapReader& r, std::string_view key, std::size_t i) {
    return fmt::format("{}[{}]", r.path_of(key), i);
}

}  // namespace

std::optional<std::vector<std::string>> read_allowed_origins(const MapReader& r, bool websocket) {
    constexpr std::string_view kKey = "allowed_origins";
    if (!websocket && r.has(kKey)) {
        r.context().fail(r.get(kKey), r.path_of(kKey),
                         "only the ws and wss listeners take allowed_origins (browsers send an "
                         "Origin header with a WebSocket upgrade, not with plain MQTT)");
    }
    const auto found = read_list(r, kKey, "[https://app.example.com]");
    if (!found) return std::nullopt;
    const YAML::Node& list = *found;
    const ErrorContext& ctx = r.context();
    std::vector<std::string> origins;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string path = entry_path(r, kKey, i);
        const std::string text = read_string(ctx, list[i], path);
        if (text == kAnyOrigin) {
            if (list.size() != 1) {
                ctx.fail(list[i], path,
                         "\"*\" allows any origin, so the other entries would have no effect; "
                         "write either [\"*\"] or the list of origins");
            }
            return std::nullopt;
        }
        std::string why;
        auto origin = normalize_origin(text, &why);
        if (!origin) {
            ctx.fail(list[i], path, fmt::format("{} is not an origin: {}", describe(list[i]), why));
        }
        origins.push_back(std::move(*origin));
    }
    return origins;
}

std::vector<IpNetwork> read_proxy_allowed_sources(const MapReader& r, bool proxy_on,
                                                  std::string_view proxy_key) {
    constexpr std::string_view kKey = "proxy_allowed_sources";
    const auto found = read_list(r, kKey, "[10.0.0.0/8, \"::1\"]");
    if (!found) return {};
    const YAML::Node& list = *found;
    const ErrorContext& ctx = r.context();
    if (!proxy_on) {
        ctx.fail(list, r.path_of(kKey),
                 fmt::format("is set but this listener does not read PROXY headers ({} is off); "
                             "it names the proxies allowed to connect, so turn {} on or remove "
                             "it",
                             proxy_key, proxy_key));
    }
    if (list.size() == 0) {
        ctx.fail(list, r.path_of(kKey),
                 "an empty list would refuse every connection; list the proxies' addresses or "
                 "networks, or remove the key to accept any source");
    }
    std::vector<IpNetwork> sources;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string path = entry_path(r, kKey, i);
        const std::string text = read_string(ctx, list[i], path);
        std::string why;
        auto network = IpNetwork::parse(text, &why);
        if (!network) {
            ctx.fail(list[i], path,
                     fmt::format("{} is not an address or a network: {}", describe(list[i]), why));
        }
        sources.push_back(*network);
    }
    return sources;
}

}  // namespace akasa::config::detail
