#include "net/tls/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace akasa::net::tls {

namespace {

// Session id context: needed for session resumption when client certificates are verified.
constexpr unsigned char kSessionIdContext[] = "akasa";

[[noreturn]] void fail(const std::string& what) {
    std::string reason = take_openssl_errors();
    throw TlsConfigError(reason.empty() ? what : what + ": " + reason);
}

// Refuses to prompt for a passphrase: an encrypted key fails to load instead of blocking a
// worker on the terminal.
int no_passphrase(char*, int, int, void*) {
    return 0;
}

}  // namespace

std::string take_openssl_errors() {
    std::string out;
    while (unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        if (!out.empty()) out += "; ";
        out += buffer;
    }
    return out;
}

SslContextPtr make_server_context(const config::TlsListener& listener) {
    ERR_clear_error();
    SslContextPtr ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
    if (!ctx) fail("cannot create a TLS context");
    SSL_CTX* c = ctx.get();

    if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1) fail("cannot require TLS 1.2");
    SSL_CTX_set_options(
        c, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    // Idle connections give their read/write buffers back (memory per connection).
    SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_default_passwd_cb(c, no_passphrase);

    if (SSL_CTX_use_certificate_chain_file(c, listener.cert_file.c_str()) != 1) {
        fail("cannot load the certificate chain from " + listener.cert_file);
    }
    // Read the key on its own first, so "cannot read it" and "it is not this certificate's
    // key" are told apart (SSL_CTX_use_PrivateKey_file would report both the same way).
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(nullptr, EVP_PKEY_free);
    if (std::unique_ptr<BIO, decltype(&BIO_free)> file(BIO_new_file(listener.key_file.c_str(), "r"),
                                                       BIO_free);
        file) {
        key.reset(PEM_read_bio_PrivateKey(file.get(), nullptr, no_passphrase, nullptr));
    }
    if (!key) {
        fail("cannot load the private key from " + listener.key_file +
             " (unreadable, not PEM, or encrypted)");
    }
    if (SSL_CTX_use_PrivateKey(c, key.get()) != 1 || SSL_CTX_check_private_key(c) != 1) {
        fail("the private key in " + listener.key_file + " does not match the certificate in " +
             listener.cert_file);
    }

    if (listener.ca_file) {
        const std::string& ca = *listener.ca_file;
        if (SSL_CTX_load_verify_locations(c, ca.c_str(), nullptr) != 1) {
            fail("cannot load CA certificates from " + ca);
        }
        // Tell clients which CAs we accept, so they pick the right certificate.
        STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca.c_str());
        if (!names) fail("no CA certificate names in " + ca);
        SSL_CTX_set_client_CA_list(c, names);
    }
    int mode = SSL_VERIFY_NONE;
    if (listener.verify_peer) {
        mode = SSL_VERIFY_PEER;
        if (listener.fail_if_no_peer_cert) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    }
    SSL_CTX_set_verify(c, mode, nullptr);
    SSL_CTX_set_session_id_context(c, kSessionIdContext, sizeof kSessionIdContext - 1);
    return ctx;
}

TlsContextHolder::TlsContextHolder(config::TlsListener listener)
    : listener_(std::move(listener)), current_(make_server_context(listener_)) {}

std::optional<std::string> TlsContextHolder::reload() {
    try {
        current_.store(make_server_context(listener_), std::memory_order_release);
        return std::nullopt;
    } catch (const TlsConfigError& e) {
        return std::string(e.what());
    }
}

void TlsContextHolder::replace(config::TlsListener listener, SslContextPtr context) {
    current_.store(std::move(context), std::memory_order_release);
    listener_ = std::move(listener);
}

}  // namespace akasa::net::tls
