#include "config/persistence_reader.h"

#include <fmt/format.h>

#include <string>

namespace akasa::config::detail {
namespace {

constexpr std::uint64_t kMaxSyncIntervalMs = 3'600'000;  // an hour

SyncPolicy read_sync_policy(const ErrorContext& ctx, const YAML::Node& node,
                            const std::string& path) {
    if (node.IsScalar()) {
        if (const auto policy = parse_sync_policy(node.Scalar())) return *policy;
    }
    ctx.fail(node, path,
             fmt::format("{} is not allowed; allowed: none, interval, always", describe(node)));
}

}  // namespace

PersistenceConfig read_persistence(ErrorContext& ctx, const MapReader& top) {
    const YAML::Node node = top.get("persistence");
    PersistenceConfig persistence;
    if (!node.IsDefined() || is_null(node)) return persistence;  // memory only
    MapReader r(ctx, node, "persistence", {"enable", "dir", "sync", "sync_interval_ms"});
    // Writing the section is asking for it: `enable` defaults to true inside it.
    persistence.enable = true;
    r.read("enable", persistence.enable);
    if (YAML::Node dir = r.get("dir"); dir.IsDefined()) {
        persistence.dir = read_string(ctx, dir, r.path_of("dir"), /*allow_empty=*/true);
    }
    if (persistence.enable && persistence.dir.empty()) {
        ctx.fail(r.get("dir"), r.path_of("dir"), "the store directory must not be empty");
    }
    if (YAML::Node sync = r.get("sync"); sync.IsDefined()) {
        persistence.sync = read_sync_policy(ctx, sync, r.path_of("sync"));
    }
    if (YAML::Node interval = r.get("sync_interval_ms"); interval.IsDefined()) {
        persistence.sync_interval = std::chrono::milliseconds(
            read_uint(ctx, interval, r.path_of("sync_interval_ms"), 1, kMaxSyncIntervalMs));
    }
    return persistence;
}

}  // namespace akasa::config::detail
