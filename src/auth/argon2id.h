// Argon2id (RFC 9106) password entries in the PHC string form that libargon2's
// argon2id_hash_encoded writes and mosquitto 2.1's password file stores:
//
//   $argon2id$v=19$m=MEMORY_KIB,t=PASSES,p=LANES$SALT$HASH      (base64 without padding)
//
//   auto parsed = parse_argon2id("$argon2id$v=19$m=47104,t=1,p=1$...$...");
//   if (parsed.value) {
//       Bytes computed = argon2id_hash(password, parsed.value->salt, parsed.value->parameters,
//                                      parsed.value->hash.size());
//   }
//
// The limits below bound what one check may cost (a line the server reads is checked for
// every login of its user); mosquitto's own entries (m=47104, t=1, p=1) are far inside them.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/crypto.h"

namespace akasa::auth {

struct Argon2Parameters {
    std::uint32_t version = 0;     // 0x13 (`v=19`, the current one) or 0x10 (`v=16`, or no `v=`)
    std::uint32_t memory_kib = 0;  // m: 8 * lanes .. kArgon2MaxMemoryKib
    std::uint32_t passes = 0;      // t: 1 .. kArgon2MaxPasses
    std::uint32_t lanes = 0;       // p: 1 .. kArgon2MaxLanes

    auto operator<=>(const Argon2Parameters&) const = default;
};

// What mosquitto 2.1's mosquitto_passwd writes (its MOSQ_ARGON2_* constants), used for new
// entries made here (tests, the stand-in for unknown users of an empty file).
inline constexpr Argon2Parameters kMosquittoArgon2Parameters{0x13, 47104, 1, 1};
inline constexpr std::size_t kMosquittoArgon2Length = 64;  // salt and hash bytes

inline constexpr std::uint32_t kArgon2MaxMemoryKib = 4 * 1024 * 1024;  // 4 GiB
inline constexpr std::uint32_t kArgon2MaxPasses = 1024;
inline constexpr std::uint32_t kArgon2MaxLanes = 64;
inline constexpr std::size_t kArgon2MinSaltLength = 8;  // libargon2's minimum
inline constexpr std::size_t kArgon2MinHashLength = 4;  // libargon2's minimum
inline constexpr std::size_t kArgon2MaxLength = 1024;   // of salt and hash, ours

struct Argon2idEntry {
    Argon2Parameters parameters;
    Bytes salt;
    Bytes hash;
};

struct Argon2idParse {
    std::optional<Argon2idEntry> value;
    std::string error;  // a sentence, set when !value
};

// Parses a whole `$argon2id$...` string (what follows `username:`).
Argon2idParse parse_argon2id(std::string_view text);

// The PHC string of an entry, as libargon2 writes it (always with `v=`).
std::string encode_argon2id(const Argon2idEntry& entry);

// Argon2id of `password` with these parameters, `length` bytes. Throws std::runtime_error
// when libargon2 fails (out of memory): the caller reports an error, not a wrong password.
Bytes argon2id_hash(std::string_view password, ByteView salt, const Argon2Parameters& parameters,
                    std::size_t length);

}  // namespace akasa::auth
