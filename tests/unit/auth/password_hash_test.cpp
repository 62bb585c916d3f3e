#include "auth/password_hash.h"

#include <gtest/gtest.h>

#include "hex.h"
#include "text/base64.h"

namespace akasa::auth {
namespace {

TEST(PasswordHash, AlgorithmNamesAreAkasasSpellings) {
    EXPECT_EQ(parse_hash_algorithm("sha256"), HashAlgorithm::Sha256);
    EXPECT_EQ(parse_hash_algorithm("sha512"), HashAlgorithm::Sha512);
    EXPECT_EQ(parse_hash_algorithm("sha256-pkbdf2"), HashAlgorithm::Sha256Pbkdf2);
    EXPECT_EQ(parse_hash_algorithm("sha512-pkbdf2"), HashAlgorithm::Sha512Pbkdf2);
    EXPECT_FALSE(parse_hash_algorithm("sha512-pbkdf2").has_value());
    EXPECT_FALSE(parse_hash_algorithm("SHA256").has_value());
    for (auto a : {HashAlgorithm::Sha256, HashAlgorithm::Sha512, HashAlgorithm::Sha256Pbkdf2,
                   HashAlgorithm::Sha512Pbkdf2}) {
        EXPECT_EQ(parse_hash_algorithm(to_string(a)), a);
    }
}

// Issue 15 item 9: a modern count for new entries (Akasa's 128 was far too low); why these
// figures: docs/security.md, "Password hashing".
TEST(PasswordHash, DefaultIsSha512Pbkdf2With10000IterationsAndLongSalt) {
    EXPECT_EQ(kDefaultHashAlgorithm, HashAlgorithm::Sha512Pbkdf2);
    EXPECT_EQ(default_iterations(HashAlgorithm::Sha512Pbkdf2), 10000u);
    EXPECT_EQ(default_iterations(HashAlgorithm::Sha256Pbkdf2), 30000u);
    EXPECT_EQ(default_iterations(HashAlgorithm::Sha256), 0u);
    EXPECT_EQ(PasswordHash::create("pw", HashAlgorithm::Sha256Pbkdf2).iterations, 30000u);
    EXPECT_EQ(PasswordHash::create("pw", HashAlgorithm::Sha512).iterations, 0u);
    const PasswordHash h = PasswordHash::create("pw", kDefaultHashAlgorithm);
    EXPECT_EQ(h.iterations, 10000u);
    EXPECT_GE(h.salt.size(), 12u);
    EXPECT_EQ(h.hash.size(), 64u);
    EXPECT_NE(PasswordHash::create("pw", kDefaultHashAlgorithm).salt, h.salt);
}

// Same inputs as make_fixtures.py would use, checked against a Python-computed value:
// hashlib.sha256(b"pencil" + bytes(range(12))).hexdigest()
TEST(PasswordHash, SaltedDigestIsPasswordThenSalt) {
    Bytes salt;
    for (std::uint8_t i = 0; i < 12; ++i)
        salt.push_back(i);
    const PasswordHash h =
        PasswordHash::create_with_salt("pencil", HashAlgorithm::Sha256, 999, salt);
    EXPECT_EQ(h.iterations, 0u);  // meaningless for sha256
    EXPECT_EQ(h.hash, digest_of(Digest::Sha256, as_bytes("pencil"), salt));
    EXPECT_EQ(h.to_fields(), "sha256," + text::base64_encode(salt, text::Base64Padding::Omit) +
                                 "," + text::base64_encode(h.hash, text::Base64Padding::Omit));
}

TEST(PasswordHash, EveryAlgorithmRoundTripsThroughItsFields) {
    for (auto a : {HashAlgorithm::Sha256, HashAlgorithm::Sha512, HashAlgorithm::Sha256Pbkdf2,
                   HashAlgorithm::Sha512Pbkdf2, HashAlgorithm::MosquittoSha512,
                   HashAlgorithm::MosquittoPbkdf2Sha512, HashAlgorithm::MosquittoArgon2id}) {
        const PasswordHash h = PasswordHash::create("s3cret", a, 7);
        const auto fields = h.to_fields();
        const auto parsed = parse_password_fields(fields);
        ASSERT_TRUE(parsed.value.has_value()) << fields << ": " << parsed.error;
        EXPECT_EQ(*parsed.value, h) << fields;
        EXPECT_TRUE(parsed.value->matches("s3cret"));
        EXPECT_FALSE(parsed.value->matches("s3cret "));
        EXPECT_FALSE(parsed.value->matches(""));
        if (a == HashAlgorithm::MosquittoSha512 || a == HashAlgorithm::MosquittoPbkdf2Sha512) {
            EXPECT_EQ(fields[0], '$');  // mosquitto's own format, padded as mosquitto writes it
        } else if (a == HashAlgorithm::MosquittoArgon2id) {
            // mosquitto 2.1's parameters, in the PHC string libargon2 writes (unpadded)
            EXPECT_EQ(fields.rfind("$argon2id$v=19$m=47104,t=1,p=1$", 0), 0u) << fields;
            EXPECT_EQ(fields.find('='), fields.find("v=") + 1) << fields;
            EXPECT_EQ(h.hash.size(), 64u);
        } else {
            EXPECT_EQ(fields.find('='), std::string::npos)
                << "Akasa lines are unpadded: " << fields;
        }
    }
}

// mosquitto 2.1's `$argon2id$` entries: the PHC string, checked field by field with a reason.
TEST(PasswordHash, RejectsMalformedArgon2idFieldsWithAReason) {
    const std::string salt = text::base64_encode(Bytes(16, 7), text::Base64Padding::Omit);
    const std::string hash = text::base64_encode(Bytes(32, 1), text::Base64Padding::Omit);
    const std::string tail = "$" + salt + "$" + hash;
    const std::pair<std::string, std::string> cases[] = {
        {"$argon2id$", "must be $argon2id$v=19$m=MEMORY,t=PASSES,p=LANES$SALT$HASH"},
        {"$argon2id$v=19$m=64,t=1,p=1$" + salt, "must be $argon2id$"},
        {"$argon2id$v=19$m=64,t=1,p=1" + tail + "$x", "must be $argon2id$"},
        {"$argon2id$v=18$m=64,t=1,p=1" + tail, "version \"v=18\" is not supported"},
        {"$argon2id$v=x$m=64,t=1,p=1" + tail, "version"},
        {"$argon2id$v=19$m=64,t=1" + tail, "must be m=MEMORY,t=PASSES,p=LANES"},
        {"$argon2id$v=19$t=1,m=64,p=1" + tail, "must be m=MEMORY,t=PASSES,p=LANES"},
        {"$argon2id$v=19$m=64,t=-1,p=1" + tail, "must be m=MEMORY,t=PASSES,p=LANES"},
        {"$argon2id$v=19$m=,t=1,p=1" + tail, "must be m=MEMORY,t=PASSES,p=LANES"},
        {"$argon2id$v=19$m=99999999999,t=1,p=1" + tail, "must be m=MEMORY,t=PASSES,p=LANES"},
        {"$argon2id$v=19$m=64,t=0,p=1" + tail, "passes t=0 must be 1 to 1024"},
        {"$argon2id$v=19$m=64,t=1025,p=1" + tail, "passes t=1025"},
        {"$argon2id$v=19$m=64,t=1,p=0" + tail, "lanes p=0 must be 1 to 64"},
        {"$argon2id$v=19$m=64,t=1,p=65" + tail, "lanes p=65"},
        {"$argon2id$v=19$m=15,t=1,p=2" + tail, "memory m=15 KiB must be 8 x p (16)"},
        {"$argon2id$v=19$m=4194305,t=1,p=1" + tail, "to 4194304 (4 GiB)"},
        {"$argon2id$v=19$m=64,t=1,p=1$!!!!$" + hash, "salt is not valid base64"},
        {"$argon2id$v=19$m=64,t=1,p=1$" + salt + "$!!", "hash is not valid base64"},
        {"$argon2id$v=19$m=64,t=1,p=1$AAAAAAA$" + hash, "salt is 5 bytes long; it must be 8"},
        {"$argon2id$v=19$m=64,t=1,p=1$" + salt + "$AAA", "hash is 2 bytes long; it must be 4"},
    };
    for (const auto& [fields, reason] : cases) {
        const auto parsed = parse_password_fields(fields);
        EXPECT_FALSE(parsed.value.has_value()) << fields;
        EXPECT_NE(parsed.error.find(reason), std::string::npos) << fields << " -> " << parsed.error;
    }
}

// Without `v=` libargon2 reads the old version 0x10; it is written back with `v=16`.
TEST(PasswordHash, Argon2idWithoutVersionIsTheOldOne) {
    const std::string salt = text::base64_encode(Bytes(16, 7), text::Base64Padding::Omit);
    const std::string hash = text::base64_encode(Bytes(32, 1), text::Base64Padding::Omit);
    const auto parsed = parse_password_fields("$argon2id$m=64,t=2,p=1$" + salt + "$" + hash);
    ASSERT_TRUE(parsed.value.has_value()) << parsed.error;
    EXPECT_EQ(parsed.value->algorithm, HashAlgorithm::MosquittoArgon2id);
    EXPECT_EQ(parsed.value->argon2, (Argon2Parameters{0x10, 64, 2, 1}));
    EXPECT_EQ(parsed.value->iterations, 0u);
    EXPECT_EQ(parsed.value->to_fields(), "$argon2id$v=16$m=64,t=2,p=1$" + salt + "$" + hash);
    EXPECT_TRUE(is_expensive(HashAlgorithm::MosquittoArgon2id));
    EXPECT_FALSE(uses_iterations(HashAlgorithm::MosquittoArgon2id));
}

TEST(PasswordHash, PbkdfFieldsCarryTheIterationCount) {
    const PasswordHash h = PasswordHash::create("x", HashAlgorithm::Sha256Pbkdf2, 4321);
    EXPECT_EQ(h.to_fields().rfind("sha256-pkbdf2,4321,", 0), 0u) << h.to_fields();
    EXPECT_EQ(h.hash.size(), 32u);
}

TEST(PasswordHash, RejectsMalformedFieldsWithAReason) {
    const std::string salt = "AAAAAAAAAAAAAAAA";  // 12 zero bytes
    const std::string h32 = text::base64_encode(Bytes(32, 1), text::Base64Padding::Omit);
    const std::string h64 = text::base64_encode(Bytes(64, 1), text::Base64Padding::Omit);
    const std::pair<std::string, std::string> cases[] = {
        {"", "nothing after"},
        {"md5," + salt + "," + h32, "unknown hash algorithm"},
        {"sha512-pbkdf2,10," + salt + "," + h64, "unknown hash algorithm"},
        {"sha256," + salt, "sha256,SALT,HASH"},
        {"sha256,1," + salt + "," + h32, "sha256,SALT,HASH"},
        {"sha256-pkbdf2," + salt + "," + h32, "ITERATIONS"},
        {"sha256-pkbdf2,0," + salt + "," + h32, "iteration count"},
        {"sha256-pkbdf2,-5," + salt + "," + h32, "iteration count"},
        {"sha256-pkbdf2,12x," + salt + "," + h32, "iteration count"},
        {"sha256-pkbdf2,99999999999," + salt + "," + h32, "iteration count"},
        {"sha256,AAAA," + h32, "at least 12"},
        {"sha256,@@@@," + h32, "salt is not valid base64"},
        {"sha256," + salt + ",abc!", "hash is not valid base64"},
        {"sha256," + salt + "," + h64, "64 bytes long"},
        {"sha512," + salt + "," + h32, "32 bytes long"},
        {"sha256," + salt + "," + h32 + ",", "sha256,SALT,HASH"},
        {"$5$abc$def", "unknown mosquitto hash type"},
        {"$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + h32, "$argon2id$ are supported"},
        {"$6$" + salt, "$6$SALT$HASH"},
        {"$7$101$" + salt + "$", "hash is"},
        {"$7$x$" + salt + "$" + h64, "iteration count"},
        {"plaintext", "unknown hash algorithm"},
    };
    for (const auto& [fields, reason] : cases) {
        const auto parsed = parse_password_fields(fields);
        EXPECT_FALSE(parsed.value.has_value()) << fields;
        EXPECT_NE(parsed.error.find(reason), std::string::npos) << fields << " -> " << parsed.error;
    }
}

}  // namespace
}  // namespace akasa::auth
