// Splitting the fields of a password-file entry or a SCRAM message: every separator splits,
// empty fields included, so that a field count says whether the text has the expected form.
//
//   split("$6$salt$hash", '$')  ->  {"", "6", "salt", "hash"}
//   split("", ',')              ->  {""}
#pragma once

#include <string_view>
#include <vector>

namespace akasa::auth {

inline std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const std::size_t end = text.find(separator, start);
        if (end == std::string_view::npos) {
            parts.push_back(text.substr(start));
            return parts;
        }
        parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
}

}  // namespace akasa::auth
