// Thin, allocation-explicit wrappers over OpenSSL 3 for the primitives password files and
// SCRAM need: SHA-2 digests, HMAC, PBKDF2, random bytes and a constant-time compare.
// Every function is thread-safe (OpenSSL 3 needs no locking setup) and throws
// std::runtime_error only when OpenSSL itself fails (out of memory, no entropy), never
// because of its input.
//
//   Bytes key = pbkdf2_hmac(Digest::Sha512, "secret", salt, 128, 64);
//   bool same = constant_time_equal(key, stored);
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace akasa::auth {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

enum class Digest { Sha256, Sha512 };

// 32 for SHA-256, 64 for SHA-512.
std::size_t digest_size(Digest digest);

// The bytes of a string, without copying.
inline ByteView as_bytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// H(first || second): the salted hash of the `sha256` / `sha512` / mosquitto `$6$` lines.
Bytes digest_of(Digest digest, ByteView first, ByteView second = {});

// HMAC(key, data) with the given digest.
Bytes hmac(Digest digest, ByteView key, ByteView data);

// OpenSSL takes the count as an int.
inline constexpr std::uint32_t kMaxPbkdf2Iterations = 0x7fffffff;

// PBKDF2-HMAC(password, salt, iterations) producing `length` bytes;
// 1 <= iterations <= kMaxPbkdf2Iterations (std::invalid_argument otherwise).
Bytes pbkdf2_hmac(Digest digest, ByteView password, ByteView salt, std::uint32_t iterations,
                  std::size_t length);

// `count` bytes from OpenSSL's CSPRNG.
Bytes random_bytes(std::size_t count);

// True when both have the same length and content. The content comparison takes time
// independent of where the bytes differ (CRYPTO_memcmp); lengths are not secret here.
bool constant_time_equal(ByteView a, ByteView b);

// Overwrites a buffer that held a secret (OPENSSL_cleanse: not optimised away).
void wipe(void* data, std::size_t size);

}  // namespace akasa::auth
