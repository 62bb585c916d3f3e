#include "auth/password_file.h"

#include <argon2.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

namespace akasa::auth {
namespace {

namespace fs = std::filesystem;

const std::string kFixtures = std::string(AKASA_FIXTURES_DIR) + "/passwords/";

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// `username<TAB>password` lines written by make_fixtures.py.
std::vector<std::pair<std::string, std::string>> read_plain(const std::string& path) {
    std::vector<std::pair<std::string, std::string>> users;
    std::istringstream in(read_text(path));
    for (std::string line; std::getline(in, line);) {
        const auto tab = line.find('\t');
        users.emplace_back(line.substr(0, tab), line.substr(tab + 1));
    }
    return users;
}

class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "akasa-auth-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDir() { fs::remove_all(path_); }
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

// Fixture hashes were computed by Python's hashlib (tests/fixtures/passwords/make_fixtures.py).
TEST(PasswordFile, VerifiesAllFourAkasaAlgorithmsFromPythonFixtures) {
    const PasswordFile file = PasswordFile::load(kFixtures + "akasa.txt");
    const auto users = read_plain(kFixtures + "akasa.plain");
    ASSERT_EQ(users.size(), 8u);
    EXPECT_EQ(file.size(), users.size());
    std::set<HashAlgorithm> seen;
    for (const auto& [user, password] : users) {
        EXPECT_TRUE(file.verify(user, password)) << user;
        EXPECT_FALSE(file.verify(user, password + "x")) << user;
        EXPECT_FALSE(file.verify(user, "")) << user;
        ASSERT_NE(file.find(user), nullptr);
        seen.insert(file.find(user)->algorithm);
    }
    EXPECT_EQ(seen.size(), 4u);
    // The username is everything before the LAST ':'.
    EXPECT_TRUE(file.contains("grace:admin"));
    EXPECT_FALSE(file.contains("grace"));
}

// Made by Debian's mosquitto_passwd 2.0.11 with -H sha512 ($6$) and -H sha512-pbkdf2 ($7$).
TEST(PasswordFile, VerifiesMosquittoPasswdLines) {
    const PasswordFile file = PasswordFile::load(kFixtures + "mosquitto.txt");
    const auto users = read_plain(kFixtures + "mosquitto.plain");
    ASSERT_EQ(users.size(), 3u);
    for (const auto& [user, password] : users) {
        EXPECT_TRUE(file.verify(user, password)) << user;
        EXPECT_FALSE(file.verify(user, "wrong")) << user;
    }
    EXPECT_EQ(file.find("moss6")->algorithm, HashAlgorithm::MosquittoSha512);
    EXPECT_EQ(file.find("moss7")->algorithm, HashAlgorithm::MosquittoPbkdf2Sha512);
    EXPECT_EQ(file.find("moss7")->iterations, 101u);
}

// mosquitto 2.1's `$argon2id$` lines, made by the argon2 command (make_fixtures.py): with
// mosquitto's parameters, with two lanes and a 32-byte hash, and the old version (v=16).
TEST(PasswordFile, VerifiesMosquittoArgon2idLines) {
    const PasswordFile file = PasswordFile::load(kFixtures + "argon2id.txt");
    const auto users = read_plain(kFixtures + "argon2id.plain");
    ASSERT_EQ(users.size(), 3u);
    EXPECT_EQ(file.size(), users.size());
    for (const auto& [user, password] : users) {
        EXPECT_TRUE(file.verify(user, password)) << user;
        EXPECT_FALSE(file.verify(user, password + "x")) << user;
        const PasswordHash* entry = file.find(user);
        ASSERT_NE(entry, nullptr) << user;
        EXPECT_EQ(entry->algorithm, HashAlgorithm::MosquittoArgon2id);
        // libargon2's own verifier accepts what we write back: the same PHC string.
        EXPECT_EQ(::argon2id_verify(entry->to_fields().c_str(), password.data(), password.size()),
                  ARGON2_OK)
            << user;
    }
    EXPECT_EQ(file.find("argon")->argon2, kMosquittoArgon2Parameters);
    EXPECT_EQ(file.find("argon")->hash.size(), 64u);
    EXPECT_EQ(file.find("argon2")->argon2, (Argon2Parameters{0x13, 4096, 3, 2}));
    EXPECT_EQ(file.find("argon-v16")->argon2.version, 0x10u);
    // The lines are written back as read.
    EXPECT_EQ(file.serialize(), read_text(kFixtures + "argon2id.txt"));
}

TEST(PasswordFile, UnknownUserDoesNotVerify) {
    const PasswordFile file = PasswordFile::load(kFixtures + "akasa.txt");
    EXPECT_FALSE(file.verify("nobody", "wonderland"));
    EXPECT_FALSE(file.verify("", ""));
    EXPECT_FALSE(PasswordFile().verify("alice", "wonderland"));
}

TEST(PasswordFile, MissingFileIsAnErrorThatSaysSo) {
    try {
        PasswordFile::load("/nonexistent/dir/passwords");
        FAIL() << "no exception";
    } catch (const PasswordFileError& e) {
        EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
        EXPECT_FALSE(e.line().has_value());
    }
}

void expect_error_at(const std::string& text, std::size_t line, const std::string& reason) {
    try {
        PasswordFile::parse(text, "pw");
        ADD_FAILURE() << "accepted: " << text;
    } catch (const PasswordFileError& e) {
        EXPECT_EQ(e.line(), line) << e.what();
        const std::string message = e.what();
        EXPECT_EQ(message.rfind("pw:" + std::to_string(line) + ": ", 0), 0u) << message;
        EXPECT_NE(message.find(reason), std::string::npos) << message;
    }
}

TEST(PasswordFile, MalformedLinesAreErrorsNamingTheLine) {
    const std::string good = PasswordHash::create("pw", HashAlgorithm::Sha256).to_fields();
    expect_error_at("no colon here\n", 1, "no ':'");
    expect_error_at("a:" + good + "\n\n  \nb:sha256,xx\n", 4, "sha256,SALT,HASH");
    expect_error_at("a:" + good + "\n:" + good + "\n", 2, "username");
    expect_error_at("a:" + good + "\nb:\n", 2, "nothing after");
    expect_error_at("a:" + good + "\nb:md5,x,y\n", 2, "unknown hash algorithm");
    expect_error_at("a:" + good + std::string("\nb\0:", 4) + good, 2, "NUL");
    expect_error_at("# a comment\n  not a comment\n", 2, "no ':'");
}

TEST(PasswordFile, SkipsBlankLinesAndAcceptsCrlfAndMissingFinalNewline) {
    const PasswordHash a = PasswordHash::create("pa", HashAlgorithm::Sha256);
    const PasswordHash b = PasswordHash::create("pb", HashAlgorithm::Sha512);
    const std::string text = "\n  \n\r\na:" + a.to_fields() + "\r\nb:" + b.to_fields();
    const PasswordFile file = PasswordFile::parse(text, "pw");
    EXPECT_EQ(file.size(), 2u);
    EXPECT_TRUE(file.verify("a", "pa"));
    EXPECT_TRUE(file.verify("b", "pb"));
    EXPECT_EQ(file.serialize(), text + "\n");  // only a final newline is added
}

// Issue 16 item 8: mosquitto writes and accepts comments; whitespace around a line is not
// part of it.
TEST(PasswordFile, SkipsCommentsAndTrimsEveryLine) {
    const PasswordHash a = PasswordHash::create("pa", HashAlgorithm::Sha256);
    const PasswordHash b = PasswordHash::create("pb", HashAlgorithm::Sha512);
    const std::string text =
        "# users of the lab\n"
        "  \t# an indented comment\n"
        "#c:" +
        a.to_fields() +
        "\n"  // a comment, though it looks like a user
        "\t  a:" +
        a.to_fields() +
        " \t\r\n"
        "\f\v\n"
        "b:" +
        b.to_fields() + "   ";
    const PasswordFile file = PasswordFile::parse(text, "pw");
    EXPECT_EQ(file.size(), 2u);
    EXPECT_TRUE(file.verify("a", "pa"));
    EXPECT_TRUE(file.verify("b", "pb"));
    EXPECT_FALSE(file.contains("#c"));
    EXPECT_FALSE(file.contains("\t  a"));
    EXPECT_TRUE(file.warnings().empty());
    EXPECT_EQ(file.serialize(), text + "\n");  // comments and blanks are kept as they were
}

// Issue 16 item 8: a user listed twice is not an error: the last line wins, and the warning
// names both lines.
TEST(PasswordFile, AUserListedTwiceTheLastLineWinsWithAWarningNamingBothLines) {
    const auto line = [](const std::string& user, const std::string& password) {
        return user + ":" + PasswordHash::create(password, HashAlgorithm::Sha256).to_fields() +
               "\n";
    };
    const std::string text = "# lab\n" + line("a", "first") + line("b", "pb") + "\n" +
                             line("a", "second") + line("a", "third");
    const PasswordFile file = PasswordFile::parse(text, "pw");
    EXPECT_EQ(file.size(), 2u);
    EXPECT_TRUE(file.verify("a", "third"));
    EXPECT_FALSE(file.verify("a", "first"));
    EXPECT_FALSE(file.verify("a", "second"));
    EXPECT_TRUE(file.verify("b", "pb"));
    EXPECT_EQ(file.warnings(),
              (std::vector<std::string>{
                  "pw:5: user \"a\" is also on line 2; the last line (5) is used",
                  "pw:6: user \"a\" is also on line 5; the last line (6) is used"}));
    EXPECT_EQ(file.serialize(), text);

    // Editing the user leaves it one line: its last one, replaced, or none.
    PasswordFile updated = file;
    EXPECT_EQ(updated.insert("a", PasswordHash::create("fourth", HashAlgorithm::Sha256)),
              PasswordFile::Change::Updated);
    const std::string after_insert = updated.serialize();
    EXPECT_EQ(after_insert.find("\na:"), after_insert.rfind("\na:")) << after_insert;
    EXPECT_EQ(after_insert.rfind("# lab\nb:", 0), 0u) << "a's earlier lines are gone";
    EXPECT_TRUE(PasswordFile::parse(after_insert, "pw").verify("a", "fourth"));
    EXPECT_TRUE(PasswordFile::parse(after_insert, "pw").warnings().empty());

    PasswordFile removed = file;
    EXPECT_TRUE(removed.remove("a"));
    EXPECT_FALSE(removed.contains("a"));
    const PasswordFile reread = PasswordFile::parse(removed.serialize(), "pw");
    EXPECT_FALSE(reread.contains("a")) << "an earlier line must not come back";
    EXPECT_EQ(reread.size(), 1u);
}

TEST(PasswordFile, InsertAndRemoveKeepEveryOtherLineByteForByte) {
    const std::string original =
        read_text(kFixtures + "mosquitto.txt") + "\n" + read_text(kFixtures + "akasa.txt");
    PasswordFile file = PasswordFile::parse(original, "pw");
    ASSERT_EQ(file.serialize(), original);

    EXPECT_EQ(file.insert("zoe", PasswordHash::create("zz", HashAlgorithm::Sha256Pbkdf2, 5)),
              PasswordFile::Change::Added);
    const std::string after_insert = file.serialize();
    ASSERT_EQ(after_insert.rfind(original, 0), 0u) << "a new user is appended";
    EXPECT_TRUE(file.verify("zoe", "zz"));

    // Replacing keeps the line where it was (here a mosquitto line, now an Akasa line).
    EXPECT_EQ(file.insert("moss7", PasswordHash::create("new", HashAlgorithm::Sha512)),
              PasswordFile::Change::Updated);
    std::istringstream before(after_insert), after(file.serialize());
    std::string line_before, line_after;
    int changed = 0;
    while (std::getline(before, line_before) && std::getline(after, line_after)) {
        if (line_before != line_after) {
            ++changed;
            EXPECT_EQ(line_after.rfind("moss7:sha512,", 0), 0u) << line_after;
        }
    }
    EXPECT_EQ(changed, 1);
    EXPECT_TRUE(file.verify("moss7", "new"));
    EXPECT_FALSE(file.verify("moss7", "seven-secret"));

    EXPECT_TRUE(file.remove("moss7"));
    EXPECT_TRUE(file.remove("zoe"));
    EXPECT_FALSE(file.remove("zoe"));
    std::string expected = original;
    const auto start = expected.find("moss7:");
    expected.erase(start, expected.find('\n', start) + 1 - start);
    EXPECT_EQ(file.serialize(), expected);
    // Lookups still work after the index was rebuilt.
    EXPECT_TRUE(file.verify("moss7b", "another one"));
    EXPECT_TRUE(file.verify("héloïse", "ünïcödé"));
}

TEST(PasswordFile, InsertRejectsUsernamesThatWouldBreakTheFormat) {
    PasswordFile file;
    const PasswordHash h = PasswordHash::create("pw", HashAlgorithm::Sha256);
    EXPECT_THROW(file.insert("", h), std::invalid_argument);
    EXPECT_THROW(file.insert("a\nb", h), std::invalid_argument);
    EXPECT_THROW(file.insert("a\rb", h), std::invalid_argument);
    EXPECT_THROW(file.insert(std::string("a\0b", 3), h), std::invalid_argument);
    // Reading would skip the line as a comment, or trim the whitespace off the name.
    EXPECT_THROW(file.insert("#a", h), std::invalid_argument);
    EXPECT_THROW(file.insert(" a", h), std::invalid_argument);
    EXPECT_THROW(file.insert("\ta", h), std::invalid_argument);
    EXPECT_EQ(PasswordFile::username_problem("#a"),
              "the username must not start with '#' (that line would be a comment)");
    EXPECT_EQ(file.size(), 0u);
    file.insert("with:colon", h);  // fine: the username ends at the last ':'
    file.insert("a#b c", h);       // '#' and blanks inside a name are fine
    const PasswordFile reread = PasswordFile::parse(file.serialize(), "pw");
    EXPECT_TRUE(reread.verify("with:colon", "pw"));
    EXPECT_TRUE(reread.verify("a#b c", "pw"));
}

TEST(PasswordFile, SaveReplacesAtomicallyWithoutAccessForOthersAndNoTemporaryLeft) {
    TempDir dir;
    const std::string path = dir.file("passwords");
    write_text(path, "old content that is not even valid\n");
    ::chmod(path.c_str(), 0644);

    PasswordFile file;
    file.insert("u", PasswordHash::create("pw", kDefaultHashAlgorithm));
    file.save(path);

    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0640u);  // the group keeps its access, others lose theirs
    EXPECT_EQ(read_text(path), file.serialize());
    EXPECT_TRUE(PasswordFile::load(path).verify("u", "pw"));
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path()))
        ++entries;
    EXPECT_EQ(entries, 1u) << "the temporary file was renamed, not left behind";
}

TEST(PasswordFile, SaveIntoMissingDirectoryFailsAndSaysWhy) {
    PasswordFile file;
    try {
        file.save("/nonexistent/dir/passwords");
        FAIL() << "no exception";
    } catch (const PasswordFileError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/passwords"), std::string::npos);
    }
}

// The broker shares one immutable table between worker threads.
TEST(PasswordFile, ConcurrentVerifyOnASharedTable) {
    const auto file =
        std::make_shared<const PasswordFile>(PasswordFile::load(kFixtures + "akasa.txt"));
    const auto users = read_plain(kFixtures + "akasa.plain");
    std::vector<std::thread> threads;
    std::vector<int> failures(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 5; ++round) {
                for (const auto& [user, password] : users) {
                    if (!file->verify(user, password)) ++failures[t];
                    if (file->verify(user, "nope")) ++failures[t];
                }
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    for (int t = 0; t < 4; ++t)
        EXPECT_EQ(failures[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace akasa::auth

namespace akasa::auth {
namespace {

std::string entry_line(const std::string& user, HashAlgorithm algorithm, std::uint32_t iterations) {
    return user + ":" + PasswordHash::create("pw", algorithm, iterations).to_fields() + "\n";
}

// Issue 15 item 9: an unknown user costs what a typical user of the file costs, whatever the
// parameters of its entries (not the built-in default's).
TEST(PasswordFileUnknownUser, HashesWithTheParametersMostEntriesUse) {
    const PasswordFile file =
        PasswordFile::parse(entry_line("a", HashAlgorithm::Sha512Pbkdf2, 3) +
                                entry_line("b", HashAlgorithm::Sha256, 0) +
                                entry_line("c", HashAlgorithm::Sha512Pbkdf2, 3) +
                                entry_line("d", HashAlgorithm::Sha256Pbkdf2, 9),
                            "pw");
    const PasswordHash& stand_in = file.unknown_user_entry();
    EXPECT_EQ(stand_in.algorithm, HashAlgorithm::Sha512Pbkdf2);
    EXPECT_EQ(stand_in.iterations, 3u);
    EXPECT_EQ(stand_in.hash.size(), 64u);
    const auto unknown = file.candidate("nobody");
    EXPECT_FALSE(unknown.known);
    EXPECT_EQ(&unknown.entry, &stand_in);
    // Even the password the stand-in's hash might match is refused.
    EXPECT_FALSE(file.verify("nobody", ""));
    const auto known = file.candidate("d");
    EXPECT_TRUE(known.known);
    EXPECT_EQ(known.entry.iterations, 9u);
}

TEST(PasswordFileUnknownUser, TiesGoToTheDearerParametersAndMosquittoLinesCount) {
    const PasswordFile tie = PasswordFile::parse(
        entry_line("a", HashAlgorithm::Sha256, 0) + entry_line("b", HashAlgorithm::Sha256Pbkdf2, 7),
        "pw");
    EXPECT_EQ(tie.unknown_user_entry().algorithm, HashAlgorithm::Sha256Pbkdf2);
    EXPECT_EQ(tie.unknown_user_entry().iterations, 7u);
    EXPECT_EQ(tie.unknown_user_entry().hash.size(), 32u);
    const PasswordFile mosquitto =
        PasswordFile::parse(entry_line("m", HashAlgorithm::MosquittoPbkdf2Sha512, 101), "pw");
    EXPECT_EQ(mosquitto.unknown_user_entry().algorithm, HashAlgorithm::MosquittoPbkdf2Sha512);
    EXPECT_EQ(mosquitto.unknown_user_entry().iterations, 101u);
}

TEST(PasswordFileUnknownUser, Argon2idStandInHasTheParametersOfTheFile) {
    const PasswordFile file = PasswordFile::load(kFixtures + "argon2id.txt");
    // Three different parameter sets once each: the dearest, mosquitto's 47104 KiB x 1.
    const PasswordHash& stand_in = file.unknown_user_entry();
    EXPECT_EQ(stand_in.algorithm, HashAlgorithm::MosquittoArgon2id);
    EXPECT_EQ(stand_in.argon2, kMosquittoArgon2Parameters);
    EXPECT_EQ(stand_in.hash.size(), 64u);
    EXPECT_FALSE(file.verify("nobody", "argon-secret"));
}

TEST(PasswordFileUnknownUser, FollowsEditsAndDefaultsWhenEmpty) {
    PasswordFile file;
    EXPECT_EQ(file.unknown_user_entry().algorithm, kDefaultHashAlgorithm);
    EXPECT_EQ(file.unknown_user_entry().iterations, default_iterations(kDefaultHashAlgorithm));
    file.insert("a", PasswordHash::create("pw", HashAlgorithm::Sha256Pbkdf2, 5));
    EXPECT_EQ(file.unknown_user_entry().iterations, 5u);
    file.insert("a", PasswordHash::create("pw", HashAlgorithm::Sha256Pbkdf2, 6));
    EXPECT_EQ(file.unknown_user_entry().iterations, 6u);
    ASSERT_TRUE(file.remove("a"));
    EXPECT_EQ(file.unknown_user_entry().iterations, default_iterations(kDefaultHashAlgorithm));
}

}  // namespace
}  // namespace akasa::auth
