// The authentication keys: `scram_users` in both forms (Akasa's `hashed_password`, RFC 5802's
// `stored_key` + `server_key`) and the `auth` keys of ours (hashing threads, failed-login
// limits).
#include <gtest/gtest.h>

#include <string>

#include "config/config_loader.h"
#include "config_test_util.h"

namespace akasa::config {
namespace {

using testing_util::expect_config_error;
using testing_util::kMinimal;

std::string with(const std::string& extra) {
    return std::string(kMinimal) + extra;
}

const std::string kKeyA(64, 'a');  // 32 bytes of 0xaa
const std::string kKeyB(64, 'B');  // 32 bytes of 0xbb

std::string scram_user(const std::string& fields) {
    return with("scram_users:\n  bob: {" + fields + "}\n");
}

TEST(ScramUsersTest, ReadsTheStoredForm) {
    const Config config = parse_config_text(scram_user(
        "stored_key: " + kKeyA + ", server_key: " + kKeyB + ", iterations: 8192, salt: 73616c74"));
    const ScramUser& bob = config.scram_users.at("bob");
    EXPECT_TRUE(bob.stored_form());
    EXPECT_EQ(bob.stored_key, std::vector<std::uint8_t>(32, 0xaa));
    EXPECT_EQ(bob.server_key, std::vector<std::uint8_t>(32, 0xbb));
    EXPECT_TRUE(bob.hashed_password.empty());
    EXPECT_EQ(bob.iterations, 8192u);
    EXPECT_EQ(bob.salt, (std::vector<std::uint8_t>{'s', 'a', 'l', 't'}));
}

TEST(ScramUsersTest, ReadsAkasasFormUnchanged) {
    const Config config =
        parse_config_text(scram_user("hashed_password: 2a2a2a, iterations: 4096, salt: 73616c74"));
    const ScramUser& bob = config.scram_users.at("bob");
    EXPECT_FALSE(bob.stored_form());
    EXPECT_EQ(bob.hashed_password, (std::vector<std::uint8_t>{0x2a, 0x2a, 0x2a}));
    EXPECT_TRUE(bob.stored_key.empty());
    EXPECT_TRUE(bob.server_key.empty());
}

TEST(ScramUsersTest, BothFormsInOneFile) {
    const Config config = parse_config_text(
        with("scram_users:\n"
             "  alice: {hashed_password: 2a, iterations: 4096, salt: 01}\n"
             "  bob: {stored_key: " +
             kKeyA + ", server_key: " + kKeyB + ", iterations: 4096, salt: 02}\n"));
    EXPECT_FALSE(config.scram_users.at("alice").stored_form());
    EXPECT_TRUE(config.scram_users.at("bob").stored_form());
}

TEST(ScramUsersTest, ExactlyOneFormPerUser) {
    expect_config_error(scram_user("hashed_password: 2a, stored_key: " + kKeyA +
                                   ", server_key: " + kKeyB + ", iterations: 4096, salt: 01"),
                        {"config:7: scram_users.bob.stored_key",
                         "cannot be combined with hashed_password", "not both"});
    expect_config_error(
        scram_user("hashed_password: 2a, server_key: " + kKeyB + ", iterations: 4096, salt: 01"),
        {"scram_users.bob.server_key", "cannot be combined with hashed_password"});
    expect_config_error(scram_user("iterations: 4096, salt: 01"),
                        {"config:7: scram_users.bob:", "needs either stored_key and server_key",
                         "hashed_password", "akasa scram-password --username NAME"});
}

TEST(ScramUsersTest, TheStoredFormNeedsBothKeys) {
    expect_config_error(scram_user("stored_key: " + kKeyA + ", iterations: 4096, salt: 01"),
                        {"scram_users.bob.server_key", "is required with stored_key"});
    expect_config_error(scram_user("server_key: " + kKeyB + ", iterations: 4096, salt: 01"),
                        {"scram_users.bob.stored_key", "is required with server_key"});
}

TEST(ScramUsersTest, KeysAreHexOf32Bytes) {
    expect_config_error(
        scram_user("stored_key: aabb, server_key: " + kKeyB + ", iterations: 4096, salt: 01"),
        {"scram_users.bob.stored_key", "\"aabb\"", "2 bytes long", "32 bytes (64 hex digits)"});
    expect_config_error(scram_user("stored_key: " + kKeyA + ", server_key: " + kKeyB +
                                   "cc, iterations: 4096, salt: 01"),
                        {"scram_users.bob.server_key", "33 bytes long"});
    expect_config_error(scram_user("stored_key: " + std::string(64, 'g') +
                                   ", server_key: " + kKeyB + ", iterations: 4096, salt: 01"),
                        {"scram_users.bob.stored_key", "not hex"});
    expect_config_error(scram_user("stored_key: " + kKeyA + ", server_key: " + kKeyB +
                                   ", iterations: 4095, salt: 01"),
                        {"scram_users.bob.iterations", "4096 to 4294967295"});
    expect_config_error(
        scram_user("stored_key: " + kKeyA + ", server_key: " + kKeyB + ", iterations: 4096"),
        {"scram_users.bob.salt", "required"});
}

TEST(AuthKeysTest, DefaultsAreDocumented) {
    const AuthConfig auth = parse_config_text(kMinimal).auth;
    EXPECT_EQ(auth.hash_threads, 0u);
    EXPECT_EQ(auth.max_pending_logins, 1024u);
    EXPECT_EQ(auth.max_failed_logins, 10u);
    EXPECT_EQ(auth.failed_login_window, std::chrono::seconds(60));
    EXPECT_EQ(auth.failed_login_block, std::chrono::seconds(300));
    EXPECT_EQ(auth.failed_login_addresses, 65536u);
}

TEST(AuthKeysTest, ReadsEveryKey) {
    const AuthConfig auth = parse_config_text(with("  hash_threads: 3\n"
                                                   "  max_pending_logins: 10\n"
                                                   "  max_failed_logins: 0\n"
                                                   "  failed_login_window: 5\n"
                                                   "  failed_login_block: 7\n"
                                                   "  failed_login_addresses: 100\n"))
                                .auth;
    EXPECT_EQ(auth.hash_threads, 3u);
    EXPECT_EQ(auth.max_pending_logins, 10u);
    EXPECT_EQ(auth.max_failed_logins, 0u);
    EXPECT_EQ(auth.failed_login_window, std::chrono::seconds(5));
    EXPECT_EQ(auth.failed_login_block, std::chrono::seconds(7));
    EXPECT_EQ(auth.failed_login_addresses, 100u);
}

TEST(AuthKeysTest, OutOfRangeValuesNameTheKey) {
    expect_config_error(with("  hash_threads: 257\n"),
                        {"config:6: auth.hash_threads", "\"257\"", "0 to 256"});
    expect_config_error(with("  max_pending_logins: 0\n"), {"auth.max_pending_logins", "1 to"});
    expect_config_error(with("  failed_login_window: 0\n"),
                        {"auth.failed_login_window", "1 to 86400"});
    expect_config_error(with("  failed_login_block: -1\n"), {"auth.failed_login_block"});
    expect_config_error(with("  failed_login_addresses: 0\n"),
                        {"auth.failed_login_addresses", "1 to 10000000"});
    expect_config_error(with("  max_failed_logins: ten\n"), {"auth.max_failed_logins", "\"ten\""});
}

}  // namespace
}  // namespace akasa::config
