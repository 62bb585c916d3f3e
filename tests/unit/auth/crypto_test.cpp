#include "auth/crypto.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "hex.h"

namespace akasa::auth {
namespace {

using test::from_hex;
using test::to_hex;

TEST(Crypto, DigestsMatchKnownValues) {
    EXPECT_EQ(to_hex(digest_of(Digest::Sha256, as_bytes("ab"), as_bytes("c"))),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(to_hex(digest_of(Digest::Sha512, as_bytes("abc"))),
              "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
              "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

// RFC 7914 section 11 (PBKDF2-HMAC-SHA256) and a SHA-512 value from Python's hashlib.
TEST(Crypto, Pbkdf2MatchesReferenceVectors) {
    EXPECT_EQ(to_hex(pbkdf2_hmac(Digest::Sha256, as_bytes("passwd"), as_bytes("salt"), 1, 64)),
              "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
              "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
    EXPECT_EQ(
        to_hex(pbkdf2_hmac(Digest::Sha512, as_bytes("password"), as_bytes("NaCl"), 80000, 64)),
        "3e3a45fe5c08f2dde35447d357c72a62577dc23cc911f9d35cefa9aad54afc8f"
        "6ecafb5eec27d03070ec4809c7089704c9322712577222b78feb7383b826cc4f");
    EXPECT_THROW(pbkdf2_hmac(Digest::Sha256, as_bytes("p"), as_bytes("s"), 0, 32),
                 std::invalid_argument);
}

// RFC 4231 test case 2.
TEST(Crypto, HmacMatchesRfc4231) {
    EXPECT_EQ(
        to_hex(hmac(Digest::Sha256, as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, RandomBytesHaveTheRequestedLengthAndDiffer) {
    const Bytes a = random_bytes(16);
    const Bytes b = random_bytes(16);
    EXPECT_EQ(a.size(), 16u);
    EXPECT_NE(a, b);  // 2^-128 chance of a false failure
    EXPECT_TRUE(random_bytes(0).empty());
}

TEST(Crypto, ConstantTimeEqualComparesContentAndLength) {
    EXPECT_TRUE(constant_time_equal(from_hex("00ff10"), from_hex("00ff10")));
    EXPECT_FALSE(constant_time_equal(from_hex("00ff10"), from_hex("00ff11")));
    EXPECT_FALSE(constant_time_equal(from_hex("80ff10"), from_hex("00ff10")));
    EXPECT_FALSE(constant_time_equal(from_hex("00ff"), from_hex("00ff10")));
    EXPECT_TRUE(constant_time_equal({}, {}));
}

}  // namespace
}  // namespace akasa::auth
