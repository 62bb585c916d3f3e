// `akasa scram-password --username NAME [--iterations N]`: makes a SCRAM-SHA-256 user for the
// config's `scram_users` in RFC 5802's stored form. The password is asked like
// insert-password does (cli/password_prompt.h); only StoredKey and ServerKey are printed:
// unlike Akasa's `hashed_password` (the SaltedPassword), they do not let whoever reads the
// config log in as the user.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <string>

#include "auth/crypto.h"
#include "auth/saslprep.h"
#include "auth/scram_sha256.h"
#include "cli/commands.h"
#include "cli/password_prompt.h"

namespace akasa::cli {
namespace {

// Fresh salts: 16 random bytes, as for password-file entries.
constexpr std::size_t kScramSaltLength = 16;

std::string hex(const auth::Bytes& bytes) {
    return fmt::format("{:02x}", fmt::join(bytes, ""));
}

bool plain_yaml_key(std::string_view name) {
    const auto word = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    };
    if (name.empty() || !word(name.front())) return false;
    for (const char c : name) {
        if (!word(c) && c != '-' && c != '.' && c != '@') return false;
    }
    return true;
}

// The user name as a YAML map key: as is when that is unambiguous, else double-quoted.
std::string yaml_key(std::string_view name) {
    if (plain_yaml_key(name)) return std::string(name);
    std::string quoted = "\"";
    for (const char c : name) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            quoted += '\\';
            quoted += c;
        } else if (byte < 0x20 || byte == 0x7f) {
            quoted += fmt::format("\\x{:02x}", byte);
        } else {
            quoted += c;
        }
    }
    return quoted + "\"";
}

}  // namespace

int scram_password(const ScramPasswordOptions& options) {
    std::string why;
    // Configured names are compared after SASLprep (auth/saslprep.h): one it refuses could
    // never log in.
    if (!auth::saslprep(options.username, auth::SaslprepMode::Stored, &why)) {
        return report_error("the username \"" + options.username +
                            "\" cannot be used with SCRAM: " + why + ".");
    }
    const std::uint32_t iterations = options.iterations.value_or(auth::kScramDefaultIterations);
    if (iterations < auth::kScramDefaultIterations || iterations > auth::kMaxPbkdf2Iterations) {
        return report_error(
            fmt::format("--iterations must be between {} (RFC 7677's minimum) "
                        "and {}.",
                        auth::kScramDefaultIterations, auth::kMaxPbkdf2Iterations));
    }

    auto password = prompt_new_password();
    if (!password) return 1;
    Secret secret{std::move(*password)};
    const auth::Bytes salt = auth::random_bytes(kScramSaltLength);
    auto salted = auth::scram_salted_password(secret.text, salt, iterations, &why);
    if (!salted) {
        return report_error("the password cannot be used with SCRAM: " + why + ".");
    }
    const auto keys = auth::ScramCredentials::from_salted_password(*salted, salt, iterations);
    auth::wipe(salted->data(), salted->size());

    const std::string entry = fmt::format(
        "scram_users:\n"
        "  {}:\n"
        "    stored_key: {}\n"
        "    server_key: {}\n"
        "    salt: {}\n"
        "    iterations: {}\n",
        yaml_key(options.username), hex(keys.stored_key), hex(keys.server_key), hex(salt),
        iterations);
    if (std::fwrite(entry.data(), 1, entry.size(), stdout) != entry.size() ||
        std::fflush(stdout) != 0) {
        return report_error("could not write the entry to standard output.");
    }
    return 0;
}

}  // namespace akasa::cli
