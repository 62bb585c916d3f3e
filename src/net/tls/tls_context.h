// OpenSSL 3 server contexts for the `mqtts` and `wss` listeners, built from their config,
// and a holder that swaps in a new context on SIGHUP without touching live connections
// (each SSL object keeps a reference to the context it was created from).
//
//   TlsContextHolder holder(config.listeners.mqtts.value());   // throws TlsConfigError
//   TlsSession session(holder.current());                       // per accepted connection
//   if (auto error = holder.reload()) log_warn(*error);         // on SIGHUP; old one kept
//   holder.replace(listener, make_server_context(listener));    // ...or from new keys
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "config/config.h"

namespace akasa::net::tls {

// A context could not be built: unreadable or mismatched key, bad certificate or CA file.
// The message names the file and gives OpenSSL's reason.
class TlsConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

using SslContextPtr = std::shared_ptr<SSL_CTX>;

// TLS 1.2 and 1.3 only, renegotiation refused, no compression, the certificate chain from
// cert_file, the key from key_file (checked against the certificate; an encrypted key is an
// error, never a terminal prompt), ca_file for client certificates, and
// verify_peer / fail_if_no_peer_cert as SSL_VERIFY_PEER / SSL_VERIFY_FAIL_IF_NO_PEER_CERT.
// Throws TlsConfigError.
SslContextPtr make_server_context(const config::TlsListener& listener);

// The context a listener hands to new connections; reload() rebuilds it from the same files.
// current() and reload() may be called from any thread.
class TlsContextHolder {
  public:
    explicit TlsContextHolder(config::TlsListener listener);  // throws TlsConfigError

    SslContextPtr current() const { return current_.load(std::memory_order_acquire); }

    // Rebuilds from the files. On failure the current context stays and the error message
    // is returned; connections made before or after are unaffected either way.
    std::optional<std::string> reload();
    // A context built (make_server_context) from `listener`, whose files or client
    // certificate checks may differ from the current ones (SIGHUP): new connections get it,
    // and reload() reads `listener` from now on. reload() and replace() belong to one thread.
    void replace(config::TlsListener listener, SslContextPtr context);

  private:
    config::TlsListener listener_;
    std::atomic<SslContextPtr> current_;
};

// Takes OpenSSL's error queue of this thread as one readable string (and clears it).
std::string take_openssl_errors();

}  // namespace akasa::net::tls
