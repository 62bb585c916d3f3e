// TLS listeners: the key, certificate and CA files are checked when the config is loaded, so
// a wrong path is reported with its key instead of at the first handshake.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "config/config_loader.h"
#include "config_test_util.h"

namespace akasa::config {
namespace {

using testing_util::expect_config_error;
using testing_util::TempDir;

class TlsListenerTest : public testing::Test {
  protected:
    void SetUp() override {
        ASSERT_FALSE(dir_.path().empty());
        key_ = dir_.write("key.pem", "not checked for content here\n");
        cert_ = dir_.write("cert.pem", "not checked for content here\n");
        ca_ = dir_.write("ca.pem", "not checked for content here\n");
    }

    // A document with one TLS listener `name` whose keys are `body` (indented by 4).
    static std::string tls_config(const std::string& name, const std::string& body) {
        return "listeners:\n  " + name + ":\n    addr: 127.0.0.1:8883\n" + body +
               "auth: {enable: false}\n";
    }
    std::string files() const {
        return "    key_file: " + key_ + "\n    cert_file: " + cert_ + "\n";
    }
    std::string missing(const std::string& name) const { return (dir_.path() / name).string(); }

    TempDir dir_;
    std::string key_, cert_, ca_;
};

TEST_F(TlsListenerTest, ReadsMqttsWithDefaults) {
    Config c = parse_config_text(tls_config("mqtts", files()));
    ASSERT_TRUE(c.listeners.mqtts);
    const TlsListener& l = *c.listeners.mqtts;
    EXPECT_EQ(l.addr.to_string(), "127.0.0.1:8883");
    EXPECT_TRUE(l.reuse_port);
    EXPECT_FALSE(l.proxy);
    EXPECT_FALSE(l.ca_file);
    EXPECT_EQ(l.key_file, key_);
    EXPECT_EQ(l.cert_file, cert_);
    EXPECT_FALSE(l.verify_peer);
    EXPECT_FALSE(l.fail_if_no_peer_cert);
    EXPECT_FALSE(c.listeners.mqtt);
}

TEST_F(TlsListenerTest, ReadsWssWithMutualTls) {
    Config c = parse_config_text(
        tls_config("wss", files() + "    ca_file: " + ca_ +
                              "\n    proxy: true\n    reuse_port: false\n    verify_peer: true\n"
                              "    fail_if_no_peer_cert: true\n"));
    ASSERT_TRUE(c.listeners.wss);
    const TlsListener& l = *c.listeners.wss;
    EXPECT_EQ(l.ca_file, ca_);
    EXPECT_TRUE(l.proxy);
    EXPECT_FALSE(l.reuse_port);
    EXPECT_TRUE(l.verify_peer);
    EXPECT_TRUE(l.fail_if_no_peer_cert);
}

TEST_F(TlsListenerTest, KeyFileIsRequired) {
    expect_config_error(tls_config("mqtts", "    cert_file: " + cert_ + "\n"),
                        {"listeners.mqtts.key_file", "required"});
}

TEST_F(TlsListenerTest, CertFileIsRequired) {
    expect_config_error(tls_config("wss", "    key_file: " + key_ + "\n"),
                        {"listeners.wss.cert_file", "required"});
}

TEST_F(TlsListenerTest, NullKeyFileIsRejected) {
    expect_config_error(tls_config("mqtts", "    key_file: null\n    cert_file: " + cert_ + "\n"),
                        {"listeners.mqtts.key_file", "expected a string", "null"});
}

TEST_F(TlsListenerTest, MissingKeyFileNamesKeyPathAndOsError) {
    std::string absent = missing("absent-key.pem");
    expect_config_error(
        tls_config("mqtts", "    key_file: " + absent + "\n    cert_file: " + cert_ + "\n"),
        {"config:4: listeners.mqtts.key_file", absent, "No such file or directory"});
}

TEST_F(TlsListenerTest, MissingCertFileIsRejected) {
    std::string absent = missing("absent-cert.pem");
    expect_config_error(
        tls_config("wss", "    key_file: " + key_ + "\n    cert_file: " + absent + "\n"),
        {"listeners.wss.cert_file", absent, "No such file or directory"});
}

TEST_F(TlsListenerTest, DirectoryIsNotACertificate) {
    std::string directory = dir_.path().string();
    expect_config_error(
        tls_config("mqtts", "    key_file: " + key_ + "\n    cert_file: " + directory + "\n"),
        {"listeners.mqtts.cert_file", directory, "directory"});
}

TEST_F(TlsListenerTest, UnreadableKeyFileIsRejected) {
    if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
    ASSERT_EQ(::chmod(key_.c_str(), 0), 0);
    expect_config_error(tls_config("mqtts", files()),
                        {"listeners.mqtts.key_file", key_, "Permission denied"});
}

TEST_F(TlsListenerTest, FifoIsRefusedWithoutBlocking) {
    std::string fifo = missing("fifo.pem");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    expect_config_error(
        tls_config("mqtts", "    key_file: " + fifo + "\n    cert_file: " + cert_ + "\n"),
        {"listeners.mqtts.key_file", fifo, "not a regular file"});
}

TEST_F(TlsListenerTest, VerifyPeerRequiresCaFile) {
    expect_config_error(tls_config("mqtts", files() + "    verify_peer: true\n"),
                        {"config:6: listeners.mqtts.ca_file", "required when verify_peer is true"});
}

TEST_F(TlsListenerTest, MissingCaFileIsRejected) {
    std::string absent = missing("absent-ca.pem");
    expect_config_error(
        tls_config("mqtts", files() + "    ca_file: " + absent + "\n    verify_peer: true\n"),
        {"listeners.mqtts.ca_file", absent, "No such file or directory"});
}

// The Rust Akasa accepts it: a config written for it starts, with a warning.
TEST_F(TlsListenerTest, FailIfNoPeerCertWithoutVerifyPeerIsAWarning) {
    std::vector<std::string> warnings;
    parse_config_text(tls_config("wss", files() + "    fail_if_no_peer_cert: true\n"), "config",
                      &warnings);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("listeners.wss.fail_if_no_peer_cert"), std::string::npos);
    EXPECT_NE(warnings[0].find("verify_peer"), std::string::npos);
}

TEST_F(TlsListenerTest, PlainListenerKeysAreUnknownOnTlsListeners) {
    std::vector<std::string> warnings;
    parse_config_text(tls_config("mqtts", files() + "    proxy_mode: Normal\n"), "config",
                      &warnings);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("listeners.mqtts.proxy_mode: unknown key"), std::string::npos);
}

}  // namespace
}  // namespace akasa::config
