// Server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding, as used by
// MQTT v5 enhanced authentication (Authentication Method "SCRAM-SHA-256"). It knows nothing
// of sockets or packets: the caller passes each client message in and sends back what it
// returns. One ScramServer per authentication exchange; not thread-safe (one connection).
//
//   ScramServer scram(lookup);                       // lookup: username -> ScramCredentials
//   ScramResult first = scram.start(client_first);   // CONNECT's Authentication Data
//   if (!first.ok()) refuse(...);                     // else send first.message in AUTH 0x18
//   ScramResult last = scram.finish(client_final);   // the client's AUTH
//   if (!last.ok()) refuse(...);                      // else CONNACK with last.message ("v=...")
//   scram.username();                                // the authenticated user
//
// Decisions (RFC 5802 leaves these to the server):
// - gs2 header: `n,,` and `y,,` are accepted (`y`: the client could bind but believes we
//   cannot; we indeed offer no -PLUS mechanism, so that is correct). `p=...` (channel binding
//   requested) fails with ChannelBindingNotSupported. An authzid `a=...` is accepted only
//   when it names the same user as `n=`.
// - The client-final `c=` must be base64 of exactly the gs2 header the client sent.
// - A mandatory extension (`m=`) fails with ExtensionsNotSupported; optional extensions
//   after the nonce are ignored.
// - `=2C` and `=3D` in usernames are unescaped to `,` and `=`, then the name is prepared
//   with SASLprep as a query string (RFC 5802 section 5.1, saslprep.h); a name SASLprep
//   refuses (prohibited or unassigned-in-stored characters, bidi errors, empty) fails with
//   InvalidUsername. The lookup receives the prepared name. Passwords are prepared as
//   stored strings before hashing (scram_salted_password()), by whoever makes the
//   SaltedPassword: the server itself never sees a password.
// - Unknown users are not revealed at start(): the server answers with a salt derived from
//   the username and a per-process secret and 4096 iterations, and the exchange fails at
//   finish() with InvalidProof, exactly like a wrong password. Map every failure to the same
//   CONNACK reason code to keep it that way.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "auth/crypto.h"

namespace akasa::auth {

// RFC 7677's minimum iteration count: the default of `akasa scram-password`, and the count
// the server announces for unknown users (so a user made with the default looks like any
// name that is not configured).
inline constexpr std::uint32_t kScramDefaultIterations = 4096;

// What the server needs per user (config `scram_users`): the RFC 5802 section 3 keys, which
// let it check a client's proof and prove itself, but not compute a proof of its own:
//   StoredKey = SHA-256(HMAC(SaltedPassword, "Client Key")), 32 bytes
//   ServerKey = HMAC(SaltedPassword, "Server Key"), 32 bytes
// with SaltedPassword = PBKDF2-HMAC-SHA256(password, salt, iterations). Akasa's config keeps
// the SaltedPassword itself (`hashed_password`, from which a client proof can be computed:
// it is password-equivalent); from_salted_password() derives the keys from it.
struct ScramCredentials {
    Bytes stored_key;
    Bytes server_key;
    Bytes salt;
    std::uint32_t iterations = 4096;

    static ScramCredentials from_salted_password(ByteView salted_password, Bytes salt,
                                                 std::uint32_t iterations);
};

// SaltedPassword = Hi(Normalize(password), salt, iterations) (RFC 5802 section 3), with
// Normalize = SASLprep as a stored string; nullopt (reason in `error`) when SASLprep
// refuses the password. 1 <= iterations <= kMaxPbkdf2Iterations.
std::optional<Bytes> scram_salted_password(std::string_view password, ByteView salt,
                                           std::uint32_t iterations, std::string* error = nullptr);

enum class ScramError {
    MalformedMessage,            // not the RFC 5802 grammar (or not valid base64 inside)
    ChannelBindingNotSupported,  // gs2 header `p=...`
    ExtensionsNotSupported,      // mandatory extension `m=...`
    InvalidAuthzid,              // `a=` names someone other than `n=`
    ChannelBindingMismatch,      // client-final `c=` is not the gs2 header sent first
    NonceMismatch,               // client-final `r=` is not the combined nonce
    InvalidProof,                // wrong password, or unknown user
    InvalidUsername,             // the username (or authzid) fails SASLprep (RFC 4013)
    WrongState,                  // start() twice, finish() before start(), or after failing
};

std::string_view to_string(ScramError error);

struct ScramResult {
    std::optional<ScramError> error;  // nullopt on success
    std::string message;  // on success: the server message to send; on error: a short reason

    bool ok() const { return !error.has_value(); }
};

class ScramServer {
  public:
    // Returns the user's credentials, or nullopt when there is no such user.
    using CredentialLookup = std::function<std::optional<ScramCredentials>(std::string_view)>;
    // Returns the server's part of the nonce: printable ASCII except `,` (RFC 5802 `printable`).
    using NonceSource = std::function<std::string()>;

    // The default nonce source: base64 of 18 random bytes (24 characters, no padding needed).
    static std::string random_nonce();

    explicit ScramServer(CredentialLookup lookup, NonceSource nonce_source = &random_nonce);

    // client-first-message -> server-first-message (`r=...,s=...,i=...`).
    ScramResult start(std::string_view client_first_message);

    // client-final-message -> server-final-message (`v=...`); bad proof is an error.
    ScramResult finish(std::string_view client_final_message);

    // The username from client-first (unescaped); empty before start().
    const std::string& username() const { return username_; }
    // True once finish() has succeeded.
    bool authenticated() const { return state_ == State::Done; }

  private:
    enum class State { Initial, AwaitingFinal, Done, Failed };

    ScramResult fail(ScramError error, std::string reason);

    CredentialLookup lookup_;
    NonceSource nonce_source_;
    State state_ = State::Initial;
    std::string username_;
    std::string gs2_header_;
    std::string client_first_bare_;
    std::string server_first_;
    std::string nonce_;                            // client nonce + server nonce
    std::optional<ScramCredentials> credentials_;  // nullopt: unknown user (fails at finish)
};

}  // namespace akasa::auth
