// The `akasa` command line. Parsing only: every subcommand lives in src/cli/.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "cli/build_info.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
    CLI::App app{"Akasa: a high-performance, low-latency, extensible MQTT server"};
    app.set_version_flag("-V,--version", akasa::cli::version_line());
    app.require_subcommand(1);

    std::string config_path;
    auto* start = app.add_subcommand("start", "Start the server with a YAML config file");
    start->add_option("-c,--config", config_path, "Config file (YAML)")->required();

    bool allow_anonymous = false;
    auto* default_config =
        app.add_subcommand("default-config", "Print a complete default config (YAML) to stdout");
    default_config->add_flag("--allow-anonymous", allow_anonymous,
                             "Disable authentication in the printed config");

    akasa::cli::InsertPasswordOptions insert;
    std::uint32_t iterations = 0;
    auto* insert_cmd = app.add_subcommand(
        "insert-password", "Add or replace a user in a password file (prompts for the password)");
    insert_cmd->add_option("-p,--path", insert.path, "Password file")->required();
    insert_cmd->add_option("-u,--username", insert.username, "User name")->required();
    insert_cmd->add_flag("--create", insert.create, "Start a new file (replaces an existing one)");
    insert_cmd
        ->add_option("--hash-algorithm", insert.hash_algorithm,
                     "sha256 | sha512 | sha256-pkbdf2 | sha512-pkbdf2")
        ->check(CLI::IsMember({"sha256", "sha512", "sha256-pkbdf2", "sha512-pkbdf2"}))
        ->default_str(insert.hash_algorithm);
    auto* iterations_opt = insert_cmd->add_option(
        "--iterations", iterations,
        "PBKDF2 iterations (pkbdf2 algorithms only; default 10000 for sha512-pkbdf2, 30000 for "
        "sha256-pkbdf2)");
    iterations_opt->check(CLI::Range(1u, 100000000u));

    std::string remove_path, remove_user;
    auto* remove_cmd = app.add_subcommand("remove-password", "Remove a user from a password file");
    remove_cmd->add_option("-p,--path", remove_path, "Password file")->required();
    remove_cmd->add_option("-u,--username", remove_user, "User name")->required();

    akasa::cli::ScramPasswordOptions scram;
    std::uint32_t scram_iterations = 0;
    auto* scram_cmd = app.add_subcommand(
        "scram-password",
        "Print a SCRAM-SHA-256 user for scram_users in the stored form (prompts for the password)");
    scram_cmd->add_option("-u,--username", scram.username, "User name")->required();
    auto* scram_iterations_opt = scram_cmd->add_option(
        "--iterations", scram_iterations, "PBKDF2 iterations (default and minimum 4096)");
    scram_iterations_opt->check(CLI::Range(4096u, 100000000u));

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "akasa: %s (see `akasa --help`)\n", e.what());
        return 2;
    }

    if (*start) return akasa::cli::start(config_path);
    if (*default_config) return akasa::cli::print_default_config(allow_anonymous);
    if (*insert_cmd) {
        if (*iterations_opt) insert.iterations = iterations;
        return akasa::cli::insert_password(insert);
    }
    if (*remove_cmd) return akasa::cli::remove_password(remove_path, remove_user);
    if (*scram_cmd) {
        if (*scram_iterations_opt) scram.iterations = scram_iterations;
        return akasa::cli::scram_password(scram);
    }
    return 2;
}
