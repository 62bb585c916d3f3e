// libFuzzer target for the password file (auth/password_file.h: PasswordFile::parse, the
// text load() reads; auth/password_hash.h: parse_password_fields), see fuzz/README.md.
// Input: a password file. Passwords are never hashed here (PBKDF2 would make every run
// slow); the hashing is covered by the unit tests.
// Properties checked, aborting on a violation (ASan/UBSan check memory and UB):
//  1. parse() either returns a file or throws PasswordFileError naming the source and the
//     line (anything else escaping is a crash: the server would die on a SIGHUP reload);
//     every warning of a file it returns names the source and a line too.
//  2. serialize() gives the text back byte for byte (every line ends in '\n'), and that
//     text parses to as many users.
//  3. The fields of every line that parse re-encode (to_fields) to text that parses to an
//     equal entry, and encoding that entry again gives the same text.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/password_file.h"
#include "fuzz_support.h"

namespace {

using namespace akasa::auth;

[[noreturn]] void fail(const char* what) {
    akasa::fuzz::fail("password_file_fuzz", what);
}

void check_fields(std::string_view fields) {
    const PasswordHashParse parsed = parse_password_fields(fields);
    if (!parsed.value) {
        if (parsed.error.empty()) fail("a refused entry without a reason");
        return;
    }
    const std::string text = parsed.value->to_fields();
    const PasswordHashParse again = parse_password_fields(text);
    if (!again.value || !(*again.value == *parsed.value)) fail("to_fields() does not parse back");
    if (again.value->to_fields() != text) fail("to_fields() is not stable");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    // Property 3, line by line: the fields are what follows the last ':' of the trimmed line.
    for (std::string_view rest = text; !rest.empty();) {
        const std::size_t newline = rest.find('\n');
        std::string_view line = rest.substr(0, newline);
        rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
        constexpr std::string_view kBlanks = " \t\r\f\v";
        line.remove_prefix(std::min(line.find_first_not_of(kBlanks), line.size()));
        while (!line.empty() && kBlanks.find(line.back()) != std::string_view::npos)
            line.remove_suffix(1);
        if (line.starts_with('#')) continue;
        if (const std::size_t colon = line.rfind(':'); colon != std::string_view::npos) {
            check_fields(line.substr(colon + 1));
        }
    }

    PasswordFile file;
    try {
        file = PasswordFile::parse(text, "fuzz.passwords");
    } catch (const PasswordFileError& e) {
        if (!std::string_view(e.what()).starts_with("fuzz.passwords:") || !e.line()) {
            fail("a parse error without the source and line");
        }
        return 0;
    }
    for (const std::string& warning : file.warnings()) {
        if (!warning.starts_with("fuzz.passwords:")) fail("a warning without the source and line");
    }
    std::string expected(text);
    if (!expected.empty() && !expected.ends_with('\n')) expected += '\n';
    const std::string serialized = file.serialize();
    if (serialized != expected) fail("serialize() does not give the text back");
    try {
        if (PasswordFile::parse(serialized, "again").size() != file.size()) {
            fail("the serialized file has another number of users");
        }
    } catch (const PasswordFileError&) {
        fail("the serialized file does not parse");
    }
    return 0;
}
