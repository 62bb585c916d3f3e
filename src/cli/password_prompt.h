// Reading a new password for the commands that store one (`insert-password`,
// `scram-password`): `Password:` then `Repeat Password:` on stderr, the answers from stdin,
// without echo on a terminal (Ctrl-C restores the echo), or two lines from a pipe.
//
//   auto password = prompt_new_password();   // nullopt: the error is printed already
//   if (!password) return 1;
//   Secret secret{std::move(*password)};     // wiped when it goes out of scope
#pragma once

#include <optional>
#include <string>

namespace akasa::cli {

// Erases a password from memory when it goes out of scope.
struct Secret {
    std::string text;
    ~Secret();
};

// Prints `akasa: SENTENCE` on stderr; returns 1, the exit status of a failed command.
int report_error(const std::string& sentence);

// The new password, asked twice. nullopt (after printing why) when input ends early, the two
// differ or the password is empty.
std::optional<std::string> prompt_new_password();

}  // namespace akasa::cli
