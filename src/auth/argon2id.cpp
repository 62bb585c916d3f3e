#include "auth/argon2id.h"

#include <argon2.h>
#include <fmt/format.h>

#include <charconv>
#include <stdexcept>
#include <vector>

#include "auth/split.h"
#include "text/base64.h"

namespace akasa::auth {
namespace {

constexpr std::string_view kForm = "$argon2id$v=19$m=MEMORY,t=PASSES,p=LANES$SALT$HASH";

Argon2idParse failure(std::string message) {
    return {std::nullopt, std::move(message)};
}

// `NAME=DIGITS` with the expected name; digits only, within uint32.
std::optional<std::uint32_t> named_number(std::string_view field, std::string_view name) {
    if (!field.starts_with(name) || field.size() <= name.size() + 1 || field[name.size()] != '=') {
        return std::nullopt;
    }
    const std::string_view digits = field.substr(name.size() + 1);
    std::uint32_t value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size()) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::string> check_length(std::string_view what, std::size_t size,
                                        std::size_t minimum) {
    if (size >= minimum && size <= kArgon2MaxLength) return std::nullopt;
    return fmt::format("the argon2id {} is {} bytes long; it must be {} to {}", what, size, minimum,
                       kArgon2MaxLength);
}

}  // namespace

Argon2idParse parse_argon2id(std::string_view text) {
    // "$argon2id$v=19$m=..,t=..,p=..$SALT$HASH" splits into 6 parts; without "v=" into 5.
    auto parts = split(text, '$');
    const bool versioned = parts.size() > 2 && parts[2].starts_with("v=");
    if (parts.size() != (versioned ? 6u : 5u) || !parts[0].empty() || parts[1] != "argon2id") {
        return failure(fmt::format("an argon2id entry must be {}", kForm));
    }
    Argon2Parameters parameters;
    parameters.version = ARGON2_VERSION_10;  // libargon2's reading of a string without "v="
    if (versioned) {
        const auto version = named_number(parts[2], "v");
        if (!version || (*version != ARGON2_VERSION_10 && *version != ARGON2_VERSION_13)) {
            return failure(fmt::format(
                "the argon2id version \"{}\" is not supported (v=19, or v=16 for the old one)",
                parts[2]));
        }
        parameters.version = *version;
        parts.erase(parts.begin() + 2);
    }
    const auto costs = split(parts[2], ',');
    if (costs.size() != 3) {
        return failure(
            fmt::format("the argon2id costs \"{}\" must be m=MEMORY,t=PASSES,p=LANES", parts[2]));
    }
    const auto memory = named_number(costs[0], "m");
    const auto passes = named_number(costs[1], "t");
    const auto lanes = named_number(costs[2], "p");
    if (!memory || !passes || !lanes) {
        return failure(
            fmt::format("the argon2id costs \"{}\" must be m=MEMORY,t=PASSES,p=LANES", parts[2]));
    }
    if (*lanes < 1 || *lanes > kArgon2MaxLanes) {
        return failure(
            fmt::format("the argon2id lanes p={} must be 1 to {}", *lanes, kArgon2MaxLanes));
    }
    if (*passes < 1 || *passes > kArgon2MaxPasses) {
        return failure(
            fmt::format("the argon2id passes t={} must be 1 to {}", *passes, kArgon2MaxPasses));
    }
    if (*memory < 8 * *lanes || *memory > kArgon2MaxMemoryKib) {
        return failure(fmt::format("the argon2id memory m={} KiB must be 8 x p ({}) to {} (4 GiB)",
                                   *memory, 8 * *lanes, kArgon2MaxMemoryKib));
    }
    parameters.memory_kib = *memory;
    parameters.passes = *passes;
    parameters.lanes = *lanes;

    auto salt = text::base64_decode(parts[3]);
    if (!salt) return failure("the argon2id salt is not valid base64");
    if (auto error = check_length("salt", salt->size(), kArgon2MinSaltLength)) {
        return failure(std::move(*error));
    }
    auto hash = text::base64_decode(parts[4]);
    if (!hash) return failure("the argon2id hash is not valid base64");
    if (auto error = check_length("hash", hash->size(), kArgon2MinHashLength)) {
        return failure(std::move(*error));
    }
    return {Argon2idEntry{parameters, std::move(*salt), std::move(*hash)}, {}};
}

std::string encode_argon2id(const Argon2idEntry& entry) {
    const Argon2Parameters& p = entry.parameters;
    return fmt::format("$argon2id$v={}$m={},t={},p={}${}${}", p.version, p.memory_kib, p.passes,
                       p.lanes, text::base64_encode(entry.salt, text::Base64Padding::Omit),
                       text::base64_encode(entry.hash, text::Base64Padding::Omit));
}

Bytes argon2id_hash(std::string_view password, ByteView salt, const Argon2Parameters& parameters,
                    std::size_t length) {
    Bytes out(length);
    const int result =
        argon2_hash(parameters.passes, parameters.memory_kib, parameters.lanes, password.data(),
                    password.size(), salt.data(), salt.size(), out.data(), out.size(), nullptr, 0,
                    Argon2_id, static_cast<argon2_version>(parameters.version));
    if (result != ARGON2_OK) {
        throw std::runtime_error(std::string("argon2id: ") + argon2_error_message(result));
    }
    return out;
}

}  // namespace akasa::auth
