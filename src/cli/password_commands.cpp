// `akasa insert-password` and `akasa remove-password`: edit a password file in place
// (src/auth/password_file.h), keeping every other line as it was.
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "auth/crypto.h"
#include "auth/password_file.h"
#include "auth/password_hash.h"
#include "cli/commands.h"

namespace akasa::cli {
namespace {

int error(const std::string& sentence) {
    std::fprintf(stderr, "akasa: %s\n", sentence.c_str());
    return 1;
}

// Erases a password from memory when it goes out of scope.
struct Secret {
    std::string text;
    ~Secret() {
        // Whole buffer, not just the current size: a moved-from or shortened string may
        // still hold the characters.
        text.resize(text.capacity());
        auth::wipe(text.data(), text.size());
    }
};

// Terminal state to restore if a signal arrives while echo is off; written before the
// handlers are installed and only read by them.
termios g_saved_terminal;
volatile sig_atomic_t g_echo_disabled = 0;

void restore_terminal_and_reraise(int signal_number) {
    if (g_echo_disabled) ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_terminal);
    ::signal(signal_number, SIG_DFL);
    ::raise(signal_number);
}

// Turns terminal echo off for its lifetime; Ctrl-C and friends restore it too.
class EchoOff {
  public:
    EchoOff() {
        if (::tcgetattr(STDIN_FILENO, &g_saved_terminal) != 0) return;
        for (const int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
            struct sigaction action {};
            action.sa_handler = &restore_terminal_and_reraise;
            ::sigemptyset(&action.sa_mask);
            ::sigaction(s, &action, nullptr);
        }
        termios quiet = g_saved_terminal;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;  // the Enter key still moves to the next line
        g_echo_disabled = 1;
        if (::tcsetattr(STDIN_FILENO, TCSANOW, &quiet) != 0) g_echo_disabled = 0;
    }
    ~EchoOff() {
        if (g_echo_disabled) ::tcsetattr(STDIN_FILENO, TCSADRAIN, &g_saved_terminal);
        g_echo_disabled = 0;
        for (const int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT})
            ::signal(s, SIG_DFL);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;
};

void print_prompt(const char* prompt) {
    std::fputs(prompt, stderr);
    std::fflush(stderr);
}

// Prints `prompt` on stderr and reads one line from stdin without its line ending;
// nullopt at end of input. On a terminal, echo is off before the prompt appears, so
// nothing typed after the prompt is shown.
std::optional<std::string> read_line(const char* prompt, bool terminal) {
    std::string line;
    bool got_line = false;
    if (terminal) {
        EchoOff quiet;
        print_prompt(prompt);
        got_line = static_cast<bool>(std::getline(std::cin, line));
    } else {
        print_prompt(prompt);
        got_line = static_cast<bool>(std::getline(std::cin, line));
        std::fputc('\n', stderr);  // nothing was echoed: end the prompt line ourselves
    }
    if (!got_line) {
        auth::wipe(line.data(), line.size());
        return std::nullopt;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

// The user's password, asked twice. Returns nullopt after printing the error.
std::optional<std::string> prompt_new_password() {
    const bool terminal = ::isatty(STDIN_FILENO) == 1;
    Secret first{read_line("Password: ", terminal).value_or(std::string())};
    if (!std::cin) {
        error("no password was given: standard input ended before the password line.");
        return std::nullopt;
    }
    Secret second{read_line("Repeat Password: ", terminal).value_or(std::string())};
    if (!std::cin) {
        error("the password was not repeated: standard input ended after the first line.");
        return std::nullopt;
    }
    if (first.text != second.text) {
        error("the two passwords do not match; nothing was changed.");
        return std::nullopt;
    }
    if (first.text.empty()) {
        error("the password is empty; an empty password is not allowed.");
        return std::nullopt;
    }
    return std::move(first.text);
}

}  // namespace

int insert_password(const InsertPasswordOptions& options) {
    const auto algorithm = auth::parse_hash_algorithm(options.hash_algorithm);
    if (!algorithm) {
        return error("unknown hash algorithm \"" + options.hash_algorithm +
                     "\"; use sha256, sha512, sha256-pkbdf2 or sha512-pkbdf2.");
    }
    if (options.iterations && !auth::uses_iterations(*algorithm)) {
        return error(
            "--iterations applies only to the sha256-pkbdf2 and sha512-pkbdf2 "
            "algorithms, not to " +
            options.hash_algorithm + ".");
    }
    const std::uint32_t iterations = options.iterations.value_or(auth::kDefaultIterations);
    if (iterations == 0 || iterations > auth::kMaxPbkdf2Iterations) {
        return error("--iterations must be between 1 and " +
                     std::to_string(auth::kMaxPbkdf2Iterations) + ".");
    }
    if (!auth::PasswordFile::is_valid_username(options.username)) {
        return error("the username must not be empty or contain line breaks.");
    }

    // Load first, so a missing or broken file is reported before asking for a password.
    auth::PasswordFile file;
    if (!options.create) {
        if (::access(options.path.c_str(), F_OK) != 0 && errno == ENOENT) {
            return error("the password file " + options.path +
                         " does not exist; add --create to start a new one.");
        }
        try {
            file = auth::PasswordFile::load(options.path);
        } catch (const auth::PasswordFileError& e) {
            return error(std::string(e.what()) + ".");
        }
    }

    auto password = prompt_new_password();
    if (!password) return 1;
    Secret secret{std::move(*password)};
    try {
        file.insert(options.username,
                    auth::PasswordHash::create(secret.text, *algorithm, iterations));
        file.save(options.path);
    } catch (const std::exception& e) {
        return error(std::string(e.what()) + ".");
    }
    return 0;
}

int remove_password(const std::string& path, const std::string& username) {
    try {
        auth::PasswordFile file = auth::PasswordFile::load(path);
        if (!file.remove(username)) {
            return error("user \"" + username + "\" is not in the password file " + path +
                         "; nothing was changed.");
        }
        file.save(path);
    } catch (const std::exception& e) {
        return error(std::string(e.what()) + ".");
    }
    return 0;
}

}  // namespace akasa::cli
