// MQTT 5 enhanced authentication with SCRAM-SHA-256 (spec 4.12, RFC 5802 / RFC 7677)
// against the real server: the client side of SCRAM is computed here (PBKDF2, HMAC,
// SHA-256 through OpenSSL), the server's `scram_users` entry from the same password.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "auth/crypto.h"
#include "support/fixture.h"
#include "text/base64.h"

namespace akasa::testing {
namespace {

using auth::Digest;
using mqtt::ProtocolVersion;
using mqtt::QoS;
using mqtt::ReasonCode;

constexpr const char* kMethod = "SCRAM-SHA-256";
const std::string kSalt = "akasa-test-salt";
constexpr std::uint32_t kIterations = 4096;

std::string hex(const auth::Bytes& bytes) {
    std::string out;
    for (auto b : bytes)
        out += fmt::format("{:02x}", b);
    return out;
}

// The `scram_users` YAML for users -> passwords.
std::string scram_users_yaml(const std::vector<std::pair<std::string, std::string>>& users) {
    std::string yaml = "scram_users:\n";
    for (const auto& [name, password] : users) {
        const auto salted = auth::pbkdf2_hmac(Digest::Sha256, auth::as_bytes(password),
                                              auth::as_bytes(kSalt), kIterations, 32);
        yaml +=
            fmt::format("  {}:\n    hashed_password: {}\n    iterations: {}\n    salt: {}\n", name,
                        hex(salted), kIterations, hex(auth::Bytes(kSalt.begin(), kSalt.end())));
    }
    return yaml;
}

// The client side of one SCRAM-SHA-256 exchange (no channel binding).
class ScramClient {
  public:
    ScramClient(std::string user, std::string password, std::string nonce = "cl1ent-n0nce")
        : user_(std::move(user)), password_(std::move(password)), nonce_(std::move(nonce)) {}

    std::string first() const { return "n,," + bare(); }

    // server-first -> client-final; remembers the server signature to expect.
    std::string final_message(std::string_view server_first) {
        std::string combined, salt_b64;
        std::uint32_t iterations = 0;
        std::size_t start = 0;
        while (start <= server_first.size()) {
            auto end = server_first.find(',', start);
            if (end == std::string_view::npos) end = server_first.size();
            const auto part = server_first.substr(start, end - start);
            if (part.starts_with("r=")) combined = part.substr(2);
            if (part.starts_with("s=")) salt_b64 = part.substr(2);
            if (part.starts_with("i=")) iterations = std::stoul(std::string(part.substr(2)));
            start = end + 1;
        }
        EXPECT_TRUE(combined.starts_with(nonce_)) << "server nonce must extend ours";
        const auto salt = text::base64_decode(salt_b64).value_or(auth::Bytes{});
        const auto salted =
            auth::pbkdf2_hmac(Digest::Sha256, auth::as_bytes(password_), salt, iterations, 32);
        const auto client_key = auth::hmac(Digest::Sha256, salted, auth::as_bytes("Client Key"));
        const auto stored_key = auth::digest_of(Digest::Sha256, client_key);
        const std::string without_proof = "c=biws,r=" + combined;
        const std::string auth_message =
            bare() + "," + std::string(server_first) + "," + without_proof;
        const auto signature = auth::hmac(Digest::Sha256, stored_key, auth::as_bytes(auth_message));
        auth::Bytes proof = client_key;
        for (std::size_t i = 0; i < proof.size(); ++i)
            proof[i] ^= signature[i];
        const auto server_key = auth::hmac(Digest::Sha256, salted, auth::as_bytes("Server Key"));
        expected_server_final_ =
            "v=" + text::base64_encode(
                       auth::hmac(Digest::Sha256, server_key, auth::as_bytes(auth_message)),
                       text::Base64Padding::Include);
        return without_proof + ",p=" + text::base64_encode(proof, text::Base64Padding::Include);
    }
    const std::string& expected_server_final() const { return expected_server_final_; }

  private:
    std::string bare() const { return "n=" + user_ + ",r=" + nonce_; }

    std::string user_, password_, nonce_;
    std::string expected_server_final_;
};

mqtt::Auth auth_packet(ReasonCode reason, std::string_view method, std::string_view data) {
    mqtt::Auth auth{reason, {}};
    auth.properties.authentication_method = method;
    auth.properties.authentication_data = data;
    return auth;
}

void send_connect(TestClient& client, std::string_view client_id, std::string_view method,
                  std::optional<std::string_view> data) {
    mqtt::Connect connect;
    connect.version = ProtocolVersion::V5;
    connect.client_id = client_id;
    connect.keep_alive = 60;
    connect.properties.authentication_method = method;
    connect.properties.authentication_data = data;
    client.send(connect);
}

// The whole initial exchange; returns the CONNACK.
mqtt::Connack scram_connect(TestClient& client, std::string_view client_id, ScramClient& scram) {
    const std::string first = scram.first();
    send_connect(client, client_id, kMethod, first);
    auto challenge = client.expect<mqtt::Auth>();
    // [MQTT-4.12.0-2]: 0x18; [MQTT-4.12.0-5]: the method of CONNECT.
    EXPECT_EQ(challenge.reason_code, ReasonCode::ContinueAuthentication);
    EXPECT_EQ(challenge.properties.authentication_method, std::optional<std::string_view>(kMethod));
    const std::string server_first(challenge.properties.authentication_data.value_or(""));
    const std::string final_message = scram.final_message(server_first);
    client.send(auth_packet(ReasonCode::ContinueAuthentication, kMethod, final_message));
    return client.expect<mqtt::Connack>();
}

class ScramAuthTest : public ServerTest {
  protected:
    void configure(ServerProcess& s) override {
        s.add_config(scram_users_yaml({{"alice", "wonderland"}, {"bob", "builder"}}));
    }
};

TEST_F(ScramAuthTest, ExchangeSucceedsAndServerProvesItself_MQTT_4_12_0_2_MQTT_4_12_0_5) {
    TestClient client(port(), ProtocolVersion::V5);
    ScramClient scram("alice", "wonderland");
    const auto connack = scram_connect(client, "scram-ok", scram);
    ASSERT_EQ(connack.reason_code, 0);
    EXPECT_EQ(connack.properties.authentication_method, std::optional<std::string_view>(kMethod));
    // RFC 5802: the server-final message carries the server signature the client expects.
    EXPECT_EQ(std::string(connack.properties.authentication_data.value_or("")),
              scram.expected_server_final());
    // An authenticated session works like any other.
    client.subscribe("scram/t", QoS::AtLeastOnce);
    TestClient publisher(port(), ProtocolVersion::V5);
    ScramClient bob("bob", "builder");
    ASSERT_EQ(scram_connect(publisher, "scram-pub", bob).reason_code, 0);
    publisher.publish("scram/t", "hello", QoS::AtLeastOnce);
    EXPECT_EQ(client.receive_publish().payload, "hello");
    EXPECT_TRUE(server.wait_for_log("authenticated as alice"));
}

TEST_F(ScramAuthTest, WrongPasswordGetsBadUserNameOrPassword_MQTT_4_12_0_4) {
    TestClient client(port(), ProtocolVersion::V5);
    ScramClient scram("alice", "not-her-password");
    const auto connack = scram_connect(client, "scram-bad", scram);
    EXPECT_EQ(connack.reason_code, static_cast<std::uint8_t>(ReasonCode::BadUserNameOrPassword));
    EXPECT_FALSE(connack.properties.authentication_data.has_value());
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ScramAuthTest, UnknownUserLooksLikeAWrongPassword) {
    // The exchange runs to the end with a made-up salt: the answer does not reveal users.
    TestClient client(port(), ProtocolVersion::V5);
    ScramClient scram("mallory", "guess");
    const auto connack = scram_connect(client, "scram-unknown", scram);
    EXPECT_EQ(connack.reason_code, static_cast<std::uint8_t>(ReasonCode::BadUserNameOrPassword));
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ScramAuthTest, MalformedClientFirstIsNotAuthorized_MQTT_4_12_0_4) {
    TestClient client(port(), ProtocolVersion::V5);
    send_connect(client, "scram-garbage", kMethod, "this is not SCRAM");
    const auto connack = client.expect<mqtt::Connack>();
    EXPECT_EQ(connack.reason_code, static_cast<std::uint8_t>(ReasonCode::NotAuthorized));
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ScramAuthTest, UnknownMethodGetsBadAuthenticationMethod_MQTT_4_12_0_1) {
    TestClient client(port(), ProtocolVersion::V5);
    send_connect(client, "scram-method", "GS2-KRB5", std::nullopt);
    const auto connack = client.expect<mqtt::Connack>();
    EXPECT_EQ(connack.reason_code, static_cast<std::uint8_t>(ReasonCode::BadAuthenticationMethod));
    // A reason string tells a person why (allowed on CONNACK).
    EXPECT_TRUE(connack.properties.reason_string.has_value());
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ScramAuthTest, OtherPacketBeforeConnackIsProtocolError_MQTT_3_1_2_30) {
    TestClient client(port(), ProtocolVersion::V5);
    ScramClient scram("alice", "wonderland");
    send_connect(client, "scram-early", kMethod, scram.first());
    client.expect<mqtt::Auth>();
    client.send(mqtt::Pingreq{});
    const auto connack = client.expect<mqtt::Connack>();
    EXPECT_EQ(connack.reason_code, static_cast<std::uint8_t>(ReasonCode::ProtocolError));
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ScramAuthTest, AuthWithAnotherMethodIsProtocolError_MQTT_4_12_0_5) {
    TestClient client(port(), ProtocolVersion::V5);
    ScramClient scram("alice", "wonderland");
    send_connect(client, "scram-switch", kMethod, scram.first());
    client.expect<mqtt::Auth>();
    client.send(auth_packet(ReasonCode::ContinueAuthentication, "PLAIN", "x"));
    const auto connack = client.expect<mqtt::Connack>();
    EXPECT_EQ(connack.reason_code, static_cast<std::uint8_t>(ReasonCode::ProtocolError));
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ScramAuthTest, AuthWithoutMethodInConnectIsProtocolError_MQTT_4_12_0_7) {
    TestClient client(port(), ProtocolVersion::V5);
    client.connect_ok("no-method");
    client.send(auth_packet(ReasonCode::ReAuthenticate, kMethod, "n,,n=alice,r=abc"));
    std::vector<std::unique_ptr<Received>> before;
    ASSERT_TRUE(client.wait_closed(5s, &before));
    ASSERT_EQ(before.size(), 1u);
    ASSERT_NE(before[0]->get<mqtt::Disconnect>(), nullptr);
    EXPECT_EQ(before[0]->get<mqtt::Disconnect>()->reason_code, ReasonCode::ProtocolError);
}

TEST_F(ScramAuthTest, ReAuthenticationSucceeds_MQTT_4_12_1_1) {
    TestClient client(port(), ProtocolVersion::V5);
    ScramClient scram("alice", "wonderland");
    ASSERT_EQ(scram_connect(client, "scram-reauth", scram).reason_code, 0);

    ScramClient again("alice", "wonderland", "another-n0nce");
    client.send(auth_packet(ReasonCode::ReAuthenticate, kMethod, again.first()));
    auto challenge = client.expect<mqtt::Auth>();
    EXPECT_EQ(challenge.reason_code, ReasonCode::ContinueAuthentication);
    const std::string server_first(challenge.properties.authentication_data.value_or(""));
    client.send(auth_packet(ReasonCode::ContinueAuthentication, kMethod,
                            again.final_message(server_first)));
    auto done = client.expect<mqtt::Auth>();
    EXPECT_EQ(done.reason_code, ReasonCode::Success);
    EXPECT_EQ(done.properties.authentication_method, std::optional<std::string_view>(kMethod));
    EXPECT_EQ(std::string(done.properties.authentication_data.value_or("")),
              again.expected_server_final());
    // The connection carries on.
    client.send(mqtt::Pingreq{});
    client.expect<mqtt::Pingresp>();
}

TEST_F(ScramAuthTest, FailedReAuthenticationDisconnects_MQTT_4_12_1_2) {
    TestClient client(port(), ProtocolVersion::V5);
    ScramClient scram("alice", "wonderland");
    ASSERT_EQ(scram_connect(client, "scram-reauth-bad", scram).reason_code, 0);

    ScramClient wrong("alice", "wrong", "n0nce-2");
    client.send(auth_packet(ReasonCode::ReAuthenticate, kMethod, wrong.first()));
    auto challenge = client.expect<mqtt::Auth>();
    const std::string server_first(challenge.properties.authentication_data.value_or(""));
    client.send(auth_packet(ReasonCode::ContinueAuthentication, kMethod,
                            wrong.final_message(server_first)));
    std::vector<std::unique_ptr<Received>> before;
    ASSERT_TRUE(client.wait_closed(5s, &before));
    ASSERT_EQ(before.size(), 1u);
    ASSERT_NE(before[0]->get<mqtt::Disconnect>(), nullptr);
    // DISCONNECT has no 0x86 (spec 3.14.2.1): Not authorized.
    EXPECT_EQ(before[0]->get<mqtt::Disconnect>()->reason_code, ReasonCode::NotAuthorized);
}

TEST_F(ScramAuthTest, ReAuthenticationAsAnotherUserIsNotAuthorized) {
    TestClient client(port(), ProtocolVersion::V5);
    ScramClient scram("alice", "wonderland");
    ASSERT_EQ(scram_connect(client, "scram-switch-user", scram).reason_code, 0);

    ScramClient bob("bob", "builder", "n0nce-3");
    client.send(auth_packet(ReasonCode::ReAuthenticate, kMethod, bob.first()));
    auto challenge = client.expect<mqtt::Auth>();
    const std::string server_first(challenge.properties.authentication_data.value_or(""));
    client.send(
        auth_packet(ReasonCode::ContinueAuthentication, kMethod, bob.final_message(server_first)));
    std::vector<std::unique_ptr<Received>> before;
    ASSERT_TRUE(client.wait_closed(5s, &before));
    ASSERT_EQ(before.size(), 1u);
    ASSERT_NE(before[0]->get<mqtt::Disconnect>(), nullptr);
    EXPECT_EQ(before[0]->get<mqtt::Disconnect>()->reason_code, ReasonCode::NotAuthorized);
}

// With password authentication on, a SCRAM client needs no user name and password.
class ScramWithPasswordFileTest : public ScramAuthTest {
  protected:
    void configure(ServerProcess& s) override {
        ScramAuthTest::configure(s);
        s.add_user("carol", "password-file-user");
    }
};

TEST_F(ScramWithPasswordFileTest, ScramReplacesThePasswordCheck) {
    TestClient scram_client(port(), ProtocolVersion::V5);
    ScramClient scram("bob", "builder");
    EXPECT_EQ(scram_connect(scram_client, "scram-bob", scram).reason_code, 0);
    TestClient plain(port(), ProtocolVersion::V5);
    EXPECT_EQ(plain.connect("plain-no-password").reason_code,
              static_cast<std::uint8_t>(ReasonCode::NotAuthorized));
}

class NoSaslMechanismsTest : public ScramAuthTest {
  protected:
    void configure(ServerProcess& s) override {
        ScramAuthTest::configure(s);
        s.add_config("sasl_mechanisms: []");
    }
};

TEST_F(NoSaslMechanismsTest, ScramIsRefusedWhenNotOffered_MQTT_4_12_0_1) {
    TestClient client(port(), ProtocolVersion::V5);
    ScramClient scram("alice", "wonderland");
    send_connect(client, "scram-off", kMethod, scram.first());
    const auto connack = client.expect<mqtt::Connack>();
    EXPECT_EQ(connack.reason_code, static_cast<std::uint8_t>(ReasonCode::BadAuthenticationMethod));
    EXPECT_TRUE(client.wait_closed());
}

}  // namespace
}  // namespace akasa::testing
