// The password file: one `username:FIELDS` line per user (see password_hash.h for FIELDS),
// the username being everything before the LAST `:`. Each line is trimmed (spaces, tabs, a
// Windows `\r`) first; empty lines and lines starting with `#` (comments, which mosquitto
// writes and accepts) are skipped; any other line that does not parse is a load error naming
// its line number. A user listed twice is not an error: the last line wins, and warnings()
// names both lines.
//
// Two uses, one class:
// - The broker loads a file and shares it, immutable, between worker threads; a SIGHUP
//   loads it again and swaps it in whole (auth/password_store.h):
//       std::shared_ptr<const PasswordFile> users = store.current();
//       if (users->verify(username, password)) { ... }
//   All const members are safe to call concurrently.
// - The CLI edits a file: load, insert()/remove(), save(). Every line that is not the
//   edited user's (other users, mosquitto lines, comments, blank lines) is written back byte
//   for byte, in its original order; save() replaces the file atomically: a new file gets
//   mode 0600, a rewritten one keeps its owner, group and mode (minus any access for others).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "auth/password_hash.h"

namespace akasa::auth {

// A file that cannot be read, parsed or written. what() is a full sentence starting with
// the path (and `:LINE` for a parse error), e.g.
// `passwords:3: the salt is not valid base64`.
class PasswordFileError : public std::runtime_error {
  public:
    PasswordFileError(std::string message, std::optional<std::size_t> line)
        : std::runtime_error(std::move(message)), line_(line) {}
    // 1-based line number of a parse error.
    std::optional<std::size_t> line() const { return line_; }

  private:
    std::optional<std::size_t> line_;
};

class PasswordFile {
  public:
    // An empty file (what `insert-password --create` starts from).
    PasswordFile();

    // Reads and parses `path`; throws PasswordFileError (the message says whether the file
    // is missing, unreadable or malformed, and where).
    static PasswordFile load(const std::string& path);

    // Parses text; `source` names it in error messages.
    static PasswordFile parse(std::string_view text, std::string_view source);

    // What load() or parse() found worth a warning, one sentence each starting with
    // `SOURCE:LINE: `, e.g. `passwords:5: user "bob" is also on line 2; the last line (5) is
    // used`. Edits do not change it.
    const std::vector<std::string>& warnings() const { return warnings_; }

    // True when the user exists and the password matches (constant-time comparison). An
    // unknown user's password is hashed too, against unknown_user_entry(): the answer takes
    // as long as for a typical user of this file. Same as
    //   auto c = candidate(username); return c.entry.matches(password) && c.known;
    bool verify(std::string_view username, std::string_view password) const;

    // What checking `username`'s password hashes against: the user's entry, or for an
    // unknown user unknown_user_entry() (`known` false: it must fail whatever it computes).
    // Lets the server run the hashing elsewhere (src/auth/hashing_pool.h) while the file,
    // and so the entry, is kept alive.
    struct Candidate {
        const PasswordHash& entry;
        bool known;
    };
    Candidate candidate(std::string_view username) const;

    // The stand-in hashed for unknown users: the algorithm and iteration count that most
    // entries of the file have (ties: the more expensive), with a fixed salt and a hash
    // nothing matches. The most common rather than the most expensive parameters: timing
    // then tells an unknown name from most users apart by nothing, while the most expensive
    // ones would make unknown names look like the few slowest users (and unlike everyone
    // else). An empty file: the default algorithm and iterations of new entries.
    const PasswordHash& unknown_user_entry() const { return unknown_user_; }

    bool contains(std::string_view username) const;
    std::size_t size() const { return index_.size(); }
    // The stored entry, or nullptr.
    const PasswordHash* find(std::string_view username) const;

    // Why `username` cannot be stored, or nullopt when it can. It must not be empty, contain
    // `\n`, `\r` or NUL, or start with whitespace or `#` (reading would trim the whitespace,
    // or skip the line as a comment).
    static std::optional<std::string> username_problem(std::string_view username);
    static bool is_valid_username(std::string_view username) { return !username_problem(username); }

    // Adds the user at the end, or replaces the user's line where it is (the last one, and
    // removes its earlier ones when the user was listed more than once).
    // Throws std::invalid_argument (with username_problem()) for a username that is not valid.
    enum class Change { Added, Updated };
    Change insert(const std::string& username, PasswordHash hash);

    // Removes the user's lines (all of them); false when the user is not there.
    bool remove(std::string_view username);

    // The file's text: every line followed by `\n`.
    std::string serialize() const;

    // Atomic replace: writes a temporary file (mode 0600, or the owner, group and mode of the
    // file it replaces, see above) in the same directory, fsyncs it,
    // renames it over `path` and fsyncs the directory. On failure the temporary file is
    // removed, the old file is untouched, and PasswordFileError is thrown.
    void save(const std::string& path) const;

  private:
    struct Line {
        std::string text;                   // as read, without the `\n`
        std::optional<std::string> user;    // set for entry lines
        std::optional<PasswordHash> entry;  // set for entry lines
    };

    // Removes the lines of `username` except the one at position `keep`, then reindexes.
    void erase_lines_of(std::string_view username, std::optional<std::size_t> keep);
    void rebuild_index();
    // Sets unknown_user_ from the entries in force (after every change to them).
    void choose_unknown_user_entry();

    std::vector<Line> lines_;
    // username -> lines_ position of the line in force (the user's last line)
    std::map<std::string, std::size_t, std::less<>> index_;
    PasswordHash unknown_user_;
    std::vector<std::string> warnings_;
};

}  // namespace akasa::auth
