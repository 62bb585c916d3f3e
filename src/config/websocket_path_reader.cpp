#include "config/websocket_path_reader.h"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>

namespace akasa::config::detail {

std::optional<std::string> read_websocket_path(const MapReader& r, bool websocket) {
    constexpr std::string_view kKey = "path";
    const YAML::Node node = r.get(kKey);
    if (!node.IsDefined()) return std::nullopt;
    const ErrorContext& ctx = r.context();
    const std::string path = r.path_of(kKey);
    if (!websocket) {
        ctx.fail(node, path,
                 "only the ws and wss listeners take path (the URL path of the WebSocket "
                 "upgrade)");
    }
    if (is_null(node)) return std::nullopt;
    std::string text = read_string(ctx, node, path, true);
    if (text.empty() || text.front() != '/') {
        ctx.fail(node, path,
                 fmt::format("{} must start with '/', e.g. /mqtt (or set null to accept any "
                             "path)",
                             describe(node)));
    }
    if (text.find_first_of("?#") != std::string::npos) {
        ctx.fail(node, path,
                 fmt::format("{} has a query or fragment; write the path alone (the query "
                             "string of a request is ignored when paths are compared)",
                             describe(node)));
    }
    const bool printable =
        std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
    if (!printable) {
        ctx.fail(node, path,
                 fmt::format("{} has a space or a character outside printable ASCII, which a "
                             "request path cannot hold; write it percent-encoded, as clients "
                             "send it",
                             describe(node)));
    }
    return text;
}

}  // namespace akasa::config::detail
