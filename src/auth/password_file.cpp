#include "auth/password_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "util/log_text.h"

namespace akasa::auth {
namespace {

// What reading a line ignores at both ends: blanks and the `\r` of a Windows line ending.
constexpr std::string_view kTrimmed = " \t\r\f\v";

std::string_view trim(std::string_view line) {
    const std::size_t first = line.find_first_not_of(kTrimmed);
    if (first == std::string_view::npos) return {};
    return line.substr(first, line.find_last_not_of(kTrimmed) + 1 - first);
}

std::string os_error(int error) {
    return std::strerror(error);
}

// What the cost of checking an entry depends on: entries alike in these cost the same.
struct Parameters {
    HashAlgorithm algorithm;
    std::uint32_t iterations;
    Argon2Parameters argon2;
    std::size_t hash_length;

    auto operator<=>(const Parameters&) const = default;
};

Parameters parameters_of(const PasswordHash& entry) {
    return {entry.algorithm, entry.iterations, entry.argon2, entry.hash.size()};
}

// The parameters of new entries, for the stand-in of an empty file.
Parameters default_parameters() {
    return {kDefaultHashAlgorithm,
            default_iterations(kDefaultHashAlgorithm),
            {},
            hash_size(kDefaultHashAlgorithm)};
}

// The stand-in entry hashed for unknown users, with the given parameters. Salt and hash are
// fixed, so no randomness is spent per failed login; secrecy is not needed since the check
// fails whatever it computes (PasswordFile::Candidate::known).
PasswordHash stand_in_entry(const Parameters& parameters) {
    PasswordHash entry;
    entry.algorithm = parameters.algorithm;
    entry.iterations = parameters.iterations;
    entry.argon2 = parameters.argon2;
    entry.salt = Bytes(kSaltLength, 0x5a);
    entry.hash = Bytes(parameters.hash_length, 0);
    return entry;
}

// What checking an entry with these parameters costs, to break ties between equally common
// parameters: PBKDF2 iterations, KiB x passes for argon2id (a rough common scale: mosquitto's
// argon2id, 47104 KiB x 1, costs more than 10,000 PBKDF2 iterations), 1 for a single hash.
std::uint64_t cost_of(const Parameters& parameters) {
    if (parameters.algorithm == HashAlgorithm::MosquittoArgon2id) {
        return std::uint64_t{parameters.argon2.memory_kib} * parameters.argon2.passes;
    }
    return uses_iterations(parameters.algorithm) ? parameters.iterations : 1;
}

std::string directory_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

// Closes a descriptor and unlinks the temporary file unless released.
class TempFile {
  public:
    TempFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
    ~TempFile() {
        if (fd_ >= 0) ::close(fd_);
        if (!path_.empty()) ::unlink(path_.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    int fd() const { return fd_; }
    const std::string& path() const { return path_; }
    int close() {
        const int result = ::close(fd_);
        fd_ = -1;
        return result;
    }
    void keep() { path_.clear(); }

  private:
    int fd_;
    std::string path_;
};

}  // namespace

PasswordFile::PasswordFile() : unknown_user_(stand_in_entry(default_parameters())) {}

void PasswordFile::choose_unknown_user_entry() {
    std::map<Parameters, std::size_t> counts;
    for (const auto& [user, position] : index_) {
        ++counts[parameters_of(*lines_[position].entry)];
    }
    Parameters chosen = default_parameters();
    std::size_t best = 0;
    for (const auto& [parameters, count] : counts) {
        const bool more_common = count > best;
        const bool as_common_but_dearer = count == best && cost_of(parameters) > cost_of(chosen);
        if (more_common || as_common_but_dearer) {
            chosen = parameters;
            best = count;
        }
    }
    unknown_user_ = stand_in_entry(chosen);
}

PasswordFile PasswordFile::load(const std::string& path) {
    // POSIX reads rather than a stream: a read error (a directory, an I/O error) must be an
    // error, not an empty file with no users.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int error = errno;
        if (error == ENOENT) {
            throw PasswordFileError("the password file " + path + " does not exist", std::nullopt);
        }
        throw PasswordFileError("cannot open the password file " + path + ": " + os_error(error),
                                std::nullopt);
    }
    std::string text;
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n > 0) {
            text.append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0) {
            break;
        } else if (errno != EINTR) {
            const int error = errno;
            ::close(fd);
            throw PasswordFileError(
                "cannot read the password file " + path + ": " + os_error(error), std::nullopt);
        }
    }
    ::close(fd);
    return parse(text, path);
}

PasswordFile PasswordFile::parse(std::string_view text, std::string_view source) {
    PasswordFile file;
    std::size_t start = 0;
    std::size_t number = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view raw = text.substr(start, end - start);
        start = end + 1;
        ++number;

        Line line{std::string(raw), std::nullopt, std::nullopt};
        const std::string_view content = trim(raw);
        if (content.empty() || content.front() == '#') {
            file.lines_.push_back(std::move(line));
            continue;
        }
        const auto where = [&](std::size_t line_number) {
            return std::string(source) + ":" + std::to_string(line_number) + ": ";
        };
        const auto fail = [&](const std::string& reason) {
            return PasswordFileError(where(number) + reason, number);
        };
        if (content.find('\0') != std::string_view::npos)
            throw fail("the line contains a NUL byte");
        const std::size_t colon = content.rfind(':');
        if (colon == std::string_view::npos) {
            throw fail("expected username:FIELDS but the line has no ':'");
        }
        if (colon == 0) throw fail("the username before ':' is empty");
        std::string user(content.substr(0, colon));
        auto parsed = parse_password_fields(content.substr(colon + 1));
        if (!parsed.value) throw fail(parsed.error);
        const std::size_t position = file.lines_.size();
        if (const auto [it, added] = file.index_.try_emplace(user, position); !added) {
            // The later line is most likely the one added last (appended by hand), so it
            // wins; both lines are named so that the stale one can be removed.
            file.warnings_.push_back(where(number) + "user " + util::quoted_for_log(user) +
                                     " is also on line " + std::to_string(it->second + 1) +
                                     "; the last line (" + std::to_string(number) + ") is used");
            it->second = position;
        }
        line.user = std::move(user);
        line.entry = std::move(parsed.value);
        file.lines_.push_back(std::move(line));
    }
    file.choose_unknown_user_entry();
    return file;
}

const PasswordHash* PasswordFile::find(std::string_view username) const {
    const auto it = index_.find(username);
    if (it == index_.end()) return nullptr;
    return &*lines_[it->second].entry;
}

bool PasswordFile::contains(std::string_view username) const {
    return find(username) != nullptr;
}

PasswordFile::Candidate PasswordFile::candidate(std::string_view username) const {
    if (const PasswordHash* entry = find(username)) return {*entry, true};
    return {unknown_user_, false};
}

bool PasswordFile::verify(std::string_view username, std::string_view password) const {
    // An unknown user's password is hashed all the same, so that timing does not tell
    // which user names exist.
    const Candidate c = candidate(username);
    return c.entry.matches(password) && c.known;
}

std::optional<std::string> PasswordFile::username_problem(std::string_view username) {
    if (username.empty()) return "the username must not be empty";
    if (username.find_first_of(std::string_view("\n\r\0", 3)) != std::string_view::npos) {
        return "the username must not contain line breaks or NUL bytes";
    }
    if (kTrimmed.find(username.front()) != std::string_view::npos) {
        return "the username must not start with whitespace (reading the file trims it)";
    }
    if (username.front() == '#') {
        return "the username must not start with '#' (that line would be a comment)";
    }
    return std::nullopt;
}

PasswordFile::Change PasswordFile::insert(const std::string& username, PasswordHash hash) {
    if (auto problem = username_problem(username)) throw std::invalid_argument(*problem);
    std::string text = username + ":" + hash.to_fields();
    if (const auto it = index_.find(username); it != index_.end()) {
        Line& line = lines_[it->second];
        line.text = std::move(text);
        line.entry = std::move(hash);
        erase_lines_of(username, it->second);
        choose_unknown_user_entry();
        return Change::Updated;
    }
    index_.emplace(username, lines_.size());
    lines_.push_back(Line{std::move(text), username, std::move(hash)});
    choose_unknown_user_entry();
    return Change::Added;
}

bool PasswordFile::remove(std::string_view username) {
    if (!contains(username)) return false;
    erase_lines_of(username, std::nullopt);
    choose_unknown_user_entry();
    return true;
}

void PasswordFile::erase_lines_of(std::string_view username, std::optional<std::size_t> keep) {
    std::vector<Line> kept;
    kept.reserve(lines_.size());
    for (std::size_t i = 0; i < lines_.size(); ++i) {
        if (lines_[i].user && *lines_[i].user == username && i != keep) continue;
        kept.push_back(std::move(lines_[i]));
    }
    lines_ = std::move(kept);
    rebuild_index();
}

void PasswordFile::rebuild_index() {
    index_.clear();
    for (std::size_t i = 0; i < lines_.size(); ++i) {
        if (lines_[i].user) index_.insert_or_assign(*lines_[i].user, i);  // the last line wins
    }
}

std::string PasswordFile::serialize() const {
    std::string text;
    for (const Line& line : lines_) {
        text += line.text;
        text += '\n';
    }
    return text;
}

void PasswordFile::save(const std::string& path) const {
    const auto fail = [&](const std::string& what, int error) {
        return PasswordFileError(
            "cannot write the password file " + path + ": " + what + ": " + os_error(error),
            std::nullopt);
    };
    const std::string directory = directory_of(path);
    std::string pattern = path + ".tmp-XXXXXX";
    const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd < 0) throw fail("cannot create a temporary file in " + directory, errno);
    TempFile temp(fd, pattern);
    // A new file is 0600. A file being rewritten keeps its owner, group and mode (without
    // access for others): the server may run as another user than the one editing the file,
    // e.g. root edits a file owned by root:akasa with mode 0640 that the server reads.
    mode_t mode = S_IRUSR | S_IWUSR;
    struct stat existing {};
    if (::stat(path.c_str(), &existing) == 0 && S_ISREG(existing.st_mode)) {
        if (::fchown(temp.fd(), existing.st_uid, existing.st_gid) != 0) {
            throw fail("cannot give the new file the owner and group of the old one (fchown)",
                       errno);
        }
        mode = (existing.st_mode & (S_IRWXU | S_IRWXG)) | S_IRUSR | S_IWUSR;
    }
    if (::fchmod(temp.fd(), mode) != 0) throw fail("fchmod", errno);

    const std::string text = serialize();
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(temp.fd(), text.data() + written, text.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw fail("write", errno);
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(temp.fd()) != 0) throw fail("fsync", errno);
    if (temp.close() != 0) throw fail("close", errno);
    if (::rename(temp.path().c_str(), path.c_str()) != 0) throw fail("rename", errno);
    temp.keep();

    // Make the rename itself durable. A failure here does not undo the replacement, and
    // some file systems refuse fsync on directories, so it is best effort.
    const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        (void)::fsync(dir_fd);
        ::close(dir_fd);
    }
}

}  // namespace akasa::auth
