// The `akasa` subcommands. src/main.cpp parses the command line and calls exactly one of
// these; each returns the process exit status and prints its own errors (one sentence on
// stderr, see ../shared/AKASA.md "Command line").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace akasa::cli {

// `akasa start --config FILE`: loads and validates the config, then serves until SIGINT/SIGTERM.
int start(const std::string& config_path);

// `akasa default-config [--allow-anonymous]`: prints a complete default config to stdout.
int print_default_config(bool allow_anonymous);

struct InsertPasswordOptions {
    std::string path;
    std::string username;
    bool create = false;
    std::string hash_algorithm = "sha512-pkbdf2";
    std::optional<std::uint32_t> iterations;  // default depends on the algorithm
};

// `akasa insert-password ...`: prompts `Password:` and `Repeat Password:` (no echo on a
// terminal; two lines when stdin is a pipe), then adds or replaces the user.
int insert_password(const InsertPasswordOptions& options);

// `akasa remove-password --path FILE --username NAME`.
int remove_password(const std::string& path, const std::string& username);

struct ScramPasswordOptions {
    std::string username;
    std::optional<std::uint32_t> iterations;  // default auth::kScramDefaultIterations
};

// `akasa scram-password --username NAME [--iterations N]`: prompts like insert-password, then
// prints a `scram_users` entry in RFC 5802's stored form (stored_key, server_key, a random
// salt, iterations) on stdout.
int scram_password(const ScramPasswordOptions& options);

}  // namespace akasa::cli
