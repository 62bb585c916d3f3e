// LayeredTransport over a real socket pair: the test plays the client on the other end
// (raw PROXY headers and WebSocket frames, an OpenSSL client for TLS) and checks what the
// broker side reads and what reaches the wire.
#include "net/layered_transport.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace akasa::net {
namespace {

using Status = IoResult::Status;

const std::string kConnect("\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00", 14);

const std::string kUpgrade =
    "GET /mqtt HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Protocol: mqtt\r\n\r\n";

// A masked client frame (mask 0x01020304) with FIN|opcode `first`.
std::string client_frame(std::uint8_t first, const std::string& payload) {
    std::string f(1, static_cast<char>(first));
    const std::size_t n = payload.size();
    if (n < 126) {
        f += static_cast<char>(0x80 | n);
    } else {
        f += static_cast<char>(0x80 | 126);
        f += static_cast<char>(n >> 8);
        f += static_cast<char>(n & 0xff);
    }
    const char mask[4] = {1, 2, 3, 4};
    f.append(mask, 4);
    for (std::size_t i = 0; i < n; ++i)
        f += static_cast<char>(payload[i] ^ mask[i & 3]);
    return f;
}

// v2 PROXY header, TCP over IPv4, 192.0.2.7:4242 -> 198.51.100.1:1883, plus `tlvs`.
std::string proxy_v2_ipv4(const std::string& tlvs = {}, std::uint8_t command = 0x21) {
    std::string h("\r\n\r\n\0\r\nQUIT\n", 12);
    h += static_cast<char>(command);
    h += '\x11';
    const std::size_t len = 12 + tlvs.size();
    h += static_cast<char>(len >> 8);
    h += static_cast<char>(len & 0xff);
    h += std::string("\xc0\x00\x02\x07\xc6\x33\x64\x01\x10\x92\x07\x5b", 12);
    return h + tlvs;
}

class SocketPair {
  public:
    SocketPair() {
        int fds[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
        server_fd = fds[0];
        client = fds[1];
    }
    ~SocketPair() { ::close(client); }

    void send(const std::string& bytes) const {
        ASSERT_EQ(::send(client, bytes.data(), bytes.size(), 0),
                  static_cast<ssize_t>(bytes.size()));
    }
    // Everything the server side wrote so far.
    std::string received() const {
        std::string out;
        char buf[65536];
        ssize_t n;
        while ((n = ::recv(client, buf, sizeof buf, 0)) > 0)
            out.append(buf, static_cast<std::size_t>(n));
        return out;
    }

    int server_fd = -1;  // owned by the transport under test
    int client = -1;
};

std::unique_ptr<Transport> make(const SocketPair& pair, TransportStack stack) {
    return stack.make(pair.server_fd, "127.0.0.1:5000");
}

TransportStack proxy_stack(bool tls_termination = false) {
    TransportStack stack;
    stack.proxy = true;
    stack.proxy_tls_termination = tls_termination;
    return stack;
}

// Reads until the transport says would_block (or ends); returns the MQTT bytes.
std::string read_all(Transport& t, Status* last = nullptr, std::size_t capacity = 65536) {
    std::string out;
    std::vector<std::uint8_t> buf(capacity);
    for (;;) {
        IoResult r = t.read(buf.data(), buf.size());
        if (r.status != Status::ok) {
            if (last) *last = r.status;
            return out;
        }
        out.append(reinterpret_cast<const char*>(buf.data()), r.bytes);
    }
}

IoResult write(Transport& t, const std::string& bytes) {
    return t.write(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

TEST(TransportStack, NoLayersGivesPlainTcp) {
    SocketPair pair;
    auto t = make(pair, {});
    EXPECT_EQ(dynamic_cast<TcpTransport*>(t.get()) != nullptr, true);
    EXPECT_EQ(t->info().listener, "mqtt");
}

TEST(LayeredTransport, ProxyHeaderGivesThePeerAndPassesTheRest) {
    SocketPair pair;
    auto t = make(pair, proxy_stack());
    EXPECT_EQ(t->peer_address(), "127.0.0.1:5000");
    pair.send(proxy_v2_ipv4() + kConnect);
    Status last{};
    EXPECT_EQ(read_all(*t, &last), kConnect);
    EXPECT_EQ(last, Status::would_block);
    EXPECT_EQ(t->peer_address(), "192.0.2.7:4242");
    ASSERT_TRUE(t->info().proxy.has_value());
    EXPECT_EQ(t->info().proxy->destination->to_string(), "198.51.100.1:1883");
    // After the header, MQTT bytes go straight through both ways.
    EXPECT_EQ(write(*t, std::string("\x20\x02\x00\x00", 4)).status, Status::ok);
    EXPECT_EQ(pair.received(), std::string("\x20\x02\x00\x00", 4));
}

TEST(LayeredTransport, ProxyHeaderSplitOverReads) {
    SocketPair pair;
    auto t = make(pair, proxy_stack());
    const std::string all = "PROXY TCP6 2001:db8::1 ::1 5555 1883\r\n" + kConnect;
    const std::size_t header_size = all.find("\r\n") + 2;
    Status last{};
    for (std::size_t i = 0; i + 1 < header_size; ++i) {
        pair.send(all.substr(i, 1));
        EXPECT_EQ(read_all(*t, &last), "");
        ASSERT_EQ(last, Status::would_block) << i;
    }
    pair.send(all.substr(header_size - 1));
    EXPECT_EQ(read_all(*t), kConnect);
    EXPECT_EQ(t->peer_address(), "[2001:db8::1]:5555");
}

TEST(LayeredTransport, LocalCommandKeepsTheTcpPeer) {
    SocketPair pair;
    auto t = make(pair, proxy_stack());
    pair.send(proxy_v2_ipv4({}, 0x20) + kConnect);
    EXPECT_EQ(read_all(*t), kConnect);
    EXPECT_EQ(t->peer_address(), "127.0.0.1:5000");
    ASSERT_TRUE(t->info().proxy.has_value());
    EXPECT_EQ(t->info().proxy->command, proxy::ProxyCommand::Local);
}

TEST(LayeredTransport, PlainMqttOnAProxyListenerIsRefusedSilently) {
    SocketPair pair;
    auto t = make(pair, proxy_stack());
    pair.send(kConnect);
    Status last{};
    EXPECT_EQ(read_all(*t, &last), "");
    EXPECT_EQ(last, Status::error);
    EXPECT_NE(t->layer_error().find("PROXY header"), std::string::npos) << t->layer_error();
    EXPECT_EQ(pair.received(), "");  // the spec: nothing is sent back
    EXPECT_FALSE(t->has_buffered_input());
}

TEST(LayeredTransport, TlsTerminationKeepsTheProxysTlvs) {
    SocketPair pair;
    auto t = make(pair, proxy_stack(true));
    // AUTHORITY "broker.example", SSL { client: SSL|CERT_CONN, verify 0, VERSION, CN }.
    std::string ssl_sub = std::string("\x21\x00\x07TLSv1.3", 10) + std::string(
                                                                       "\x22\x00\x03"
                                                                       "dev",
                                                                       6);
    std::string ssl = std::string("\x03\x00\x00\x00\x00", 5) + ssl_sub;
    std::string tlvs = std::string("\x02\x00\x0e", 3) + "broker.example" + "\x20" +
                       static_cast<char>(ssl.size() >> 8) + static_cast<char>(ssl.size()) + ssl;
    pair.send(proxy_v2_ipv4(tlvs) + kConnect);
    EXPECT_EQ(read_all(*t), kConnect);
    EXPECT_EQ(t->info().sni, "broker.example");
    EXPECT_EQ(t->info().tls_version, "TLSv1.3");
    EXPECT_EQ(t->info().tls_peer_common_name, "dev");
}

TransportStack websocket_stack() {
    TransportStack stack;
    stack.listener = "ws";
    stack.websocket = true;
    return stack;
}

TEST(LayeredTransport, WebSocketUpgradeThenFramesBothWays) {
    SocketPair pair;
    auto t = make(pair, websocket_stack());
    pair.send(kUpgrade);
    Status last{};
    EXPECT_EQ(read_all(*t, &last), "");  // only layer traffic so far
    EXPECT_EQ(last, Status::would_block);
    EXPECT_EQ(pair.received().rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
    // A packet split over two frames, and a ping between them.
    pair.send(client_frame(0x02, kConnect.substr(0, 5)) + client_frame(0x89, "hi") +
              client_frame(0x80, kConnect.substr(5)));
    EXPECT_EQ(read_all(*t), kConnect);
    EXPECT_EQ(pair.received(), "\x8a\x02hi");  // the pong
    EXPECT_EQ(write(*t, std::string("\x20\x02\x00\x00", 4)).status, Status::ok);
    EXPECT_EQ(pair.received(), std::string("\x82\x04\x20\x02\x00\x00", 6));
    EXPECT_EQ(t->info().listener, "ws");
}

TEST(LayeredTransport, BadUpgradeGetsAnHttpError) {
    SocketPair pair;
    auto t = make(pair, websocket_stack());
    pair.send("GET /mqtt HTTP/1.1\r\nHost: b\r\n\r\n");  // no Upgrade: websocket
    Status last{};
    EXPECT_EQ(read_all(*t, &last), "");
    EXPECT_EQ(last, Status::error);
    EXPECT_EQ(pair.received().rfind("HTTP/1.1 426 Upgrade Required\r\n", 0), 0u);
    EXPECT_NE(t->layer_error().find("WebSocket upgrade"), std::string::npos);
}

TEST(LayeredTransport, TheStacksUpgradePolicyReachesTheHandshake) {
    TransportStack stack = websocket_stack();
    stack.upgrade_policy = std::make_shared<const websocket::UpgradePolicy>(
        websocket::UpgradePolicy{.listener = "ws", .path = "/mqtt", .allowed_origins = {}});
    SocketPair pair;
    auto t = make(pair, stack);
    std::string elsewhere = kUpgrade;
    elsewhere.replace(0, 9, "GET /");
    pair.send(elsewhere);
    Status last{};
    EXPECT_EQ(read_all(*t, &last), "");
    EXPECT_EQ(last, Status::error);
    EXPECT_EQ(pair.received().rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u);
    EXPECT_EQ(t->layer_error(), "WebSocket upgrade: path \"/\" is not listeners.ws.path (/mqtt)");
}

TEST(LayeredTransport, DataThenCloseFrameInOneReadGivesTheDataFirst) {
    SocketPair pair;
    auto t = make(pair, websocket_stack());
    pair.send(kUpgrade);
    read_all(*t);
    pair.received();
    const std::string disconnect("\xe0\x00", 2);
    pair.send(client_frame(0x82, disconnect) + client_frame(0x88, "\x03\xe8"));
    std::vector<std::uint8_t> buf(65536);
    IoResult r = t->read(buf.data(), buf.size());
    ASSERT_EQ(r.status, Status::ok);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(buf.data()), r.bytes), disconnect);
    EXPECT_TRUE(t->has_buffered_input());  // no socket event would report the close
    EXPECT_EQ(t->read(buf.data(), buf.size()).status, Status::closed);
    EXPECT_FALSE(t->has_buffered_input());
    EXPECT_EQ(pair.received(), std::string("\x88\x02\x03\xe8", 4));  // the echo
}

// read() takes fewer raw bytes than the caller's buffer holds, so decoded bytes always fit.
TEST(LayeredTransport, SmallReadBuffersGetEveryByteInOrder) {
    SocketPair pair;
    auto t = make(pair, websocket_stack());
    pair.send(kUpgrade);
    read_all(*t);
    std::string payload;
    for (int i = 0; i < 1000; ++i)
        payload += static_cast<char>(i);
    pair.send(client_frame(0x82, payload));
    std::string got;
    std::vector<std::uint8_t> buf(100);
    for (int i = 0; i < 100 && got.size() < payload.size(); ++i) {
        IoResult r = t->read(buf.data(), buf.size());
        ASSERT_EQ(r.status, Status::ok);
        ASSERT_LE(r.bytes, buf.size());
        got.append(reinterpret_cast<char*>(buf.data()), r.bytes);
    }
    EXPECT_EQ(got, payload);
}

// A layer's read returns fewer bytes than it took from the socket (frames, TLS records), so
// "the caller's buffer was filled" cannot tell it whether the client is ahead of it: the
// read says so itself (more_waiting), from the socket read it made.
TEST(LayeredTransport, AReadSaysWhetherTheSocketHadMore) {
    SocketPair pair;
    auto t = make(pair, websocket_stack());
    pair.send(kUpgrade);
    read_all(*t);
    std::string payload;
    for (int frame = 0; frame < 3; ++frame) {
        std::string part(40000, static_cast<char>('a' + frame));
        pair.send(client_frame(0x82, part));
        payload += part;
    }
    std::string got;
    std::vector<IoResult> reads;
    std::vector<std::uint8_t> buf(65536);
    for (;;) {
        const IoResult r = t->read(buf.data(), buf.size());
        if (r.status != Status::ok) break;
        reads.push_back(r);
        got.append(reinterpret_cast<char*>(buf.data()), r.bytes);
    }
    EXPECT_EQ(got, payload);
    ASSERT_GE(reads.size(), 2u);
    EXPECT_LT(reads.front().bytes, buf.size());
    EXPECT_TRUE(reads.front().more_waiting);  // 120 KB sent, less than 64 KB taken
    EXPECT_FALSE(reads.back().more_waiting);  // the socket's last bytes
}

// A client that pings and never reads the pongs: one read() stops taking more from the
// socket once the pongs waiting for it pass kPendingLimit, and pending_output_size() shows
// them, so the connection can stop reading (security issue item 5).
TEST(LayeredTransport, UnreadPongsStopTheReadAndAreCounted) {
    SocketPair pair;
    int small = 4096;
    ASSERT_EQ(::setsockopt(pair.client, SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
    ASSERT_EQ(::setsockopt(pair.server_fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
    auto t = make(pair, websocket_stack());
    pair.send(kUpgrade);
    read_all(*t);
    pair.received();
    EXPECT_EQ(t->pending_output_size(), 0u);
    const std::string ping = client_frame(0x89, std::string(125, 'p'));
    std::string pings;
    for (int i = 0; i < 200; ++i)
        pings += ping;  // 26 KiB of pings per send
    // Fill the socket towards the server as far as it goes (the client never reads).
    std::size_t queued = 0;
    for (int i = 0; i < 64; ++i) {
        const ssize_t n = ::send(pair.client, pings.data(), pings.size(), 0);
        if (n <= 0) break;
        queued += static_cast<std::size_t>(n);
    }
    ASSERT_GT(queued, 2 * LayeredTransport::kPendingLimit);
    std::vector<std::uint8_t> buf(65536);
    const IoResult r = t->read(buf.data(), buf.size());
    EXPECT_EQ(r.status, Status::would_block);  // pongs only, no MQTT bytes
    // Stopped once the pongs passed the limit: at most one more raw read's worth.
    EXPECT_GE(t->pending_output_size(), LayeredTransport::kPendingLimit);
    EXPECT_LT(t->pending_output_size(), LayeredTransport::kPendingLimit + buf.size());
    EXPECT_TRUE(t->has_pending_output());
}

TEST(LayeredTransport, PendingOutputPushesBackAndFlushes) {
    SocketPair pair;
    auto t = make(pair, websocket_stack());
    pair.send(kUpgrade);
    read_all(*t);
    pair.received();
    const std::string chunk(16 * 1024, 'x');
    std::size_t written = 0;
    bool blocked = false;
    for (int i = 0; i < 1000 && !blocked; ++i) {  // the client does not read
        IoResult r = write(*t, chunk);
        if (r.status == Status::would_block)
            blocked = true;
        else {
            ASSERT_EQ(r.status, Status::ok);
            written += r.bytes;
        }
    }
    ASSERT_TRUE(blocked);
    EXPECT_TRUE(t->has_pending_output());
    // The client reads everything; flush() then empties the pending output.
    std::size_t payload = 0;
    std::string wire;
    for (int i = 0; i < 10000 && t->has_pending_output(); ++i) {
        wire += pair.received();
        ASSERT_NE(t->flush().status, Status::error);
    }
    wire += pair.received();
    EXPECT_FALSE(t->has_pending_output());
    // Every frame header plus payload adds up: nothing was lost or duplicated.
    for (std::size_t pos = 0; pos < wire.size();) {
        ASSERT_EQ(static_cast<std::uint8_t>(wire[pos]), 0x82);
        std::size_t n = static_cast<std::uint8_t>(wire[pos + 1]);
        std::size_t header = 2;
        if (n == 126) {
            n = (static_cast<std::uint8_t>(wire[pos + 2]) << 8) |
                static_cast<std::uint8_t>(wire[pos + 3]);
            header = 4;
        }
        ASSERT_NE(n, 127u);
        payload += n;
        pos += header + n;
    }
    EXPECT_EQ(payload, written);
}

// --- TLS, against an OpenSSL client on the other end of the socket pair ---

class LayeredTlsTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        char tmpl[] = "/tmp/akasa-layered-tls-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        const std::string cmd = "cd " + dir_ +
                                " && openssl req -x509 -newkey ec -pkeyopt "
                                "ec_paramgen_curve:prime256v1 -nodes -keyout server.key "
                                "-out server.crt -days 2 -subj /CN=localhost >/dev/null 2>&1";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

    void SetUp() override {
        config::TlsListener listener;
        listener.cert_file = dir_ + "/server.crt";
        listener.key_file = dir_ + "/server.key";
        holder_ = std::make_unique<tls::TlsContextHolder>(listener);
        client_ctx_ = SSL_CTX_new(TLS_client_method());
        client_ = SSL_new(client_ctx_);
        SSL_set_fd(client_, pair_.client);
        SSL_set_connect_state(client_);
    }
    void TearDown() override {
        SSL_free(client_);
        SSL_CTX_free(client_ctx_);
    }

    // Steps the client handshake and the server reads in turn until the client is done.
    void handshake(Transport& t) {
        std::vector<std::uint8_t> buf(65536);
        for (int i = 0; i < 100; ++i) {
            int rc = SSL_do_handshake(client_);
            if (rc == 1) return;
            ASSERT_EQ(SSL_get_error(client_, rc), SSL_ERROR_WANT_READ);
            IoResult r = t.read(buf.data(), buf.size());
            ASSERT_NE(r.status, Status::error) << t.layer_error();
        }
        FAIL() << "handshake did not finish";
    }

    static inline std::string dir_;
    std::unique_ptr<tls::TlsContextHolder> holder_;
    SocketPair pair_;
    SSL_CTX* client_ctx_ = nullptr;
    SSL* client_ = nullptr;
};

TEST_F(LayeredTlsTest, HandshakeThenMqttBothWaysThenCloseNotify) {
    TransportStack stack;
    stack.listener = "mqtts";
    stack.tls = holder_.get();
    auto t = stack.make(pair_.server_fd, "127.0.0.1:5000");
    handshake(*t);
    ASSERT_EQ(SSL_write(client_, kConnect.data(), static_cast<int>(kConnect.size())),
              static_cast<int>(kConnect.size()));
    // The server may need to finish its side (TLS 1.3 tickets) before data shows up.
    EXPECT_EQ(read_all(*t), kConnect);
    EXPECT_TRUE(t->info().tls_version.has_value());
    EXPECT_FALSE(t->info().tls_peer_subject.has_value());  // no client certificate asked
    EXPECT_EQ(write(*t, std::string("\x20\x02\x00\x00", 4)).status, Status::ok);
    char buf[64];
    int n = 0;
    for (int i = 0; i < 10 && n <= 0; ++i)
        n = SSL_read(client_, buf, sizeof buf);  // skips session tickets
    ASSERT_EQ(n, 4);
    EXPECT_EQ(std::string(buf, 4), std::string("\x20\x02\x00\x00", 4));
    t.reset();  // the broker closes: close_notify goes out first
    EXPECT_EQ(SSL_read(client_, buf, sizeof buf), 0);
    EXPECT_EQ(SSL_get_error(client_, 0), SSL_ERROR_ZERO_RETURN);
}

TEST_F(LayeredTlsTest, GarbageInsteadOfAClientHelloFails) {
    TransportStack stack;
    stack.tls = holder_.get();
    auto t = stack.make(pair_.server_fd, "127.0.0.1:5000");
    pair_.send(kConnect);
    Status last{};
    EXPECT_EQ(read_all(*t, &last), "");
    EXPECT_EQ(last, Status::error);
    EXPECT_NE(t->layer_error().find("TLS handshake"), std::string::npos) << t->layer_error();
}

}  // namespace
}  // namespace akasa::net
