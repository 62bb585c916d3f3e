// Checks that hash comparisons go through OpenSSL's constant-time CRYPTO_memcmp: this test
// binary defines its own CRYPTO_memcmp, which the dynamic linker prefers over libcrypto's
// for calls made from our (statically linked) code, and counts the calls.
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>

#include "auth/password_file.h"
#include "auth/scram_sha256.h"

namespace {
std::atomic<int> g_memcmp_calls{0};
}

// Same contract as OpenSSL's: 0 when equal, non-zero otherwise, time independent of content.
extern "C" int CRYPTO_memcmp(const void* a, const void* b, std::size_t length) {
    g_memcmp_calls.fetch_add(1, std::memory_order_relaxed);
    const auto* x = static_cast<const unsigned char*>(a);
    const auto* y = static_cast<const unsigned char*>(b);
    unsigned char difference = 0;
    for (std::size_t i = 0; i < length; ++i)
        difference |= x[i] ^ y[i];
    return difference;
}

namespace akasa::auth {
namespace {

TEST(ConstantTime, PasswordVerificationComparesWithCryptoMemcmp) {
    PasswordFile file;
    for (auto algorithm :
         {HashAlgorithm::Sha256, HashAlgorithm::Sha512, HashAlgorithm::Sha256Pbkdf2,
          HashAlgorithm::Sha512Pbkdf2, HashAlgorithm::MosquittoSha512,
          HashAlgorithm::MosquittoPbkdf2Sha512, HashAlgorithm::MosquittoArgon2id}) {
        file.insert("u", PasswordHash::create("pw", algorithm, 2));
        const int before = g_memcmp_calls.load();
        EXPECT_TRUE(file.verify("u", "pw"));
        EXPECT_FALSE(file.verify("u", "px"));
        EXPECT_GE(g_memcmp_calls.load() - before, 2) << to_string(algorithm);
    }
    // Unknown users do the same comparison work (against a dummy entry).
    const int before = g_memcmp_calls.load();
    EXPECT_FALSE(file.verify("nobody", "pw"));
    EXPECT_GE(g_memcmp_calls.load() - before, 1);
}

TEST(ConstantTime, ScramProofCheckComparesWithCryptoMemcmp) {
    ScramServer server([](std::string_view) { return std::optional<ScramCredentials>(); },
                       [] { return std::string("servernonce"); });
    ASSERT_TRUE(server.start("n,,n=user,r=abc").ok());
    const int before = g_memcmp_calls.load();
    const auto result = server.finish("c=biws,r=abcservernonce,p=" + std::string(43, 'A') + "=");
    EXPECT_EQ(result.error, ScramError::InvalidProof);
    EXPECT_GE(g_memcmp_calls.load() - before, 1);
}

}  // namespace
}  // namespace akasa::auth
