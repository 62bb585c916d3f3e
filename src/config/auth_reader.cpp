#include "config/auth_reader.h"

#include <fmt/format.h>

#include <limits>
#include <utility>

namespace akasa::config::detail {
namespace {

constexpr std::uint64_t kU32Max = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint32_t kMinScramIterations = 4096;  // RFC 7677 section 4
constexpr std::size_t kScramKeySize = 32;            // SHA-256
// Beyond these the value is a typo, not a plan: a thread per core of the largest machines,
// a million logins queued, a day's window, a week's block, ten million tracked addresses
// (about 1.5 GB).
constexpr std::uint64_t kMaxHashThreads = 256;
constexpr std::uint64_t kMaxPendingLogins = 1'000'000;
constexpr std::uint64_t kMaxFailedLogins = 1'000'000;
constexpr std::uint64_t kMaxFailedLoginWindow = 86'400;
constexpr std::uint64_t kMaxFailedLoginBlock = 604'800;
constexpr std::uint64_t kMaxFailedLoginAddresses = 10'000'000;

// A SCRAM-SHA-256 key of the stored form: hex of exactly 32 bytes.
std::vector<std::uint8_t> read_scram_key(const MapReader& r, std::string_view key) {
    const YAML::Node node = r.get(key);
    auto bytes = read_hex(r.context(), node, r.path_of(key));
    if (bytes.size() != kScramKeySize) {
        r.context().fail(
            node, r.path_of(key),
            fmt::format("{} is {} bytes long; a SCRAM-SHA-256 key is {} bytes ({} hex digits)",
                        describe(node), bytes.size(), kScramKeySize, 2 * kScramKeySize));
    }
    return bytes;
}

ScramUser read_scram_user(ErrorContext& ctx, const YAML::Node& node, const std::string& path) {
    MapReader r(ctx, node, path,
                {"hashed_password", "stored_key", "server_key", "iterations", "salt"});
    const bool salted = r.has("hashed_password");
    const bool stored = r.has("stored_key");
    const bool server = r.has("server_key");
    constexpr std::string_view how =
        "`akasa scram-password --username NAME` prints a user in the stored form";
    if (salted && (stored || server)) {
        const std::string_view extra = stored ? "stored_key" : "server_key";
        ctx.fail(r.get(extra), r.path_of(extra),
                 "cannot be combined with hashed_password: give either hashed_password "
                 "(Akasa's form, the SaltedPassword) or stored_key and server_key (RFC 5802's "
                 "stored form), not both");
    }
    if (!salted && !stored && !server) {
        ctx.fail(node, path,
                 fmt::format("needs either stored_key and server_key (RFC 5802's stored form) "
                             "or hashed_password (Akasa's form); {}",
                             how));
    }
    if (stored != server) {
        const std::string_view missing = stored ? "server_key" : "stored_key";
        const std::string_view given = stored ? "stored_key" : "server_key";
        ctx.fail(
            node, r.path_of(missing),
            fmt::format("is required with {} (the stored form needs both keys); {}", given, how));
    }
    ScramUser user;
    if (salted) {
        user.hashed_password =
            read_hex(ctx, r.get("hashed_password"), r.path_of("hashed_password"));
    } else {
        user.stored_key = read_scram_key(r, "stored_key");
        user.server_key = read_scram_key(r, "server_key");
    }
    user.iterations = static_cast<std::uint32_t>(read_uint(
        ctx, r.require("iterations"), r.path_of("iterations"), kMinScramIterations, kU32Max));
    user.salt = read_hex(ctx, r.require("salt"), r.path_of("salt"));
    return user;
}

}  // namespace

AuthConfig read_auth(ErrorContext& ctx, const MapReader& top) {
    MapReader r(
        ctx, top.get("auth"), "auth",
        {"enable", "password_file", "hash_threads", "max_pending_logins", "max_failed_logins",
         "failed_login_window", "failed_login_block", "failed_login_addresses"});
    AuthConfig auth;
    r.read("enable", auth.enable);
    auth.password_file = read_optional_string(r, "password_file");
    if (auth.enable && !auth.password_file) {
        YAML::Node at = r.has("enable") ? r.get("enable") : top.node();
        ctx.fail(at, "auth.password_file",
                 "is required when auth.enable is true; create the file with `akasa "
                 "insert-password --create --path FILE --username NAME`, or set auth.enable: "
                 "false to allow anonymous clients");
    }
    r.read("hash_threads", auth.hash_threads, 0, kMaxHashThreads);
    r.read("max_pending_logins", auth.max_pending_logins, 1, kMaxPendingLogins);
    r.read("max_failed_logins", auth.max_failed_logins, 0, kMaxFailedLogins);
    r.read("failed_login_window", auth.failed_login_window, 1, kMaxFailedLoginWindow);
    r.read("failed_login_block", auth.failed_login_block, 1, kMaxFailedLoginBlock);
    r.read("failed_login_addresses", auth.failed_login_addresses, 1, kMaxFailedLoginAddresses);
    return auth;
}

std::map<std::string, ScramUser> read_scram_users(ErrorContext& ctx, const MapReader& top) {
    MapReader users(ctx, top.get("scram_users"), "scram_users", {});
    std::map<std::string, ScramUser> result;
    for (const auto& [name, node] : users.entries()) {
        std::string path = users.path_of(name);
        if (name.empty()) ctx.fail(node, path, "a user name must not be empty");
        result.emplace(name, read_scram_user(ctx, node, path));
    }
    return result;
}

}  // namespace akasa::config::detail
