#include "auth/scram_sha256.h"

#include <gtest/gtest.h>

#include <map>

#include "hex.h"
#include "text/base64.h"

namespace akasa::auth {
namespace {

using test::from_hex;

// RFC 7677 section 3: user "user", password "pencil".
constexpr const char* kClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr const char* kServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr const char* kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr const char* kClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr const char* kServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

// SaltedPassword = PBKDF2-HMAC-SHA256("pencil", salt, 4096), computed with Python's
// hashlib.pbkdf2_hmac, i.e. what the config's `scram_users.user.hashed_password` holds.
const Bytes kRfcSaltedPassword =
    from_hex("c4a49510323ab4f952cac1fa99441939e78ea74d6be81ddf7096e87513dc615d");
const Bytes kRfcSalt = *text::base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
// The stored form of the same user (`stored_key`, `server_key`), computed with Python's
// hashlib / hmac from kRfcSaltedPassword, independently of the code under test.
const Bytes kRfcStoredKey =
    from_hex("586e5df283e6dceb5c3e791d8b8528ec191e664045ce971792e2e6b5bb13e2a6");
const Bytes kRfcServerKey =
    from_hex("c1f3cbc1c13a9d35a14c0990eed97629ea225863e566a4314ab99f3f00e5d9d5");

ScramCredentials rfc_credentials() {
    return ScramCredentials::from_salted_password(kRfcSaltedPassword, kRfcSalt, 4096);
}

ScramServer::CredentialLookup users(std::map<std::string, ScramCredentials> table) {
    return [table = std::move(table)](std::string_view name) -> std::optional<ScramCredentials> {
        const auto it = table.find(std::string(name));
        if (it == table.end()) return std::nullopt;
        return it->second;
    };
}

ScramServer rfc_server() {
    return ScramServer(users({{"user", rfc_credentials()}}), [] { return kServerNonce; });
}

// A client built from the RFC's formulas, for exchanges beyond the fixed vector.
std::string client_final(const std::string& client_first_bare, const std::string& server_first,
                         const std::string& gs2_header, const Bytes& salted_password,
                         const std::string& nonce) {
    const std::string without_proof =
        "c=" + text::base64_encode(as_bytes(gs2_header), text::Base64Padding::Include) +
        ",r=" + nonce;
    const std::string auth_message = client_first_bare + "," + server_first + "," + without_proof;
    const Bytes client_key = hmac(Digest::Sha256, salted_password, as_bytes("Client Key"));
    const Bytes stored_key = digest_of(Digest::Sha256, client_key);
    const Bytes signature = hmac(Digest::Sha256, stored_key, as_bytes(auth_message));
    Bytes proof(client_key.size());
    for (std::size_t i = 0; i < proof.size(); ++i)
        proof[i] = client_key[i] ^ signature[i];
    return without_proof + ",p=" + text::base64_encode(proof, text::Base64Padding::Include);
}

TEST(ScramSha256, ReproducesRfc7677Exchange) {
    ScramServer server = rfc_server();
    const ScramResult first = server.start(kClientFirst);
    ASSERT_TRUE(first.ok()) << first.message;
    EXPECT_EQ(first.message, kServerFirst);
    EXPECT_EQ(server.username(), "user");
    EXPECT_FALSE(server.authenticated());
    const ScramResult last = server.finish(kClientFinal);
    ASSERT_TRUE(last.ok()) << last.message;
    EXPECT_EQ(last.message, kServerFinal);
    EXPECT_TRUE(server.authenticated());
}

TEST(ScramSha256, SaltedPasswordFixtureIsPbkdf2OfPencil) {
    EXPECT_EQ(pbkdf2_hmac(Digest::Sha256, as_bytes("pencil"), kRfcSalt, 4096, 32),
              kRfcSaltedPassword);
}

// RFC 5802 section 3: StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey =
// HMAC(SaltedPassword, "Server Key").
TEST(ScramSha256, KeysFromTheSaltedPasswordAreRfc5802s) {
    const ScramCredentials c = rfc_credentials();
    EXPECT_EQ(c.stored_key, kRfcStoredKey);
    EXPECT_EQ(c.server_key, kRfcServerKey);
    EXPECT_EQ(c.salt, kRfcSalt);
    EXPECT_EQ(c.iterations, 4096u);
}

// The stored form (config `stored_key` / `server_key`) verifies the RFC 7677 exchange and
// proves the server, without the SaltedPassword.
TEST(ScramSha256, StoredFormReproducesRfc7677Exchange) {
    ScramServer server(
        users({{"user", ScramCredentials{kRfcStoredKey, kRfcServerKey, kRfcSalt, 4096}}}),
        [] { return kServerNonce; });
    const ScramResult first = server.start(kClientFirst);
    ASSERT_TRUE(first.ok()) << first.message;
    EXPECT_EQ(first.message, kServerFirst);
    const ScramResult last = server.finish(kClientFinal);
    ASSERT_TRUE(last.ok()) << last.message;
    EXPECT_EQ(last.message, kServerFinal);
    EXPECT_TRUE(server.authenticated());
}

// Whoever holds the stored keys cannot log in with them: used as if they were the
// SaltedPassword (the only secret a client computes a proof from), they fail.
TEST(ScramSha256, StoredKeysAreNotAProof) {
    for (const Bytes& key : {kRfcStoredKey, kRfcServerKey}) {
        ScramServer server = rfc_server();
        ASSERT_TRUE(server.start(kClientFirst).ok());
        const std::string nonce = std::string("rOprNGfwEbeRWgbNEkqO") + kServerNonce;
        EXPECT_EQ(server
                      .finish(client_final("n=user,r=rOprNGfwEbeRWgbNEkqO", kServerFirst, "n,,",
                                           key, nonce))
                      .error,
                  ScramError::InvalidProof);
    }
}

TEST(ScramSha256, WrongPasswordFailsWithInvalidProof) {
    ScramServer server = rfc_server();
    ASSERT_TRUE(server.start(kClientFirst).ok());
    const Bytes wrong =
        pbkdf2_hmac(Digest::Sha256, as_bytes("pencil2"), rfc_credentials().salt, 4096, 32);
    const std::string nonce = std::string("rOprNGfwEbeRWgbNEkqO") + kServerNonce;
    const auto result = server.finish(
        client_final("n=user,r=rOprNGfwEbeRWgbNEkqO", kServerFirst, "n,,", wrong, nonce));
    EXPECT_EQ(result.error, ScramError::InvalidProof);
    EXPECT_FALSE(server.authenticated());
}

TEST(ScramSha256, TamperedProofFails) {
    ScramServer server = rfc_server();
    ASSERT_TRUE(server.start(kClientFirst).ok());
    std::string tampered = kClientFinal;
    tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
    EXPECT_EQ(server.finish(tampered).error, ScramError::InvalidProof);
}

TEST(ScramSha256, ProofOfTheWrongLengthFails) {
    ScramServer server = rfc_server();
    ASSERT_TRUE(server.start(kClientFirst).ok());
    EXPECT_EQ(
        server.finish("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAA").error,
        ScramError::InvalidProof);
}

TEST(ScramSha256, WrongNonceFails) {
    ScramServer server = rfc_server();
    ASSERT_TRUE(server.start(kClientFirst).ok());
    EXPECT_EQ(
        server
            .finish("c=biws,r=rOprNGfwEbeRWgbNEkqO,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
            .error,
        ScramError::NonceMismatch);
}

TEST(ScramSha256, ChannelBindingMustEchoTheGs2Header) {
    ScramServer server = rfc_server();
    ASSERT_TRUE(server.start(kClientFirst).ok());
    // "eSws" is base64("y,,"), but the client sent "n,,".
    EXPECT_EQ(server
                  .finish("c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                          "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
                  .error,
              ScramError::ChannelBindingMismatch);
}

TEST(ScramSha256, ChannelBindingRequestIsRefused) {
    ScramServer server = rfc_server();
    EXPECT_EQ(server.start("p=tls-unique,,n=user,r=abc").error,
              ScramError::ChannelBindingNotSupported);
}

TEST(ScramSha256, MandatoryExtensionIsRefused) {
    ScramServer server = rfc_server();
    EXPECT_EQ(server.start("n,,m=ext,n=user,r=abc").error, ScramError::ExtensionsNotSupported);
}

TEST(ScramSha256, MalformedClientFirstMessagesAreErrors) {
    for (const char* message :
         {"", "n", "n,", "x,,n=user,r=abc", "n,,", "n,,n=user", "n,,r=abc,n=user", "n,,n=,r=abc",
          "n,,n=user,r=", "n,,n=us=er,r=abc", "n,,n=us=2Xer,r=abc", "n,,n=user,r=a b",
          "n,,n=user,r=abc,bogus", "n,x,n=user,r=abc", "n,a=,n=user,r=abc", "n,,n=\xff\xfe,r=abc",
          "n,,n=user,r=\x01"}) {
        ScramServer server = rfc_server();
        const auto result = server.start(message);
        EXPECT_EQ(result.error, ScramError::MalformedMessage) << message;
        EXPECT_FALSE(result.message.empty());
        // A failed exchange stays failed.
        EXPECT_EQ(server.finish(kClientFinal).error, ScramError::WrongState);
    }
}

TEST(ScramSha256, MalformedClientFinalMessagesAreErrors) {
    for (const char* message :
         {"", "c=biws", "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
          "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,c=biws,p=AAAA",
          "c=biws,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
          "c=bi!s,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAA",
          "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=not base64",
          "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,junk,p=AAAA"}) {
        ScramServer server = rfc_server();
        ASSERT_TRUE(server.start(kClientFirst).ok());
        EXPECT_EQ(server.finish(message).error, ScramError::MalformedMessage) << message;
    }
}

TEST(ScramSha256, MessagesOutOfOrderAreErrors) {
    ScramServer fresh = rfc_server();
    EXPECT_EQ(fresh.finish(kClientFinal).error, ScramError::WrongState);

    ScramServer twice = rfc_server();
    ASSERT_TRUE(twice.start(kClientFirst).ok());
    EXPECT_EQ(twice.start(kClientFirst).error, ScramError::WrongState);

    ScramServer done = rfc_server();
    ASSERT_TRUE(done.start(kClientFirst).ok());
    ASSERT_TRUE(done.finish(kClientFinal).ok());
    EXPECT_EQ(done.finish(kClientFinal).error, ScramError::WrongState);
    EXPECT_FALSE(done.authenticated());  // a replay attempt ends the exchange as failed
}

TEST(ScramSha256, UnknownUserGetsAPlausibleChallengeAndFailsLikeAWrongPassword) {
    ScramServer a(users({}), [] { return "srv"; });
    const auto first = a.start("n,,n=ghost,r=cli");
    ASSERT_TRUE(first.ok()) << first.message;
    EXPECT_EQ(first.message.rfind("r=clisrv,s=", 0), 0u) << first.message;
    EXPECT_NE(first.message.find(",i=4096"), std::string::npos) << first.message;
    // The same username gets the same salt, so probing twice reveals nothing.
    ScramServer b(users({}), [] { return "srv"; });
    EXPECT_EQ(b.start("n,,n=ghost,r=cli").message, first.message);

    const Bytes guess = pbkdf2_hmac(Digest::Sha256, as_bytes("pw"), as_bytes("x"), 1, 32);
    EXPECT_EQ(a.finish(client_final("n=ghost,r=cli", first.message, "n,,", guess, "clisrv")).error,
              ScramError::InvalidProof);
}

TEST(ScramSha256, EscapedUsernamesYFlagAndMatchingAuthzidAuthenticate) {
    const Bytes salt = from_hex("73616c7473616c7473616c74");
    const Bytes salted = pbkdf2_hmac(Digest::Sha256, as_bytes("secret"), salt, 4096, 32);
    for (const std::string gs2 : {"n,,", "y,,", "n,a=a=2Cb=3Dc,"}) {
        ScramServer server(
            users({{"a,b=c", ScramCredentials::from_salted_password(salted, salt, 4096)}}),
            [] { return "XYZ"; });
        const std::string bare = "n=a=2Cb=3Dc,r=nonce,x=optional-extension";
        const auto first = server.start(gs2 + bare);
        ASSERT_TRUE(first.ok()) << gs2 << ": " << first.message;
        EXPECT_EQ(server.username(), "a,b=c");
        const auto last = server.finish(client_final(bare, first.message, gs2, salted, "nonceXYZ"));
        EXPECT_TRUE(last.ok()) << gs2 << ": " << last.message;
        EXPECT_EQ(last.message.rfind("v=", 0), 0u);
        EXPECT_TRUE(server.authenticated());
    }
}

TEST(ScramSha256, AuthzidForAnotherUserIsRefused) {
    ScramServer server = rfc_server();
    EXPECT_EQ(server.start("n,a=admin,n=user,r=abc").error, ScramError::InvalidAuthzid);
}

TEST(ScramSha256, DefaultNonceIsRandomPrintableAndLongEnough) {
    const std::string a = ScramServer::random_nonce();
    const std::string b = ScramServer::random_nonce();
    EXPECT_EQ(a.size(), 24u);  // 18 random bytes
    EXPECT_NE(a, b);
    EXPECT_EQ(a.find(','), std::string::npos);

    ScramServer server(users({{"user", rfc_credentials()}}));
    const auto first = server.start(kClientFirst);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first.message.rfind("r=rOprNGfwEbeRWgbNEkqO", 0), 0u);
    EXPECT_EQ(first.message.find(",s="), std::string("r=rOprNGfwEbeRWgbNEkqO").size() + 24);
}

}  // namespace
}  // namespace akasa::auth
