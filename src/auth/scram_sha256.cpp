#include "auth/scram_sha256.h"

#include <vector>

#include "auth/saslprep.h"
#include "auth/split.h"
#include "text/base64.h"
#include "text/utf8.h"

namespace akasa::auth {
namespace {

constexpr std::size_t kServerNonceBytes = 18;
constexpr std::size_t kUnknownUserSaltLength = 16;

// saslname (RFC 5802 section 7): one or more UTF-8 characters other than NUL, `,` and `=`,
// with `,` and `=` written as `=2C` and `=3D`. Returns the unescaped name.
std::optional<std::string> decode_saslname(std::string_view text) {
    if (text.empty() || !text::is_well_formed_utf8(text)) return std::nullopt;
    std::string name;
    name.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\0') return std::nullopt;
        if (c != '=') {
            name.push_back(c);
            continue;
        }
        const std::string_view escape = text.substr(i, 3);
        if (escape == "=2C") {
            name.push_back(',');
        } else if (escape == "=3D") {
            name.push_back('=');
        } else {
            return std::nullopt;
        }
        i += 2;
    }
    return name;
}

// printable (RFC 5802): %x21-2B / %x2D-7E, i.e. visible ASCII except `,`.
bool is_printable_nonce(std::string_view nonce) {
    if (nonce.empty()) return false;
    for (const char c : nonce) {
        if (c < 0x21 || c > 0x7e || c == ',') return false;
    }
    return true;
}

// attr-val for an optional extension: one ASCII letter, `=`, then anything without `,`.
bool is_extension(std::string_view field) {
    if (field.size() < 2 || field[1] != '=') return false;
    const char c = field[0];
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool has_prefix(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

// A salt that looks real for a user who does not exist: stable per username within this
// process (so two probes get the same answer) and unpredictable across processes.
Bytes unknown_user_salt(std::string_view username) {
    static const Bytes secret = random_bytes(32);
    Bytes salt = hmac(Digest::Sha256, secret, as_bytes(username));
    salt.resize(kUnknownUserSaltLength);
    return salt;
}

}  // namespace

std::string_view to_string(ScramError error) {
    switch (error) {
        case ScramError::MalformedMessage:
            return "malformed SCRAM message";
        case ScramError::ChannelBindingNotSupported:
            return "channel binding is not supported";
        case ScramError::ExtensionsNotSupported:
            return "mandatory SCRAM extensions are not supported";
        case ScramError::InvalidAuthzid:
            return "the authorization identity differs from the username";
        case ScramError::ChannelBindingMismatch:
            return "the channel binding does not match the first message";
        case ScramError::NonceMismatch:
            return "the nonce does not match";
        case ScramError::InvalidProof:
            return "invalid proof";
        case ScramError::InvalidUsername:
            return "the username is refused by SASLprep";
        case ScramError::WrongState:
            return "SCRAM message out of order";
    }
    return "SCRAM error";
}

ScramCredentials ScramCredentials::from_salted_password(ByteView salted_password, Bytes salt,
                                                        std::uint32_t iterations) {
    Bytes client_key = hmac(Digest::Sha256, salted_password, as_bytes("Client Key"));
    ScramCredentials credentials{digest_of(Digest::Sha256, client_key),
                                 hmac(Digest::Sha256, salted_password, as_bytes("Server Key")),
                                 std::move(salt), iterations};
    wipe(client_key.data(), client_key.size());
    return credentials;
}

std::optional<Bytes> scram_salted_password(std::string_view password, ByteView salt,
                                           std::uint32_t iterations, std::string* error) {
    auto prepared = saslprep(password, SaslprepMode::Stored, error);
    if (!prepared) return std::nullopt;
    Bytes salted = pbkdf2_hmac(Digest::Sha256, as_bytes(*prepared), salt, iterations,
                               digest_size(Digest::Sha256));
    wipe(prepared->data(), prepared->size());
    return salted;
}

std::string ScramServer::random_nonce() {
    return text::base64_encode(random_bytes(kServerNonceBytes), text::Base64Padding::Include);
}

ScramServer::ScramServer(CredentialLookup lookup, NonceSource nonce_source)
    : lookup_(std::move(lookup)), nonce_source_(std::move(nonce_source)) {}

ScramResult ScramServer::fail(ScramError error, std::string reason) {
    state_ = State::Failed;
    return {error, std::move(reason)};
}

ScramResult ScramServer::start(std::string_view client_first_message) {
    if (state_ != State::Initial) {
        return fail(ScramError::WrongState, "start() was already called for this exchange");
    }
    // gs2-header = gs2-cbind-flag "," [authzid] ","
    const std::size_t first_comma = client_first_message.find(',');
    const std::size_t second_comma = first_comma == std::string_view::npos
                                         ? std::string_view::npos
                                         : client_first_message.find(',', first_comma + 1);
    if (second_comma == std::string_view::npos) {
        return fail(ScramError::MalformedMessage, "the client-first message has no gs2 header");
    }
    const std::string_view cbind_flag = client_first_message.substr(0, first_comma);
    const std::string_view authzid =
        client_first_message.substr(first_comma + 1, second_comma - first_comma - 1);
    if (has_prefix(cbind_flag, "p=")) {
        return fail(ScramError::ChannelBindingNotSupported,
                    "the client requires channel binding, which this server does not offer");
    }
    if (cbind_flag != "n" && cbind_flag != "y") {
        return fail(ScramError::MalformedMessage, "the gs2 channel-binding flag is not n, y or p=");
    }
    std::optional<std::string> authz_name;
    if (!authzid.empty()) {
        if (!has_prefix(authzid, "a=")) {
            return fail(ScramError::MalformedMessage, "the gs2 authzid does not start with a=");
        }
        authz_name = decode_saslname(authzid.substr(2));
        if (!authz_name) {
            return fail(ScramError::MalformedMessage, "the gs2 authzid is not a valid saslname");
        }
        std::string error;
        authz_name = saslprep(*authz_name, SaslprepMode::Query, &error);
        if (!authz_name) return fail(ScramError::InvalidUsername, "authzid: " + error);
    }

    // client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
    const std::string_view bare = client_first_message.substr(second_comma + 1);
    const auto fields = split(bare, ',');
    if (has_prefix(fields[0], "m=")) {
        return fail(ScramError::ExtensionsNotSupported,
                    "the client requires a SCRAM extension this server does not support");
    }
    if (fields.size() < 2 || !has_prefix(fields[0], "n=") || !has_prefix(fields[1], "r=")) {
        return fail(ScramError::MalformedMessage,
                    "the client-first message must be n=USERNAME,r=NONCE");
    }
    auto username = decode_saslname(fields[0].substr(2));
    if (!username) {
        return fail(ScramError::MalformedMessage, "the username is not a valid saslname");
    }
    // RFC 5802 section 5.1: the server prepares the name as a query string.
    std::string prep_error;
    username = saslprep(*username, SaslprepMode::Query, &prep_error);
    if (!username) return fail(ScramError::InvalidUsername, "username: " + prep_error);
    const std::string_view client_nonce = fields[1].substr(2);
    if (!is_printable_nonce(client_nonce)) {
        return fail(ScramError::MalformedMessage, "the client nonce is empty or not printable");
    }
    for (std::size_t i = 2; i < fields.size(); ++i) {
        if (!is_extension(fields[i])) {
            return fail(ScramError::MalformedMessage, "unexpected field after the client nonce");
        }
    }
    if (authz_name && *authz_name != *username) {
        return fail(ScramError::InvalidAuthzid,
                    "acting as another user (authzid) is not supported");
    }

    const std::string server_nonce = nonce_source_();
    if (!is_printable_nonce(server_nonce)) {
        return fail(ScramError::WrongState, "the server nonce source returned a bad nonce");
    }
    credentials_ = lookup_(*username);
    Bytes salt;
    std::uint32_t iterations = 0;
    if (credentials_) {
        salt = credentials_->salt;
        iterations = credentials_->iterations;
    } else {
        salt = unknown_user_salt(*username);
        iterations = kScramDefaultIterations;
    }

    username_ = std::move(*username);
    gs2_header_ = std::string(client_first_message.substr(0, second_comma + 1));
    client_first_bare_ = std::string(bare);
    nonce_ = std::string(client_nonce) + server_nonce;
    server_first_ = "r=" + nonce_ +
                    ",s=" + text::base64_encode(salt, text::Base64Padding::Include) +
                    ",i=" + std::to_string(iterations);
    state_ = State::AwaitingFinal;
    return {std::nullopt, server_first_};
}

ScramResult ScramServer::finish(std::string_view client_final_message) {
    if (state_ != State::AwaitingFinal) {
        return fail(ScramError::WrongState, "finish() must follow one successful start()");
    }
    // client-final-message = channel-binding "," nonce ["," extensions] "," proof
    const std::size_t proof_at = client_final_message.rfind(",p=");
    if (proof_at == std::string_view::npos) {
        return fail(ScramError::MalformedMessage, "the client-final message has no proof");
    }
    const std::string_view without_proof = client_final_message.substr(0, proof_at);
    const auto proof = text::base64_decode(client_final_message.substr(proof_at + 3));
    if (!proof) return fail(ScramError::MalformedMessage, "the proof is not valid base64");

    const auto fields = split(without_proof, ',');
    if (fields.size() < 2 || !has_prefix(fields[0], "c=") || !has_prefix(fields[1], "r=")) {
        return fail(ScramError::MalformedMessage,
                    "the client-final message must be c=BINDING,r=NONCE,...,p=PROOF");
    }
    for (std::size_t i = 2; i < fields.size(); ++i) {
        if (!is_extension(fields[i])) {
            return fail(ScramError::MalformedMessage, "unexpected field after the nonce");
        }
    }
    const auto binding = text::base64_decode(fields[0].substr(2));
    if (!binding) {
        return fail(ScramError::MalformedMessage, "the channel binding is not valid base64");
    }
    if (!constant_time_equal(*binding, as_bytes(gs2_header_))) {
        return fail(ScramError::ChannelBindingMismatch,
                    "the channel binding is not the gs2 header of the first message");
    }
    if (fields[1].substr(2) != nonce_) {
        return fail(ScramError::NonceMismatch, "the nonce is not the one the server sent");
    }

    // Unknown users run the same computation against a random key and always fail.
    const Bytes stored_key =
        credentials_ ? credentials_->stored_key : random_bytes(digest_size(Digest::Sha256));
    const std::string auth_message =
        client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
    const Bytes client_signature = hmac(Digest::Sha256, stored_key, as_bytes(auth_message));
    // ClientProof = ClientKey XOR ClientSignature, so the proof XOR the signature must hash
    // to StoredKey.
    bool proof_ok = proof->size() == client_signature.size();
    Bytes recovered_key(client_signature.size());
    for (std::size_t i = 0; proof_ok && i < recovered_key.size(); ++i) {
        recovered_key[i] = (*proof)[i] ^ client_signature[i];
    }
    proof_ok = proof_ok &&
               constant_time_equal(digest_of(Digest::Sha256, recovered_key), stored_key) &&
               credentials_.has_value();
    if (!proof_ok) return fail(ScramError::InvalidProof, "the client proof is not valid");

    const Bytes server_signature =
        hmac(Digest::Sha256, credentials_->server_key, as_bytes(auth_message));
    state_ = State::Done;
    return {std::nullopt,
            "v=" + text::base64_encode(server_signature, text::Base64Padding::Include)};
}

}  // namespace akasa::auth
