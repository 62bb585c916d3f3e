// PasswordStore (issue 16 item 9): SIGHUP swaps in a new file; a file that fails to load
// keeps the previous one; a snapshot a reader holds stays valid through reloads.
#include "auth/password_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace akasa::auth {
namespace {

namespace fs = std::filesystem;

class PasswordStoreTest : public ::testing::Test {
  protected:
    PasswordStoreTest() {
        std::string pattern = (fs::temp_directory_path() / "akasa-store-XXXXXX").string();
        dir_ = ::mkdtemp(pattern.data());
        path_ = (dir_ / "passwords").string();
    }
    ~PasswordStoreTest() override { fs::remove_all(dir_); }

    static std::string line(const std::string& user, const std::string& password) {
        return user + ":" + PasswordHash::create(password, HashAlgorithm::Sha256).to_fields() +
               "\n";
    }
    void write(const std::string& text) const { std::ofstream(path_, std::ios::binary) << text; }

    fs::path dir_;
    std::string path_;
};

TEST_F(PasswordStoreTest, ReloadSwapsInTheNewUsers) {
    write(line("alice", "a"));
    PasswordStore store(path_);
    const auto before = store.current();
    EXPECT_TRUE(before->verify("alice", "a"));
    EXPECT_FALSE(before->contains("bob"));

    write(line("alice", "a2") + line("bob", "b"));
    EXPECT_TRUE(store.reload());
    const auto after = store.current();
    EXPECT_TRUE(after->verify("bob", "b"));
    EXPECT_TRUE(after->verify("alice", "a2"));
    // A reader that took its snapshot before keeps checking against it.
    EXPECT_TRUE(before->verify("alice", "a"));
    EXPECT_FALSE(before->contains("bob"));
}

TEST_F(PasswordStoreTest, AFailedReloadKeepsThePreviousFile) {
    write(line("alice", "a"));
    PasswordStore store(path_);
    const auto original = store.current();

    write(line("alice", "a") + "bob:sha256,not-base64!,x\n");  // line 2 is malformed
    EXPECT_FALSE(store.reload());
    EXPECT_EQ(store.current(), original);

    fs::remove(path_);
    EXPECT_FALSE(store.reload());
    EXPECT_EQ(store.current(), original);

    write(line("carol", "c"));
    ASSERT_TRUE(store.reload());
    EXPECT_TRUE(store.current()->verify("carol", "c"));
    EXPECT_FALSE(store.current()->contains("alice"));
}

// What cannot be read is a failed reload too, not an empty file: here the path became a
// directory (a mode the server cannot read would do the same; root reads any mode).
TEST_F(PasswordStoreTest, AFileThatCannotBeReadIsAFailedReload) {
    write(line("alice", "a"));
    PasswordStore store(path_);
    fs::remove(path_);
    fs::create_directory(path_);
    EXPECT_FALSE(store.reload());
    EXPECT_TRUE(store.current()->verify("alice", "a"));
    try {
        PasswordFile::load(path_);
        FAIL() << "a directory loaded";
    } catch (const PasswordFileError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "cannot read the password file " + path_ + ": Is a directory");
    }
}

TEST_F(PasswordStoreTest, ConstructionThrowsForAFileThatDoesNotLoad) {
    EXPECT_THROW(PasswordStore store(path_), PasswordFileError);
    write("no colon\n");
    EXPECT_THROW(PasswordStore store(path_), PasswordFileError);
}

// Readers on other threads (workers, hashing threads) while the main thread reloads: each
// check sees one whole file, old or new (under ASan, no use after free).
TEST_F(PasswordStoreTest, ReadersOnOtherThreadsSeeOneWholeFileDuringReloads) {
    write(line("alice", "a") + line("bob", "b"));
    PasswordStore store(path_);
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t) {
        readers.emplace_back([&] {
            while (!stop.load()) {
                const auto file = store.current();
                // Every version of the file has alice with "a" and bob with one of two passwords.
                if (!file->verify("alice", "a")) ++failures;
                if (!file->verify("bob", "b") && !file->verify("bob", "b2")) ++failures;
            }
        });
    }
    for (int round = 0; round < 50; ++round) {
        write(line("alice", "a") + line("bob", round % 2 ? "b" : "b2"));
        EXPECT_TRUE(store.reload());
    }
    stop = true;
    for (auto& reader : readers)
        reader.join();
    EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace akasa::auth
