// `akasa insert-password` and `akasa remove-password`: edit a password file in place
// (src/auth/password_file.h), keeping every other line as it was. Like Akasa, each says on
// stdout what it did (added, updated, removed, or that the user to remove is not there, which
// is not an error); errors and the file's warnings go to stderr.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <optional>
#include <string>

#include "auth/password_file.h"
#include "auth/password_hash.h"
#include "cli/commands.h"
#include "cli/password_prompt.h"

namespace akasa::cli {
namespace {

// A user listed twice, for example: the command goes on (and leaves the user it edits with
// one line), but says what it found.
void print_warnings(const auth::PasswordFile& file) {
    for (const auto& warning : file.warnings())
        std::fprintf(stderr, "akasa: warning: %s\n", warning.c_str());
}

std::string quoted(const std::string& username) {
    return "\"" + username + "\"";
}

}  // namespace

int insert_password(const InsertPasswordOptions& options) {
    const auto algorithm = auth::parse_hash_algorithm(options.hash_algorithm);
    if (!algorithm) {
        return report_error("unknown hash algorithm \"" + options.hash_algorithm +
                            "\"; use sha256, sha512, sha256-pkbdf2 or sha512-pkbdf2.");
    }
    if (options.iterations && !auth::uses_iterations(*algorithm)) {
        return report_error(
            "--iterations applies only to the sha256-pkbdf2 and sha512-pkbdf2 "
            "algorithms, not to " +
            options.hash_algorithm + ".");
    }
    const std::uint32_t iterations =
        options.iterations.value_or(auth::default_iterations(*algorithm));
    if (auth::uses_iterations(*algorithm) &&
        (iterations == 0 || iterations > auth::kMaxPbkdf2Iterations)) {
        return report_error("--iterations must be between 1 and " +
                            std::to_string(auth::kMaxPbkdf2Iterations) + ".");
    }
    if (const auto problem = auth::PasswordFile::username_problem(options.username)) {
        return report_error(*problem + ".");
    }

    // Load first, so a missing or broken file is reported before asking for a password.
    auth::PasswordFile file;
    if (!options.create) {
        if (::access(options.path.c_str(), F_OK) != 0 && errno == ENOENT) {
            return report_error("the password file " + options.path +
                                " does not exist; add --create to start a new one.");
        }
        try {
            file = auth::PasswordFile::load(options.path);
        } catch (const auth::PasswordFileError& e) {
            return report_error(std::string(e.what()) + ".");
        }
        print_warnings(file);
    }

    auto password = prompt_new_password();
    if (!password) return 1;
    Secret secret{std::move(*password)};
    auth::PasswordFile::Change change{};
    try {
        change = file.insert(options.username,
                             auth::PasswordHash::create(secret.text, *algorithm, iterations));
        file.save(options.path);
    } catch (const std::exception& e) {
        return report_error(std::string(e.what()) + ".");
    }
    if (change == auth::PasswordFile::Change::Added) {
        std::printf("added user %s to %s\n", quoted(options.username).c_str(),
                    options.path.c_str());
    } else {
        std::printf("updated user %s in %s\n", quoted(options.username).c_str(),
                    options.path.c_str());
    }
    return 0;
}

int remove_password(const std::string& path, const std::string& username) {
    try {
        auth::PasswordFile file = auth::PasswordFile::load(path);
        print_warnings(file);
        if (!file.remove(username)) {
            // Akasa's answer too: the user is not there, which is what was asked.
            std::printf("user %s is not in %s; nothing was changed\n", quoted(username).c_str(),
                        path.c_str());
            return 0;
        }
        file.save(path);
    } catch (const std::exception& e) {
        return report_error(std::string(e.what()) + ".");
    }
    std::printf("removed user %s from %s\n", quoted(username).c_str(), path.c_str());
    return 0;
}

}  // namespace akasa::cli
