// `akasa insert-password` and `akasa remove-password`: edit a password file in place
// (src/auth/password_file.h), keeping every other line as it was.
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
    if (!auth::PasswordFile::is_valid_username(options.username)) {
        return report_error("the username must not be empty or contain line breaks.");
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
    }

    auto password = prompt_new_password();
    if (!password) return 1;
    Secret secret{std::move(*password)};
    try {
        file.insert(options.username,
                    auth::PasswordHash::create(secret.text, *algorithm, iterations));
        file.save(options.path);
    } catch (const std::exception& e) {
        return report_error(std::string(e.what()) + ".");
    }
    return 0;
}

int remove_password(const std::string& path, const std::string& username) {
    try {
        auth::PasswordFile file = auth::PasswordFile::load(path);
        if (!file.remove(username)) {
            return report_error("user \"" + username + "\" is not in the password file " + path +
                                "; nothing was changed.");
        }
        file.save(path);
    } catch (const std::exception& e) {
        return report_error(std::string(e.what()) + ".");
    }
    return 0;
}

}  // namespace akasa::cli
