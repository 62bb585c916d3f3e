#include "net/tls/tls_session.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace akasa::net::tls {

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;  // one TLS record's worth of plaintext

std::string name_to_string(X509_NAME* name) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (!bio) return {};
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<std::size_t>(size > 0 ? size : 0));
    BIO_free(bio);
    return text;
}

}  // namespace

TlsSession::TlsSession(SslContextPtr context, TlsRole role, const std::string& server_name)
    : context_(std::move(context)) {
    ssl_ = SSL_new(context_.get());
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    if (!ssl_ || !in_ || !out_) {
        BIO_free(in_);
        BIO_free(out_);
        SSL_free(ssl_);
        throw std::runtime_error("OpenSSL could not allocate a TLS session");
    }
    // An empty input BIO means "no data yet" (WANT_READ), not end of stream.
    BIO_set_mem_eof_return(in_, -1);
    BIO_set_mem_eof_return(out_, -1);
    SSL_set_bio(ssl_, in_, out_);
    if (role == TlsRole::Server) {
        SSL_set_accept_state(ssl_);
        return;
    }
    SSL_set_connect_state(ssl_);
    if (!server_name.empty()) SSL_set_tlsext_host_name(ssl_, server_name.c_str());
}

TlsSession::~TlsSession() {
    SSL_free(ssl_);
}

void TlsSession::drain(ByteBuffer& ciphertext_out) {
    std::size_t pending = BIO_ctrl_pending(out_);
    if (pending == 0) return;
    std::uint8_t* dst = ciphertext_out.prepare(pending);
    int n = BIO_read(out_, dst, static_cast<int>(pending));
    ciphertext_out.commit(n > 0 ? static_cast<std::size_t>(n) : 0);
}

TlsResult TlsSession::failure(int ssl_error, ByteBuffer& ciphertext_out) {
    if (ssl_error == SSL_ERROR_ZERO_RETURN) {
        SSL_shutdown(ssl_);  // answer the peer's close_notify with ours
        drain(ciphertext_out);
        final_ = {TlsStatus::Closed, {}};
        return final_;
    }
    drain(ciphertext_out);  // the alert telling the peer why
    std::string reason = take_openssl_errors();
    if (!handshake_done_) {
        long verify = SSL_get_verify_result(ssl_);
        if (verify != X509_V_OK) {
            reason += std::string(reason.empty() ? "" : " (") +
                      X509_verify_cert_error_string(verify) + (reason.empty() ? "" : ")");
        }
    }
    if (reason.empty()) {
        reason = ssl_error == SSL_ERROR_SYSCALL ? "unexpected end of TLS stream"
                                                : "TLS error " + std::to_string(ssl_error);
    }
    final_ = {TlsStatus::Failed, (handshake_done_ ? "TLS: " : "TLS handshake: ") + reason};
    return final_;
}

TlsResult TlsSession::feed(std::span<const std::uint8_t> ciphertext, ByteBuffer& plaintext_out,
                           ByteBuffer& ciphertext_out) {
    if (final_.status != TlsStatus::Ok) return final_;
    if (!ciphertext.empty() &&
        BIO_write(in_, ciphertext.data(), static_cast<int>(ciphertext.size())) <= 0) {
        final_ = {TlsStatus::Failed, "TLS: cannot buffer input"};
        return final_;
    }
    return advance(plaintext_out, ciphertext_out);
}

TlsResult TlsSession::advance(ByteBuffer& plaintext_out, ByteBuffer& ciphertext_out) {
    ERR_clear_error();
    if (!handshake_done_) {
        int rc = SSL_do_handshake(ssl_);
        if (rc != 1) {
            int error = SSL_get_error(ssl_, rc);
            drain(ciphertext_out);
            if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return {};
            return failure(error, ciphertext_out);
        }
        handshake_done_ = true;
        drain(ciphertext_out);
        TlsResult flushed = flush_pending(ciphertext_out);
        if (flushed.status != TlsStatus::Ok) return flushed;
    }
    while (true) {
        std::uint8_t* dst = plaintext_out.prepare(kReadChunk);
        int n = SSL_read(ssl_, dst, static_cast<int>(kReadChunk));
        if (n > 0) {
            plaintext_out.commit(static_cast<std::size_t>(n));
            continue;
        }
        int error = SSL_get_error(ssl_, n);
        // Reading can produce output too (TLS 1.3 key updates, session tickets).
        drain(ciphertext_out);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return {};
        return failure(error, ciphertext_out);
    }
}

TlsResult TlsSession::flush_pending(ByteBuffer& ciphertext_out) {
    if (pending_plaintext_.empty()) return {};
    int n = SSL_write(ssl_, pending_plaintext_.data(), static_cast<int>(pending_plaintext_.size()));
    if (n <= 0) return failure(SSL_get_error(ssl_, n), ciphertext_out);
    pending_plaintext_.consume(static_cast<std::size_t>(n));
    pending_plaintext_.shrink_if_idle(0);
    drain(ciphertext_out);
    return {};
}

TlsResult TlsSession::write(std::span<const std::uint8_t> plaintext, ByteBuffer& ciphertext_out) {
    if (final_.status != TlsStatus::Ok) return final_;
    if (plaintext.empty()) return {};
    if (!handshake_done_) {
        pending_plaintext_.append(plaintext);
        return {};
    }
    ERR_clear_error();
    // A memory BIO takes everything, so SSL_write writes the whole buffer (it splits it into
    // records itself).
    int n = SSL_write(ssl_, plaintext.data(), static_cast<int>(plaintext.size()));
    if (n <= 0) return failure(SSL_get_error(ssl_, n), ciphertext_out);
    drain(ciphertext_out);
    return {};
}

void TlsSession::shutdown(ByteBuffer& ciphertext_out) {
    if (!handshake_done_) return;
    ERR_clear_error();
    SSL_shutdown(ssl_);
    drain(ciphertext_out);
}

std::optional<std::string> TlsSession::peer_subject() const {
    X509* cert = SSL_get0_peer_certificate(ssl_);
    if (!cert) return std::nullopt;
    return name_to_string(X509_get_subject_name(cert));
}

std::optional<std::string> TlsSession::peer_common_name() const {
    X509* cert = SSL_get0_peer_certificate(ssl_);
    if (!cert) return std::nullopt;
    X509_NAME* name = X509_get_subject_name(cert);
    int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (index < 0) return std::nullopt;
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
    unsigned char* utf8 = nullptr;
    int size = ASN1_STRING_to_UTF8(&utf8, data);
    if (size < 0) return std::nullopt;
    std::string cn(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(size));
    OPENSSL_free(utf8);
    return cn;
}

std::string TlsSession::protocol_version() const {
    return SSL_get_version(ssl_);
}

std::string TlsSession::cipher() const {
    const char* name = SSL_get_cipher_name(ssl_);
    return name ? name : "";
}

}  // namespace akasa::net::tls
