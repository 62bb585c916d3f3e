// Standard base64 (RFC 4648 section 4, alphabet A-Z a-z 0-9 + /).
// Akasa's password file writes it without `=` padding, mosquitto and SCRAM with padding;
// the decoder accepts both forms and nothing else.
//
//   std::string text = base64_encode(salt, Base64Padding::Omit);
//   std::optional<Bytes> salt = base64_decode(text);   // nullopt when not valid base64
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "auth/crypto.h"

namespace akasa::auth {

enum class Base64Padding { Include, Omit };

std::string base64_encode(ByteView data, Base64Padding padding);

// Decodes padded or unpadded base64. Returns nullopt for characters outside the alphabet,
// whitespace, a wrong length (a lone trailing character, or padding that does not complete
// a 4-character group), `=` anywhere but the end, or non-zero unused bits in the last
// character (so every byte string has exactly one accepted spelling per padding style).
std::optional<Bytes> base64_decode(std::string_view text);

}  // namespace akasa::auth
