#include "auth/password_hash.h"

#include <fmt/format.h>
#include <charconv>
#include <stdexcept>
#include <vector>

#include "auth/split.h"
#include "text/base64.h"

namespace akasa::auth {
namespace {

Digest digest_for(HashAlgorithm algorithm) {
    switch (algorithm) {
        case HashAlgorithm::Sha256:
        case HashAlgorithm::Sha256Pbkdf2:
            return Digest::Sha256;
        default:
            return Digest::Sha512;
    }
}

// The hash of `password` with the parameters and salt of `entry` (its hash is not read):
// `length` bytes for argon2id, the digest's size otherwise.
Bytes compute_hash(const PasswordHash& entry, std::string_view password, std::size_t length) {
    if (entry.algorithm == HashAlgorithm::MosquittoArgon2id) {
        return argon2id_hash(password, entry.salt, entry.argon2, length);
    }
    const Digest digest = digest_for(entry.algorithm);
    if (uses_iterations(entry.algorithm)) {
        return pbkdf2_hmac(digest, as_bytes(password), entry.salt, entry.iterations,
                           digest_size(digest));
    }
    return digest_of(digest, as_bytes(password), entry.salt);
}

PasswordHashParse failure(std::string message) {
    return {std::nullopt, std::move(message)};
}

// Decimal digits only (no sign, no spaces), 1..kMaxPbkdf2Iterations.
std::optional<std::uint32_t> parse_iterations(std::string_view text) {
    if (text.empty() || text.size() > 10) return std::nullopt;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    std::uint64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    if (value == 0 || value > kMaxPbkdf2Iterations) return std::nullopt;
    return static_cast<std::uint32_t>(value);
}

// Shared by both formats once the fields are split: checks and builds the value.
PasswordHashParse build(HashAlgorithm algorithm, std::optional<std::string_view> iterations_text,
                        std::string_view salt_text, std::string_view hash_text,
                        std::size_t min_salt) {
    PasswordHash result;
    result.algorithm = algorithm;
    if (iterations_text) {
        const auto iterations = parse_iterations(*iterations_text);
        if (!iterations) {
            return failure("the iteration count \"" + std::string(*iterations_text) +
                           "\" is not a whole number between 1 and " +
                           std::to_string(kMaxPbkdf2Iterations));
        }
        result.iterations = *iterations;
    }
    auto salt = text::base64_decode(salt_text);
    if (!salt) return failure("the salt is not valid base64");
    if (salt->size() < min_salt) {
        return failure("the salt is " + std::to_string(salt->size()) + " bytes long; at least " +
                       std::to_string(min_salt) + " are required");
    }
    auto hash = text::base64_decode(hash_text);
    if (!hash) return failure("the hash is not valid base64");
    const std::size_t expected = hash_size(algorithm);
    if (hash->size() != expected) {
        return failure("the hash is " + std::to_string(hash->size()) + " bytes long; " +
                       std::string(to_string(algorithm)) + " hashes are " +
                       std::to_string(expected) + " bytes");
    }
    result.salt = std::move(*salt);
    result.hash = std::move(*hash);
    return {std::move(result), {}};
}

PasswordHashParse parse_mosquitto(std::string_view fields) {
    if (fields.starts_with("$argon2id$")) {
        auto parsed = parse_argon2id(fields);
        if (!parsed.value) return failure(std::move(parsed.error));
        PasswordHash result;
        result.algorithm = HashAlgorithm::MosquittoArgon2id;
        result.argon2 = parsed.value->parameters;
        result.salt = std::move(parsed.value->salt);
        result.hash = std::move(parsed.value->hash);
        return {std::move(result), {}};
    }
    // "$6$SALT$HASH" splits into "", "6", SALT, HASH; "$7$ITER$SALT$HASH" into 5 parts.
    const auto parts = split(fields, '$');
    if (parts[1] == "6") {
        if (parts.size() != 4) return failure("a mosquitto $6$ entry must be $6$SALT$HASH");
        return build(HashAlgorithm::MosquittoSha512, std::nullopt, parts[2], parts[3], 1);
    }
    if (parts[1] == "7") {
        if (parts.size() != 5) {
            return failure("a mosquitto $7$ entry must be $7$ITERATIONS$SALT$HASH");
        }
        return build(HashAlgorithm::MosquittoPbkdf2Sha512, parts[2], parts[3], parts[4], 1);
    }
    return failure("unknown mosquitto hash type \"$" + std::string(parts[1]) +
                   "$\" (only $6$, $7$ and $argon2id$ are supported)");
}

}  // namespace

std::optional<HashAlgorithm> parse_hash_algorithm(std::string_view name) {
    if (name == "sha256") return HashAlgorithm::Sha256;
    if (name == "sha512") return HashAlgorithm::Sha512;
    if (name == "sha256-pkbdf2") return HashAlgorithm::Sha256Pbkdf2;
    if (name == "sha512-pkbdf2") return HashAlgorithm::Sha512Pbkdf2;
    return std::nullopt;
}

std::string_view to_string(HashAlgorithm algorithm) {
    switch (algorithm) {
        case HashAlgorithm::Sha256:
            return "sha256";
        case HashAlgorithm::Sha512:
            return "sha512";
        case HashAlgorithm::Sha256Pbkdf2:
            return "sha256-pkbdf2";
        case HashAlgorithm::Sha512Pbkdf2:
            return "sha512-pkbdf2";
        case HashAlgorithm::MosquittoSha512:
            return "mosquitto-sha512";
        case HashAlgorithm::MosquittoPbkdf2Sha512:
            return "mosquitto-pbkdf2-sha512";
        case HashAlgorithm::MosquittoArgon2id:
            return "mosquitto-argon2id";
    }
    return "unknown";
}

bool uses_iterations(HashAlgorithm algorithm) {
    return algorithm == HashAlgorithm::Sha256Pbkdf2 || algorithm == HashAlgorithm::Sha512Pbkdf2 ||
           algorithm == HashAlgorithm::MosquittoPbkdf2Sha512;
}

bool is_expensive(HashAlgorithm algorithm) {
    return uses_iterations(algorithm) || algorithm == HashAlgorithm::MosquittoArgon2id;
}

std::size_t hash_size(HashAlgorithm algorithm) {
    if (algorithm == HashAlgorithm::MosquittoArgon2id) return kMosquittoArgon2Length;
    return digest_size(digest_for(algorithm));
}

std::uint32_t default_iterations(HashAlgorithm algorithm) {
    switch (algorithm) {
        case HashAlgorithm::Sha256Pbkdf2:
            return 30'000;
        case HashAlgorithm::Sha512Pbkdf2:
        case HashAlgorithm::MosquittoPbkdf2Sha512:
            return 10'000;
        default:
            return 0;
    }
}

PasswordHash PasswordHash::create(std::string_view password, HashAlgorithm algorithm,
                                  std::optional<std::uint32_t> iterations) {
    return create_with_salt(password, algorithm, iterations.value_or(default_iterations(algorithm)),
                            random_bytes(kSaltLength));
}

PasswordHash PasswordHash::create_with_salt(std::string_view password, HashAlgorithm algorithm,
                                            std::uint32_t iterations, Bytes salt) {
    PasswordHash result;
    result.algorithm = algorithm;
    result.iterations = uses_iterations(algorithm) ? iterations : 0;
    if (algorithm == HashAlgorithm::MosquittoArgon2id) result.argon2 = kMosquittoArgon2Parameters;
    result.salt = std::move(salt);
    result.hash = compute_hash(result, password, hash_size(algorithm));
    return result;
}

bool PasswordHash::matches(std::string_view password) const {
    Bytes candidate = compute_hash(*this, password, hash.size());
    const bool same = constant_time_equal(candidate, hash);
    wipe(candidate.data(), candidate.size());
    return same;
}

std::string PasswordHash::to_fields() const {
    const auto b64 = [](const Bytes& bytes, text::Base64Padding padding) {
        return text::base64_encode(bytes, padding);
    };
    switch (algorithm) {
        case HashAlgorithm::MosquittoSha512:
            return fmt::format("$6${}${}", b64(salt, text::Base64Padding::Include),
                               b64(hash, text::Base64Padding::Include));
        case HashAlgorithm::MosquittoPbkdf2Sha512:
            return fmt::format("$7${}${}${}", iterations, b64(salt, text::Base64Padding::Include),
                               b64(hash, text::Base64Padding::Include));
        case HashAlgorithm::MosquittoArgon2id:
            return encode_argon2id(Argon2idEntry{argon2, salt, hash});
        default:
            break;
    }
    const std::string encoded_salt = b64(salt, text::Base64Padding::Omit);
    const std::string encoded_hash = b64(hash, text::Base64Padding::Omit);
    if (uses_iterations(algorithm)) {
        return fmt::format("{},{},{},{}", to_string(algorithm), iterations, encoded_salt,
                           encoded_hash);
    }
    return fmt::format("{},{},{}", to_string(algorithm), encoded_salt, encoded_hash);
}

PasswordHashParse parse_password_fields(std::string_view fields) {
    if (fields.empty()) return failure("there is nothing after the ':'");
    if (fields.front() == '$') return parse_mosquitto(fields);

    const auto parts = split(fields, ',');
    const auto algorithm = parse_hash_algorithm(parts[0]);
    if (!algorithm) {
        return failure("unknown hash algorithm \"" + std::string(parts[0]) +
                       "\" (expected sha256, sha512, sha256-pkbdf2 or sha512-pkbdf2)");
    }
    if (uses_iterations(*algorithm)) {
        if (parts.size() != 4) {
            return failure(std::string(parts[0]) + " entries must be " + std::string(parts[0]) +
                           ",ITERATIONS,SALT,HASH");
        }
        return build(*algorithm, parts[1], parts[2], parts[3], kMinSaltLength);
    }
    if (parts.size() != 3) {
        return failure(std::string(parts[0]) + " entries must be " + std::string(parts[0]) +
                       ",SALT,HASH");
    }
    return build(*algorithm, std::nullopt, parts[1], parts[2], kMinSaltLength);
}

}  // namespace akasa::auth
