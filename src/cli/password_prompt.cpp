#include "cli/password_prompt.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "auth/crypto.h"

namespace akasa::cli {
namespace {

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

}  // namespace

Secret::~Secret() {
    // Whole buffer, not just the current size: a moved-from or shortened string may still
    // hold the characters.
    text.resize(text.capacity());
    auth::wipe(text.data(), text.size());
}

int report_error(const std::string& sentence) {
    std::fprintf(stderr, "akasa: %s\n", sentence.c_str());
    return 1;
}

std::optional<std::string> prompt_new_password() {
    const bool terminal = ::isatty(STDIN_FILENO) == 1;
    Secret first{read_line("Password: ", terminal).value_or(std::string())};
    if (!std::cin) {
        report_error("no password was given: standard input ended before the password line.");
        return std::nullopt;
    }
    Secret second{read_line("Repeat Password: ", terminal).value_or(std::string())};
    if (!std::cin) {
        report_error("the password was not repeated: standard input ended after the first line.");
        return std::nullopt;
    }
    if (first.text != second.text) {
        report_error("the two passwords do not match; nothing was changed.");
        return std::nullopt;
    }
    if (first.text.empty()) {
        report_error("the password is empty; an empty password is not allowed.");
        return std::nullopt;
    }
    return std::move(first.text);
}

}  // namespace akasa::cli
