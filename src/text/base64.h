// Standard base64 (RFC 4648 section 4, alphabet A-Z a-z 0-9 + /): password files and SCRAM
// (src/auth), the WebSocket upgrade's key and accept values (src/net/websocket).
// Akasa's password file writes it without `=` padding, mosquitto and SCRAM with padding;
// the decoder accepts both forms and nothing else.
//
//   std::string text = text::base64_encode(salt, text::Base64Padding::Omit);
//   auto salt = text::base64_decode(text);  // std::optional<std::vector<std::uint8_t>>;
//                                           // nullopt when not valid base64
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace akasa::text {

enum class Base64Padding { Include, Omit };

std::string base64_encode(std::span<const std::uint8_t> data, Base64Padding padding);

// Decodes padded or unpadded base64. Returns nullopt for characters outside the alphabet,
// whitespace, a wrong length (a lone trailing character, or padding that does not complete
// a 4-character group), `=` anywhere but the end, or non-zero unused bits in the last
// character (so every byte string has exactly one accepted spelling per padding style).
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace akasa::text
