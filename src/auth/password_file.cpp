#include "auth/password_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <tuple>
#include <utility>

namespace akasa::auth {
namespace {

bool is_blank(std::string_view line) {
    return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

std::string os_error(int error) {
    return std::strerror(error);
}

// The stand-in entry hashed for unknown users, with the given parameters. Salt and hash are
// fixed, so no randomness is spent per failed login; secrecy is not needed since the check
// fails whatever it computes (PasswordFile::Candidate::known).
PasswordHash stand_in_entry(HashAlgorithm algorithm, std::uint32_t iterations) {
    PasswordHash entry;
    entry.algorithm = algorithm;
    entry.iterations = uses_iterations(algorithm) ? iterations : 0;
    entry.salt = Bytes(kSaltLength, 0x5a);
    entry.hash = Bytes(hash_size(algorithm), 0);
    return entry;
}

// What checking an entry with these parameters costs, in PBKDF2 iterations (a single hash
// counts as one), to break ties between equally common parameters.
std::uint64_t cost_of(HashAlgorithm algorithm, std::uint32_t iterations) {
    return uses_iterations(algorithm) ? iterations : 1;
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

PasswordFile::PasswordFile()
    : unknown_user_(
          stand_in_entry(kDefaultHashAlgorithm, default_iterations(kDefaultHashAlgorithm))) {}

void PasswordFile::choose_unknown_user_entry() {
    std::map<std::pair<HashAlgorithm, std::uint32_t>, std::size_t> counts;
    for (const Line& line : lines_) {
        if (line.entry) ++counts[{line.entry->algorithm, line.entry->iterations}];
    }
    auto algorithm = kDefaultHashAlgorithm;
    auto iterations = default_iterations(kDefaultHashAlgorithm);
    std::size_t best = 0;
    for (const auto& [parameters, count] : counts) {
        const bool more_common = count > best;
        const bool as_common_but_dearer =
            count == best &&
            cost_of(parameters.first, parameters.second) > cost_of(algorithm, iterations);
        if (more_common || as_common_but_dearer) {
            std::tie(algorithm, iterations) = parameters;
            best = count;
        }
    }
    unknown_user_ = stand_in_entry(algorithm, iterations);
}

PasswordFile PasswordFile::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int error = errno;
        if (error == ENOENT) {
            throw PasswordFileError("the password file " + path + " does not exist", std::nullopt);
        }
        throw PasswordFileError("cannot open the password file " + path + ": " + os_error(error),
                                std::nullopt);
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw PasswordFileError("cannot read the password file " + path, std::nullopt);
    }
    return parse(text.str(), path);
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
        if (is_blank(raw)) {
            file.lines_.push_back(std::move(line));
            continue;
        }
        const auto fail = [&](const std::string& reason) {
            return PasswordFileError(
                std::string(source) + ":" + std::to_string(number) + ": " + reason, number);
        };
        // A file written on Windows: the `\r` belongs to the line ending, not the hash.
        std::string_view content = raw;
        if (content.back() == '\r') content.remove_suffix(1);
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
        if (const auto it = file.index_.find(user); it != file.index_.end()) {
            // Which entry should win is ambiguous: refuse rather than guess.
            throw fail("user \"" + user + "\" already appears on line " +
                       std::to_string(it->second + 1));
        }
        file.index_.emplace(user, file.lines_.size());
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

bool PasswordFile::is_valid_username(std::string_view username) {
    return !username.empty() &&
           username.find_first_of(std::string_view("\n\r\0", 3)) == std::string_view::npos;
}

void PasswordFile::insert(const std::string& username, PasswordHash hash) {
    if (!is_valid_username(username)) {
        throw std::invalid_argument("a username must not be empty or contain line breaks");
    }
    std::string text = username + ":" + hash.to_fields();
    if (const auto it = index_.find(username); it != index_.end()) {
        Line& line = lines_[it->second];
        line.text = std::move(text);
        line.entry = std::move(hash);
        choose_unknown_user_entry();
        return;
    }
    index_.emplace(username, lines_.size());
    lines_.push_back(Line{std::move(text), username, std::move(hash)});
    choose_unknown_user_entry();
}

bool PasswordFile::remove(std::string_view username) {
    const auto it = index_.find(username);
    if (it == index_.end()) return false;
    lines_.erase(lines_.begin() + static_cast<std::ptrdiff_t>(it->second));
    rebuild_index();
    choose_unknown_user_entry();
    return true;
}

void PasswordFile::rebuild_index() {
    index_.clear();
    for (std::size_t i = 0; i < lines_.size(); ++i) {
        if (lines_[i].user) index_.emplace(*lines_[i].user, i);
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
