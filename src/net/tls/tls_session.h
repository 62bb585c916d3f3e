// The server side of one TLS connection, sans-I/O: OpenSSL runs over two memory BIOs, so
// the event loop moves ciphertext between the socket and this object and never blocks.
// WANT_READ simply means "feed me more ciphertext"; a memory BIO never reports WANT_WRITE
// because it grows, so every byte OpenSSL wants to send is appended to `ciphertext_out`
// (handshake records, alerts, encrypted data) for the engine to write when the socket takes it.
//
//   TlsSession tls(holder.current());
//   // on readable socket: read bytes, then
//   TlsResult r = tls.feed({buf, n}, plaintext_in, output);   // plaintext_in: MQTT bytes
//   if (r.status != TlsStatus::Ok) close_after_flush(output);
//   // to send MQTT bytes:
//   tls.write(encoded, output);
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "net/byte_buffer.h"
#include "net/tls/tls_context.h"

namespace akasa::net::tls {

enum class TlsStatus {
    Ok,      // keep going (handshake in progress or done)
    Closed,  // the peer sent close_notify: flush, then close
    Failed,  // handshake or record error (an alert may be in ciphertext_out): flush, close
};

struct TlsResult {
    TlsStatus status = TlsStatus::Ok;
    std::string error;  // Failed: OpenSSL's reason, for the log
};

// The server side (our listeners), or the client side (the load tool, bench/load).
enum class TlsRole : std::uint8_t { Server, Client };

class TlsSession {
  public:
    // Throws std::runtime_error only when OpenSSL cannot allocate. A client sends
    // `server_name` as SNI (when not empty) and speaks first: call feed() with no input to
    // get its ClientHello.
    explicit TlsSession(SslContextPtr context, TlsRole role = TlsRole::Server,
                        const std::string& server_name = {});
    ~TlsSession();
    TlsSession(const TlsSession&) = delete;
    TlsSession& operator=(const TlsSession&) = delete;

    // Takes ciphertext from the socket (any split), advances the handshake, appends the
    // decrypted application bytes to `plaintext_out` and anything to send to
    // `ciphertext_out`. After Closed or Failed, later calls do nothing.
    TlsResult feed(std::span<const std::uint8_t> ciphertext, ByteBuffer& plaintext_out,
                   ByteBuffer& ciphertext_out);

    // Encrypts application bytes into `ciphertext_out`. Bytes written before the handshake
    // is done are kept and sent once it completes.
    TlsResult write(std::span<const std::uint8_t> plaintext, ByteBuffer& ciphertext_out);

    // Sends close_notify (a clean TLS shutdown) before the engine closes the socket.
    void shutdown(ByteBuffer& ciphertext_out);

    bool handshake_done() const { return handshake_done_; }
    // The verified client certificate's subject (RFC 2253, "CN=device-1,O=Acme"), and its
    // Common Name; nullopt when the client sent none.
    std::optional<std::string> peer_subject() const;
    std::optional<std::string> peer_common_name() const;
    // "TLSv1.3", and the cipher suite name; valid once the handshake is done.
    std::string protocol_version() const;
    std::string cipher() const;

  private:
    TlsResult advance(ByteBuffer& plaintext_out, ByteBuffer& ciphertext_out);
    TlsResult flush_pending(ByteBuffer& ciphertext_out);
    TlsResult failure(int ssl_error, ByteBuffer& ciphertext_out);
    void drain(ByteBuffer& ciphertext_out);

    SslContextPtr context_;  // keeps the context alive across a reload
    SSL* ssl_ = nullptr;
    BIO* in_ = nullptr;   // ciphertext from the peer (owned by ssl_)
    BIO* out_ = nullptr;  // ciphertext for the peer (owned by ssl_)
    bool handshake_done_ = false;
    ByteBuffer pending_plaintext_;  // written before the handshake completed
    TlsResult final_;
};

}  // namespace akasa::net::tls
