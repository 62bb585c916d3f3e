// TLS contexts from listener config and the memory-BIO server session, against an OpenSSL
// client in the same process. Certificates are made at test time with the openssl command:
// a CA, a server certificate, a client certificate from that CA, and a client certificate
// from another CA.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "net/proxy/proxy_stage.h"
#include "net/tls/tls_context.h"
#include "net/tls/tls_session.h"
#include "net/websocket/websocket_session.h"

namespace akasa::net::tls {
namespace {

namespace fs = std::filesystem;

std::string dir;  // the temp dir holding this run's certificates

std::string path(const std::string& name) {
    return dir + "/" + name;
}

void run(const std::string& command) {
    std::string full = "cd " + dir + " && " + command + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(full.c_str()), 0) << full;
}

// An EC key and a certificate for `cn` signed by `ca` (or self-signed when ca is empty).
void make_cert(const std::string& name, const std::string& cn, const std::string& ca) {
    std::string key_opts = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    if (ca.empty()) {
        run("openssl req -x509 " + key_opts + " -keyout " + name + ".key -out " + name +
            ".crt -days 2 -subj '/CN=" + cn + "'");
        return;
    }
    run("openssl req " + key_opts + " -keyout " + name + ".key -out " + name +
        ".csr -subj '/O=Acme/CN=" + cn + "'");
    run("openssl x509 -req -in " + name + ".csr -CA " + ca + ".crt -CAkey " + ca +
        ".key -CAcreateserial -days 2 -out " + name + ".crt");
}

class TlsTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        char tmpl[] = "/tmp/akasa-tls-test-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
        make_cert("ca", "Akasa Test CA", "");
        make_cert("server", "localhost", "ca");
        make_cert("client", "device-1", "ca");
        make_cert("other_ca", "Other CA", "");
        make_cert("stranger", "stranger", "other_ca");
    }
    static void TearDownTestSuite() { fs::remove_all(dir); }

    static config::TlsListener listener(bool verify_peer = false, bool fail_if_no_cert = false) {
        config::TlsListener l;
        l.cert_file = path("server.crt");
        l.key_file = path("server.key");
        if (verify_peer) l.ca_file = path("ca.crt");
        l.verify_peer = verify_peer;
        l.fail_if_no_peer_cert = fail_if_no_cert;
        return l;
    }
};

// An OpenSSL client over memory BIOs that trusts our CA, optionally with a certificate.
struct Client {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL* ssl = nullptr;
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());

    explicit Client(const std::string& cert_name = "", int max_version = 0) {
        SSL_CTX_load_verify_locations(ctx, path("ca.crt").c_str(), nullptr);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
        if (max_version) SSL_CTX_set_max_proto_version(ctx, max_version);
        if (!cert_name.empty()) {
            SSL_CTX_use_certificate_file(ctx, path(cert_name + ".crt").c_str(), SSL_FILETYPE_PEM);
            SSL_CTX_use_PrivateKey_file(ctx, path(cert_name + ".key").c_str(), SSL_FILETYPE_PEM);
        }
        ssl = SSL_new(ctx);
        BIO_set_mem_eof_return(in, -1);
        BIO_set_mem_eof_return(out, -1);
        SSL_set_bio(ssl, in, out);
        SSL_set_connect_state(ssl);
        SSL_set_tlsext_host_name(ssl, "localhost");
        SSL_set1_host(ssl, "localhost");
    }
    ~Client() {
        SSL_free(ssl);
        SSL_CTX_free(ctx);
    }

    ByteBuffer take_output() {
        ByteBuffer b;
        std::size_t n = BIO_ctrl_pending(out);
        BIO_read(out, b.prepare(n), static_cast<int>(n));
        b.commit(n);
        return b;
    }
    void give(const ByteBuffer& b) {
        if (!b.empty()) BIO_write(in, b.data(), static_cast<int>(b.size()));
    }
    std::string read_all() {
        std::string text;
        char buffer[4096];
        int n;
        while ((n = SSL_read(ssl, buffer, sizeof buffer)) > 0)
            text.append(buffer, n);
        return text;
    }
};

struct Outcome {
    bool client_done = false;
    TlsResult server;
};

// Moves bytes both ways until both sides are done and quiet, or the server fails.
Outcome handshake(Client& client, TlsSession& server, ByteBuffer& plaintext) {
    Outcome o;
    for (int round = 0; round < 20; ++round) {
        o.client_done = SSL_do_handshake(client.ssl) == 1;
        ByteBuffer to_server = client.take_output();
        ByteBuffer to_client;
        o.server = server.feed({to_server.data(), to_server.size()}, plaintext, to_client);
        client.give(to_client);
        if (o.server.status != TlsStatus::Ok) break;
        bool quiet = to_server.empty() && to_client.empty();
        if (quiet && o.client_done && server.handshake_done()) break;
    }
    ERR_clear_error();
    return o;
}

TEST_F(TlsTest, HandshakeAndDataBothWays) {
    auto ctx = make_server_context(listener());
    TlsSession server(ctx);
    Client client;
    ByteBuffer plaintext;
    Outcome o = handshake(client, server, plaintext);
    ASSERT_EQ(o.server.status, TlsStatus::Ok) << o.server.error;
    ASSERT_TRUE(o.client_done);
    ASSERT_TRUE(server.handshake_done());
    EXPECT_EQ(server.protocol_version(), "TLSv1.3");
    EXPECT_FALSE(server.cipher().empty());
    EXPECT_FALSE(server.peer_subject());  // not asked for

    // Client -> server: MQTT bytes come out as plaintext, whatever the split.
    std::string connect = "\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00";
    ASSERT_GT(SSL_write(client.ssl, connect.data(), static_cast<int>(connect.size())), 0);
    ByteBuffer records = client.take_output();
    ByteBuffer ignored;
    for (std::size_t i = 0; i < records.size(); ++i) {
        auto r = server.feed({records.data() + i, 1}, plaintext, ignored);
        ASSERT_EQ(r.status, TlsStatus::Ok) << r.error;
    }
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(plaintext.data()), plaintext.size()),
              connect);

    // Server -> client.
    ByteBuffer to_client;
    std::string connack = "\x20\x02\x00\x00";
    ASSERT_EQ(server
                  .write({reinterpret_cast<const std::uint8_t*>(connack.data()), connack.size()},
                         to_client)
                  .status,
              TlsStatus::Ok);
    client.give(ignored);
    client.give(to_client);
    EXPECT_EQ(client.read_all(), connack);
}

// The client role (the load tool's --tls) against our server role: handshake and data.
TEST_F(TlsTest, ClientRoleTalksToServerRole) {
    auto server_ctx = make_server_context(listener());
    SslContextPtr client_ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
    ASSERT_EQ(SSL_CTX_load_verify_locations(client_ctx.get(), path("ca.crt").c_str(), nullptr), 1);
    SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_PEER, nullptr);
    TlsSession server(server_ctx);
    TlsSession client(client_ctx, TlsRole::Client, "localhost");
    const std::string connect = "\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00";
    ByteBuffer to_server, to_client, server_plain, client_plain;
    // Written before the handshake: kept and sent once it completes.
    ASSERT_EQ(client
                  .write({reinterpret_cast<const std::uint8_t*>(connect.data()), connect.size()},
                         to_server)
                  .status,
              TlsStatus::Ok);
    ASSERT_EQ(client.feed({}, client_plain, to_server).status, TlsStatus::Ok);  // ClientHello
    for (int round = 0; round < 10 && !(to_server.empty() && to_client.empty()); ++round) {
        ByteBuffer next_to_client, next_to_server;
        auto s = server.feed(to_server.readable(), server_plain, next_to_client);
        ASSERT_EQ(s.status, TlsStatus::Ok) << s.error;
        auto c = client.feed(to_client.readable(), client_plain, next_to_server);
        ASSERT_EQ(c.status, TlsStatus::Ok) << c.error;
        to_server.clear();
        to_client.clear();
        to_server.append(next_to_server.readable());
        to_client.append(next_to_client.readable());
    }
    EXPECT_TRUE(client.handshake_done());
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(server_plain.data()), server_plain.size()),
              connect);
}

TEST_F(TlsTest, ClientRoleRefusesACertificateFromAnotherCa) {
    auto server_ctx = make_server_context(listener());
    SslContextPtr client_ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
    ASSERT_EQ(
        SSL_CTX_load_verify_locations(client_ctx.get(), path("other_ca.crt").c_str(), nullptr), 1);
    SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_PEER, nullptr);
    TlsSession server(server_ctx);
    TlsSession client(client_ctx, TlsRole::Client, "localhost");
    ByteBuffer to_server, to_client, plain;
    client.feed({}, plain, to_server);
    TlsResult c;
    for (int round = 0; round < 10 && c.status == TlsStatus::Ok; ++round) {
        to_client.clear();
        server.feed(to_server.readable(), plain, to_client);
        to_server.clear();
        c = client.feed(to_client.readable(), plain, to_server);
    }
    EXPECT_EQ(c.status, TlsStatus::Failed);
    EXPECT_NE(c.error.find("certificate verify failed"), std::string::npos) << c.error;
}

TEST_F(TlsTest, Tls12Works) {
    auto ctx = make_server_context(listener());
    TlsSession server(ctx);
    Client client("", TLS1_2_VERSION);
    ByteBuffer plaintext;
    Outcome o = handshake(client, server, plaintext);
    ASSERT_EQ(o.server.status, TlsStatus::Ok) << o.server.error;
    EXPECT_TRUE(server.handshake_done());
    EXPECT_EQ(server.protocol_version(), "TLSv1.2");
}

TEST_F(TlsTest, BelowTls12IsRefused) {
    auto ctx = make_server_context(listener());
    EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx.get()), TLS1_2_VERSION);
    TlsSession server(ctx);
    Client client("", TLS1_1_VERSION);
    SSL_set_security_level(client.ssl, 0);  // let the client offer TLS 1.1 at all
    SSL_set_min_proto_version(client.ssl, TLS1_VERSION);
    ByteBuffer plaintext;
    Outcome o = handshake(client, server, plaintext);
    EXPECT_FALSE(server.handshake_done());
    EXPECT_EQ(o.server.status, TlsStatus::Failed);
}

TEST_F(TlsTest, DataWrittenBeforeTheHandshakeIsSentAfterIt) {
    auto ctx = make_server_context(listener());
    TlsSession server(ctx);
    ByteBuffer early;
    std::string hello = "early";
    server.write({reinterpret_cast<const std::uint8_t*>(hello.data()), hello.size()}, early);
    EXPECT_TRUE(early.empty());
    Client client;
    ByteBuffer plaintext;
    Outcome o = handshake(client, server, plaintext);
    ASSERT_EQ(o.server.status, TlsStatus::Ok) << o.server.error;
    EXPECT_EQ(client.read_all(), "early");
}

TEST_F(TlsTest, ClientCertificateIsVerifiedAndItsSubjectAvailable) {
    auto ctx = make_server_context(listener(true, true));
    TlsSession server(ctx);
    Client client("client");
    ByteBuffer plaintext;
    Outcome o = handshake(client, server, plaintext);
    ASSERT_EQ(o.server.status, TlsStatus::Ok) << o.server.error;
    ASSERT_TRUE(server.handshake_done());
    EXPECT_EQ(server.peer_subject(), "CN=device-1,O=Acme");
    EXPECT_EQ(server.peer_common_name(), "device-1");
}

TEST_F(TlsTest, RequiredClientCertificateMissingFails) {
    auto ctx = make_server_context(listener(true, true));
    TlsSession server(ctx);
    Client client;
    ByteBuffer plaintext;
    Outcome o = handshake(client, server, plaintext);
    EXPECT_EQ(o.server.status, TlsStatus::Failed);
    EXPECT_NE(o.server.error.find("certificate"), std::string::npos) << o.server.error;
    EXPECT_FALSE(server.handshake_done());
}

TEST_F(TlsTest, OptionalClientCertificateMayBeAbsent) {
    auto ctx = make_server_context(listener(true, false));
    TlsSession server(ctx);
    Client client;
    ByteBuffer plaintext;
    Outcome o = handshake(client, server, plaintext);
    ASSERT_EQ(o.server.status, TlsStatus::Ok) << o.server.error;
    EXPECT_TRUE(server.handshake_done());
    EXPECT_FALSE(server.peer_subject());
}

TEST_F(TlsTest, ClientCertificateFromAnotherCaFails) {
    for (bool required : {true, false}) {
        auto ctx = make_server_context(listener(true, required));
        TlsSession server(ctx);
        Client client("stranger");
        ByteBuffer plaintext;
        Outcome o = handshake(client, server, plaintext);
        EXPECT_EQ(o.server.status, TlsStatus::Failed) << "required=" << required;
        EXPECT_NE(o.server.error.find("certificate"), std::string::npos) << o.server.error;
        EXPECT_FALSE(server.handshake_done());
    }
}

TEST_F(TlsTest, GarbageIsAFailureNotACrash) {
    auto ctx = make_server_context(listener());
    TlsSession server(ctx);
    ByteBuffer plaintext, out;
    std::string junk = "GET / HTTP/1.1\r\n\r\n";
    auto r = server.feed({reinterpret_cast<const std::uint8_t*>(junk.data()), junk.size()},
                         plaintext, out);
    EXPECT_EQ(r.status, TlsStatus::Failed);
    EXPECT_FALSE(r.error.empty());
    // Later input is ignored.
    EXPECT_EQ(server.feed({}, plaintext, out).status, TlsStatus::Failed);
}

TEST_F(TlsTest, CloseNotifyIsAnswered) {
    auto ctx = make_server_context(listener());
    TlsSession server(ctx);
    Client client;
    ByteBuffer plaintext;
    ASSERT_EQ(handshake(client, server, plaintext).server.status, TlsStatus::Ok);
    SSL_shutdown(client.ssl);
    ByteBuffer notify = client.take_output();
    ByteBuffer out;
    auto r = server.feed({notify.data(), notify.size()}, plaintext, out);
    EXPECT_EQ(r.status, TlsStatus::Closed);
    EXPECT_FALSE(out.empty());  // our close_notify
}

TEST_F(TlsTest, MismatchedKeyIsAClearError) {
    config::TlsListener l = listener();
    l.key_file = path("client.key");
    try {
        make_server_context(l);
        FAIL() << "expected TlsConfigError";
    } catch (const TlsConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("does not match the certificate"), std::string::npos)
            << e.what();
    }
}

TEST_F(TlsTest, UnreadableKeyIsAClearError) {
    config::TlsListener l = listener();
    l.key_file = path("missing.key");
    try {
        make_server_context(l);
        FAIL() << "expected TlsConfigError";
    } catch (const TlsConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("cannot load the private key from " + l.key_file),
                  std::string::npos)
            << e.what();
    }
}

TEST_F(TlsTest, EncryptedKeyFailsInsteadOfPrompting) {
    run("openssl pkey -in server.key -aes256 -passout pass:secret -out encrypted.key");
    config::TlsListener l = listener();
    l.key_file = path("encrypted.key");
    EXPECT_THROW(make_server_context(l), TlsConfigError);
}

TEST_F(TlsTest, BadCertificateAndCaFiles) {
    std::ofstream(path("junk.pem")) << "not a certificate\n";
    config::TlsListener l = listener();
    l.cert_file = path("junk.pem");
    EXPECT_THROW(make_server_context(l), TlsConfigError);
    config::TlsListener ca = listener(true);
    ca.ca_file = path("junk.pem");
    EXPECT_THROW(make_server_context(ca), TlsConfigError);
}

TEST_F(TlsTest, ReloadSwapsTheContextAndKeepsLiveSessions) {
    TlsContextHolder holder(listener());
    SslContextPtr before = holder.current();
    TlsSession live(before);
    Client client;
    ByteBuffer plaintext;
    ASSERT_EQ(handshake(client, live, plaintext).server.status, TlsStatus::Ok);

    EXPECT_EQ(holder.reload(), std::nullopt);
    EXPECT_NE(holder.current(), before);
    before.reset();  // only the live session holds the old context now

    ByteBuffer out;
    std::string data = "still here";
    ASSERT_EQ(
        live.write({reinterpret_cast<const std::uint8_t*>(data.data()), data.size()}, out).status,
        TlsStatus::Ok);
    client.give(out);
    EXPECT_EQ(client.read_all(), data);
}

TEST_F(TlsTest, FailedReloadKeepsTheOldContext) {
    fs::copy_file(path("server.key"), path("reload.key"), fs::copy_options::overwrite_existing);
    config::TlsListener l = listener();
    l.key_file = path("reload.key");
    TlsContextHolder holder(l);
    SslContextPtr before = holder.current();
    fs::copy_file(path("client.key"), path("reload.key"), fs::copy_options::overwrite_existing);
    auto error = holder.reload();
    ASSERT_TRUE(error);
    EXPECT_NE(error->find("does not match"), std::string::npos) << *error;
    EXPECT_EQ(holder.current(), before);
}

}  // namespace
}  // namespace akasa::net::tls

namespace akasa::net::tls {
namespace {

TEST_F(TlsTest, RenegotiationIsRefused) {
    auto ctx = make_server_context(listener());
    // OpenSSL 3 servers already refuse client renegotiation unless
    // SSL_OP_ALLOW_CLIENT_RENEGOTIATION is set, so the handshake below passes either way;
    // the option we set (which also stops server-initiated renegotiation) is checked here.
    EXPECT_TRUE(SSL_CTX_get_options(ctx.get()) & SSL_OP_NO_RENEGOTIATION);
    EXPECT_FALSE(SSL_CTX_get_options(ctx.get()) & SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
    TlsSession server(ctx);
    Client client("", TLS1_2_VERSION);
    ByteBuffer plaintext;
    ASSERT_EQ(handshake(client, server, plaintext).server.status, TlsStatus::Ok);
    ASSERT_EQ(SSL_renegotiate(client.ssl), 1);
    SSL_do_handshake(client.ssl);  // sends a new ClientHello
    ByteBuffer hello = client.take_output();
    ASSERT_FALSE(hello.empty());
    ByteBuffer reply;
    TlsResult r = server.feed({hello.data(), hello.size()}, plaintext, reply);
    // The server answers with a no_renegotiation alert instead of a ServerHello and keeps
    // the connection; the client's renegotiation fails.
    EXPECT_EQ(r.status, TlsStatus::Ok) << r.error;
    ASSERT_FALSE(reply.empty());
    client.give(reply);
    int rc = SSL_do_handshake(client.ssl);
    int error = SSL_get_error(client.ssl, rc);
    EXPECT_NE(rc, 1);
    EXPECT_NE(error, SSL_ERROR_WANT_READ);
    EXPECT_NE(error, SSL_ERROR_NONE);
    ERR_clear_error();
}

}  // namespace
}  // namespace akasa::net::tls

namespace akasa::net::tls {
namespace {

// The wss + proxy: true stack as the engine will chain it: socket bytes -> ProxyStage ->
// TlsSession -> WebSocketSession -> MQTT bytes, and back down.
struct WssStack {
    proxy::ProxyStage proxy;
    TlsSession tls;
    websocket::WebSocketSession ws;
    ByteBuffer mqtt_in;
    ByteBuffer to_socket;
    std::string error;

    explicit WssStack(SslContextPtr ctx) : tls(std::move(ctx)) {}

    bool on_socket_bytes(std::span<const std::uint8_t> raw) {
        ByteBuffer after_proxy, plaintext, ws_output;
        if (proxy.feed(raw, after_proxy) == proxy::StageStatus::Failed) return fail(proxy.error());
        TlsResult t = tls.feed({after_proxy.data(), after_proxy.size()}, plaintext, to_socket);
        if (t.status != TlsStatus::Ok) return fail(t.error);
        auto w = ws.feed({plaintext.data(), plaintext.size()}, mqtt_in, ws_output);
        tls.write({ws_output.data(), ws_output.size()}, to_socket);
        if (w.status != websocket::FeedStatus::Open) return fail(w.error);
        return true;
    }
    void send_mqtt(std::span<const std::uint8_t> mqtt) {
        ByteBuffer frames;
        ws.write(mqtt, frames);
        tls.write({frames.data(), frames.size()}, to_socket);
    }
    bool fail(const std::string& e) {
        error = e;
        return false;
    }
};

TEST_F(TlsTest, ProxyThenTlsThenWebSocketCarryMqtt) {
    WssStack server(make_server_context(listener(true, true)));
    Client client("client");

    // The proxy's header, then the TLS handshake.
    std::string header = "PROXY TCP4 203.0.113.9 192.0.2.1 40000 8884\r\n";
    SSL_do_handshake(client.ssl);
    ByteBuffer first;
    first.append(header.data(), header.size());
    ByteBuffer hello = client.take_output();
    first.append(hello.data(), hello.size());
    ASSERT_TRUE(server.on_socket_bytes({first.data(), first.size()})) << server.error;
    for (int round = 0; round < 10 && !server.tls.handshake_done(); ++round) {
        client.give(server.to_socket);
        server.to_socket.clear();
        SSL_do_handshake(client.ssl);
        ByteBuffer more = client.take_output();
        ASSERT_TRUE(server.on_socket_bytes({more.data(), more.size()})) << server.error;
    }
    ASSERT_TRUE(server.tls.handshake_done());
    EXPECT_EQ(server.proxy.header()->source->to_string(), "203.0.113.9:40000");
    EXPECT_EQ(server.tls.peer_common_name(), "device-1");

    // Upgrade and one masked frame with a CONNECT, in one TLS write.
    std::string upgrade =
        "GET /mqtt HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Protocol: mqtt\r\n\r\n";
    std::string connect("\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00", 14);
    std::string frame = {'\x82', static_cast<char>(0x80 | connect.size()), 1, 2, 3, 4};
    for (std::size_t i = 0; i < connect.size(); ++i) {
        frame += static_cast<char>(connect[i] ^ (i % 4 + 1));
    }
    std::string request = upgrade + frame;
    client.give(server.to_socket);
    server.to_socket.clear();
    ASSERT_GT(SSL_write(client.ssl, request.data(), static_cast<int>(request.size())), 0);
    ByteBuffer records = client.take_output();
    ASSERT_TRUE(server.on_socket_bytes({records.data(), records.size()})) << server.error;
    EXPECT_TRUE(server.ws.upgraded());
    EXPECT_EQ(
        std::string(reinterpret_cast<const char*>(server.mqtt_in.data()), server.mqtt_in.size()),
        connect);

    // CONNACK back down: the client reads the 101, then a binary frame with the CONNACK.
    std::string connack("\x20\x02\x00\x00", 4);
    server.send_mqtt({reinterpret_cast<const std::uint8_t*>(connack.data()), connack.size()});
    client.give(server.to_socket);
    std::string received = client.read_all();
    std::size_t end_of_head = received.find("\r\n\r\n");
    ASSERT_NE(end_of_head, std::string::npos) << received;
    EXPECT_EQ(received.rfind("HTTP/1.1 101 ", 0), 0u);
    EXPECT_EQ(received.substr(end_of_head + 4), std::string("\x82\x04", 2) + connack);
}

}  // namespace
}  // namespace akasa::net::tls
