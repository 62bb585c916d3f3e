// SASLprep (RFC 4013) and its use in SCRAM-SHA-256 (RFC 5802 sections 2.2, 5.1).
#include "auth/saslprep.h"

#include <gtest/gtest.h>

#include <map>

#include "auth/scram_sha256.h"
#include "text/base64.h"

namespace akasa::auth {
namespace {

std::optional<std::string> query(std::string_view text, std::string* error = nullptr) {
    return saslprep(text, SaslprepMode::Query, error);
}
std::optional<std::string> stored(std::string_view text) {
    return saslprep(text, SaslprepMode::Stored);
}

// RFC 4013 section 3, the examples table, in order.
TEST(Saslprep, Rfc4013Section3Examples) {
    EXPECT_EQ(query("I\u00ADX"), "IX");  // SOFT HYPHEN mapped to nothing
    EXPECT_EQ(query("user"), "user");    // no transformation
    EXPECT_EQ(query("USER"), "USER");    // case preserved, will not match #2
    EXPECT_EQ(query("\u00AA"), "a");     // output is NFKC, input in ISO 8859-1
    EXPECT_EQ(query("\u2168"), "IX");    // output is NFKC, will match #1
    std::string error;
    EXPECT_EQ(query("\u0007", &error), std::nullopt);  // prohibited character
    EXPECT_NE(error.find("Prohibited"), std::string::npos) << error;
    error.clear();
    EXPECT_EQ(query("\u0627\u0031", &error), std::nullopt);  // bidirectional check
    EXPECT_NE(error.find("bidirectional"), std::string::npos) << error;
}

TEST(Saslprep, NonAsciiSpaceMapsToSpaceAndStoredPasswordsKeepThem) {
    EXPECT_EQ(stored("pass\u00A0word"), "pass word");  // RFC 4013 2.1: non-ASCII space
    EXPECT_EQ(stored("pass word"), "pass word");
}

TEST(Saslprep, UnassignedCodePointsAllowedOnlyInQueries) {
    // U+0221 was unassigned in Unicode 3.2, stringprep's version (RFC 3454 table A.1).
    EXPECT_EQ(query("d\u0221"), "d\u0221");
    EXPECT_EQ(stored("d\u0221"), std::nullopt);
}

TEST(Saslprep, MalformedInputIsAnErrorNotACrash) {
    EXPECT_EQ(query(std::string_view("a\0b", 3)), std::nullopt);  // NUL
    EXPECT_EQ(query("\xC3"), std::nullopt);                       // truncated sequence
    EXPECT_EQ(query("\xC0\xAF"), std::nullopt);                   // overlong '/'
    EXPECT_EQ(query("\xED\xA0\x80"), std::nullopt);               // surrogate
    EXPECT_EQ(query(""), std::nullopt);                           // empty
    EXPECT_EQ(query("\u00AD"), std::nullopt);                     // maps to nothing: empty result
}

TEST(Saslprep, ConfiguredNamesFoundAfterPreparation) {
    const std::map<std::string, int> users{{"alice", 1}, {"\u2168", 2}, {"I\u00ADX2", 3}};
    EXPECT_EQ(find_prepared_user(users, "alice")->second, 1);
    EXPECT_EQ(find_prepared_user(users, "IX")->second, 2);
    EXPECT_EQ(find_prepared_user(users, "IX2")->second, 3);
    EXPECT_EQ(find_prepared_user(users, "bob"), users.end());
}

// RFC 5802 section 2.2: Hi(Normalize(password), ...): equivalent passwords hash the same.
TEST(ScramSaslprep, SaltedPasswordIsOfThePreparedPassword) {
    const Bytes salt = *text::base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    EXPECT_EQ(scram_salted_password("pencil", salt, 4096),
              pbkdf2_hmac(Digest::Sha256, as_bytes("pencil"), salt, 4096, 32));
    EXPECT_EQ(scram_salted_password("I\u00ADX", salt, 4096),
              scram_salted_password("\u2168", salt, 4096));
    std::string error;
    EXPECT_EQ(scram_salted_password("bell\u0007", salt, 4096, &error), std::nullopt);
    EXPECT_FALSE(error.empty());
}

ScramServer::CredentialLookup one_user(std::string name, ScramCredentials credentials) {
    return [name = std::move(name),
            credentials](std::string_view n) -> std::optional<ScramCredentials> {
        if (n != name) return std::nullopt;
        return credentials;
    };
}

// The username the client sends is prepared before the lookup (RFC 5802 5.1), so
// "I<SOFT HYPHEN>X" reaches user "IX".
TEST(ScramSaslprep, UsernameIsPreparedBeforeLookup) {
    const Bytes salt = *text::base64_decode("c2FsdHNhbHQ=");
    const Bytes salted = *scram_salted_password("pw", salt, 4096);
    ScramServer server(one_user("IX", ScramCredentials::from_salted_password(salted, salt, 4096)),
                       [] { return "SRV"; });
    const std::string bare = "n=I\u00ADX,r=cli";
    const auto first = server.start("n,," + bare);
    ASSERT_TRUE(first.ok()) << first.message;
    EXPECT_EQ(server.username(), "IX");
    // The same salt as configured: the user was found.
    EXPECT_NE(first.message.find(",s=c2FsdHNhbHQ=,"), std::string::npos) << first.message;
}

TEST(ScramSaslprep, ProhibitedUsernameFailsCleanly) {
    const Bytes salt = *text::base64_decode("c2FsdHNhbHQ=");
    for (const std::string name : {"bell\u0007", "\u0627\u0031", "\u00AD"}) {
        ScramServer server(one_user("x", {{}, {}, salt, 4096}), [] { return "SRV"; });
        const auto first = server.start("n,,n=" + name + ",r=cli");
        EXPECT_EQ(first.error, ScramError::InvalidUsername) << first.message;
        EXPECT_NE(first.message.find("SASLprep"), std::string::npos) << first.message;
        EXPECT_EQ(server.finish("c=biws,r=cliSRV,p=AAAA").error, ScramError::WrongState);
    }
    ScramServer authz(one_user("x", {{}, {}, salt, 4096}), [] { return "SRV"; });
    EXPECT_EQ(authz.start("n,a=x\u0007,n=x,r=cli").error, ScramError::InvalidUsername);
}

}  // namespace
}  // namespace akasa::auth
