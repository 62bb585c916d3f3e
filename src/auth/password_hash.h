// One user's stored password: the part of a password-file line after the last `:`.
// Formats (Akasa's "Password file format", plus mosquitto's lines for users bringing a file):
//
//   sha256,SALT,HASH                 SHA-256(password || salt)
//   sha512,SALT,HASH                 SHA-512(password || salt)
//   sha256-pkbdf2,ITER,SALT,HASH     PBKDF2-HMAC-SHA256(password, salt, ITER), 32 bytes
//   sha512-pkbdf2,ITER,SALT,HASH     PBKDF2-HMAC-SHA512(password, salt, ITER), 64 bytes
//   $6$SALT$HASH                     mosquitto: SHA-512(password || salt)        (read only)
//   $7$ITER$SALT$HASH                mosquitto: PBKDF2-HMAC-SHA512, 64 bytes     (read only)
//   $argon2id$v=19$m=M,t=T,p=P$SALT$HASH
//                                    mosquitto 2.1: Argon2id (auth/argon2id.h)   (read only)
//
// SALT and HASH are standard base64: Akasa's and argon2id lines are written without padding,
// mosquitto's `$6$` / `$7$` with padding; both spellings are accepted when reading. `pkbdf2`
// is Akasa's spelling.
//
//   PasswordHash h = PasswordHash::create("secret", HashAlgorithm::Sha512Pbkdf2);
//   std::string fields = h.to_fields();      // "sha512-pkbdf2,10000,<salt>,<hash>"
//   bool ok = h.matches("secret");           // constant-time comparison
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/argon2id.h"
#include "auth/crypto.h"

namespace akasa::auth {

enum class HashAlgorithm {
    Sha256,
    Sha512,
    Sha256Pbkdf2,
    Sha512Pbkdf2,
    MosquittoSha512,        // `$6$`
    MosquittoPbkdf2Sha512,  // `$7$`
    MosquittoArgon2id,      // `$argon2id$`
};

inline constexpr HashAlgorithm kDefaultHashAlgorithm = HashAlgorithm::Sha512Pbkdf2;
// Fresh salts: 16 random bytes (the format asks for at least 12).
inline constexpr std::size_t kSaltLength = 16;
// Shortest salt accepted in an Akasa-format line when reading.
inline constexpr std::size_t kMinSaltLength = 12;

// The four Akasa names (`sha256`, `sha512`, `sha256-pkbdf2`, `sha512-pkbdf2`); nullopt for
// anything else, including the mosquitto kinds, which have no name on the command line.
std::optional<HashAlgorithm> parse_hash_algorithm(std::string_view name);

// Akasa name, or `mosquitto-sha512` / `mosquitto-pbkdf2-sha512` / `mosquitto-argon2id` for
// the read-only kinds.
std::string_view to_string(HashAlgorithm algorithm);

// True for the PBKDF2 kinds, whose lines carry an iteration count.
bool uses_iterations(HashAlgorithm algorithm);

// True for the kinds whose check costs milliseconds (PBKDF2 at the default counts, argon2id),
// false for the single-hash kinds (about a microsecond; bench/micro/password_benchmark.cpp):
// the server checks only the expensive kinds off its event loops.
bool is_expensive(HashAlgorithm algorithm);

// Bytes of the hash an entry of this kind stores: 32 (SHA-256 kinds) or 64 (SHA-512 kinds);
// for argon2id, what new entries get (64, as mosquitto): a line read may carry another length.
std::size_t hash_size(HashAlgorithm algorithm);

// The iteration count of new entries when none is given (insert-password): 10,000 for
// PBKDF2-HMAC-SHA512 and 30,000 for PBKDF2-HMAC-SHA256, a twentieth of OWASP's 2023 figures
// (210,000 / 600,000), so that one check costs about 6 ms of CPU and a login storm is
// served at ~170 logins/s per hashing thread (docs/security.md, "Password hashing" has the
// measurements). Akasa's own default was 128. 0 for the kinds without iterations.
std::uint32_t default_iterations(HashAlgorithm algorithm);

struct PasswordHash {
    HashAlgorithm algorithm = kDefaultHashAlgorithm;
    std::uint32_t iterations = 0;  // PBKDF2 kinds only, >= 1; 0 otherwise
    Argon2Parameters argon2;       // argon2id only; all 0 otherwise
    Bytes salt;
    Bytes hash;

    // Hashes `password` with a fresh random salt. `iterations` (default:
    // default_iterations(algorithm)) is used by the PBKDF2 kinds and must then be in
    // 1..kMaxPbkdf2Iterations; it is ignored (stored as 0) otherwise. Argon2id entries get
    // mosquitto 2.1's parameters (kMosquittoArgon2Parameters).
    static PasswordHash create(std::string_view password, HashAlgorithm algorithm,
                               std::optional<std::uint32_t> iterations = std::nullopt);
    // Same with a given salt (tests, and a dummy entry for unknown users).
    static PasswordHash create_with_salt(std::string_view password, HashAlgorithm algorithm,
                                         std::uint32_t iterations, Bytes salt);

    // Recomputes the hash of `password` and compares it in constant time. Throws
    // std::runtime_error only when the hashing itself fails (out of memory).
    bool matches(std::string_view password) const;

    // The text after `username:` (mosquitto kinds in mosquitto's own format).
    std::string to_fields() const;

    bool operator==(const PasswordHash&) const = default;
};

// Result of parsing the fields of one line: a value, or a sentence saying what is wrong.
struct PasswordHashParse {
    std::optional<PasswordHash> value;
    std::string error;  // set when !value
};

// Parses the text after the last `:` of a line (no trailing newline).
PasswordHashParse parse_password_fields(std::string_view fields);

}  // namespace akasa::auth
