#include "auth/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

namespace akasa::auth {
namespace {

const EVP_MD* evp_digest(Digest digest) {
    return digest == Digest::Sha256 ? EVP_sha256() : EVP_sha512();
}

[[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("OpenSSL failure in ") + what);
}

}  // namespace

std::size_t digest_size(Digest digest) {
    return digest == Digest::Sha256 ? 32 : 64;
}

Bytes digest_of(Digest digest, ByteView first, ByteView second) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    Bytes out(digest_size(digest));
    unsigned int length = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), evp_digest(digest), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), first.data(), first.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), second.data(), second.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), out.data(), &length) != 1 || length != out.size()) {
        fail("digest");
    }
    return out;
}

Bytes hmac(Digest digest, ByteView key, ByteView data) {
    Bytes out(digest_size(digest));
    unsigned int length = 0;
    // HMAC() with a null key pointer would use a static buffer; an empty key is still valid.
    static const std::uint8_t kEmpty = 0;
    const void* key_data = key.empty() ? &kEmpty : key.data();
    if (HMAC(evp_digest(digest), key_data, static_cast<int>(key.size()), data.data(), data.size(),
             out.data(), &length) == nullptr ||
        length != out.size()) {
        fail("HMAC");
    }
    return out;
}

Bytes pbkdf2_hmac(Digest digest, ByteView password, ByteView salt, std::uint32_t iterations,
                  std::size_t length) {
    if (iterations == 0 || iterations > kMaxPbkdf2Iterations) {
        throw std::invalid_argument("PBKDF2 iterations out of range");
    }
    Bytes out(length);
    static const char kEmpty = 0;
    const char* pass = password.empty() ? &kEmpty : reinterpret_cast<const char*>(password.data());
    static const unsigned char kEmptySalt = 0;
    const unsigned char* salt_data = salt.empty() ? &kEmptySalt : salt.data();
    if (PKCS5_PBKDF2_HMAC(pass, static_cast<int>(password.size()), salt_data,
                          static_cast<int>(salt.size()), static_cast<int>(iterations),
                          evp_digest(digest), static_cast<int>(length), out.data()) != 1) {
        fail("PBKDF2");
    }
    return out;
}

Bytes random_bytes(std::size_t count) {
    Bytes out(count);
    if (count > 0 && RAND_bytes(out.data(), static_cast<int>(count)) != 1) fail("RAND_bytes");
    return out;
}

bool constant_time_equal(ByteView a, ByteView b) {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void wipe(void* data, std::size_t size) {
    if (data != nullptr && size > 0) OPENSSL_cleanse(data, size);
}

}  // namespace akasa::auth
