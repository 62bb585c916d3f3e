#include "text/base64.h"

#include <array>
#include <cstdint>

namespace akasa::text {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_reverse_table() {
    std::array<std::int8_t, 256> table{};
    for (auto& entry : table)
        entry = -1;
    for (int i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
    return table;
}

constexpr auto kReverse = make_reverse_table();

}  // namespace

std::string base64_encode(std::span<const std::uint8_t> data, Base64Padding padding) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const std::uint32_t group =
            (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
        out.push_back(kAlphabet[(group >> 18) & 63]);
        out.push_back(kAlphabet[(group >> 12) & 63]);
        out.push_back(kAlphabet[(group >> 6) & 63]);
        out.push_back(kAlphabet[group & 63]);
    }
    const std::size_t rest = data.size() - i;
    if (rest == 0) return out;
    std::uint32_t group = std::uint32_t{data[i]} << 16;
    if (rest == 2) group |= std::uint32_t{data[i + 1]} << 8;
    out.push_back(kAlphabet[(group >> 18) & 63]);
    out.push_back(kAlphabet[(group >> 12) & 63]);
    if (rest == 2) out.push_back(kAlphabet[(group >> 6) & 63]);
    if (padding == Base64Padding::Include) out.append(rest == 1 ? "==" : "=");
    return out;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
    // Strip padding first, checking that it completes the last group exactly.
    std::size_t pad = 0;
    while (pad < text.size() && pad < 2 && text[text.size() - 1 - pad] == '=')
        ++pad;
    if (pad > 0 && text.size() % 4 != 0) return std::nullopt;
    const std::string_view body = text.substr(0, text.size() - pad);
    const std::size_t tail = body.size() % 4;
    if (tail == 1) return std::nullopt;
    if (pad > 0 && tail == 0) return std::nullopt;  // "AAAA=" style: padding with no partial group

    std::vector<std::uint8_t> out;
    out.reserve(body.size() / 4 * 3 + 2);
    std::uint32_t group = 0;
    int bits = 0;
    for (const char c : body) {
        const std::int8_t value = kReverse[static_cast<unsigned char>(c)];
        if (value < 0) return std::nullopt;  // includes a stray '=' in the middle
        group = (group << 6) | static_cast<std::uint32_t>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((group >> bits) & 0xff));
        }
    }
    // The 2 or 4 bits left over from a partial group must be zero.
    if (bits > 0 && (group & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

}  // namespace akasa::text
