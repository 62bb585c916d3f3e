// `path` of the ws and wss listeners: absent or null accept any path (as the Rust Akasa), a
// set path must look like a request path, and other listeners do not take the key.
#include <gtest/gtest.h>

#include <string>

#include "config/config_loader.h"
#include "config_test_util.h"

namespace akasa::config {
namespace {

using testing_util::expect_config_error;
using testing_util::TempDir;

// A document with one listener `name` at 127.0.0.1:1883 whose other keys are `body` (block
// map lines, so that values such as /mqtt need no quoting).
std::string with_listener(const std::string& name, const std::string& body) {
    return "listeners:\n  " + name + ":\n    addr: 127.0.0.1:1883\n    " + body +
           "\nauth: {enable: false}\n";
}

TEST(WebSocketPath, AbsentOrNullMeansAnyPath) {
    EXPECT_EQ(parse_config_text(with_listener("ws", "reuse_port: true")).listeners.ws->path,
              std::nullopt);
    EXPECT_EQ(parse_config_text(with_listener("ws", "path: null")).listeners.ws->path,
              std::nullopt);
    EXPECT_EQ(parse_config_text(with_listener("ws", "path: ~")).listeners.ws->path, std::nullopt);
}

TEST(WebSocketPath, APathIsKeptAsWritten) {
    EXPECT_EQ(parse_config_text(with_listener("ws", "path: /mqtt")).listeners.ws->path, "/mqtt");
    EXPECT_EQ(parse_config_text(with_listener("ws", "path: /")).listeners.ws->path, "/");
    EXPECT_EQ(parse_config_text(with_listener("ws", "path: \"/a/b%20c\"")).listeners.ws->path,
              "/a/b%20c");
}

TEST(WebSocketPath, APathMustStartWithASlash) {
    expect_config_error(with_listener("ws", "path: mqtt"),
                        {"listeners.ws.path", "\"mqtt\" must start with '/'", "e.g. /mqtt"});
    expect_config_error(with_listener("ws", "path: \"\""),
                        {"listeners.ws.path", "must start with '/'"});
    expect_config_error(with_listener("ws", "path: ws://host/mqtt"),
                        {"listeners.ws.path", "must start with '/'"});
}

TEST(WebSocketPath, QueriesSpacesAndNonStringsAreRefused) {
    expect_config_error(with_listener("ws", "path: /mqtt?x=1"),
                        {"listeners.ws.path", "query or fragment"});
    expect_config_error(with_listener("ws", "path: \"/mqtt#top\""),
                        {"listeners.ws.path", "query or fragment"});
    expect_config_error(with_listener("ws", "path: \"/my mqtt\""),
                        {"listeners.ws.path", "printable ASCII", "percent-encoded"});
    expect_config_error(with_listener("ws", "path: [/mqtt]"), {"listeners.ws.path"});
}

TEST(WebSocketPath, TheWssListenerTakesItAndTheOthersDoNot) {
    TempDir dir;
    const std::string key = dir.write("key.pem", "x\n");
    const std::string cert = dir.write("cert.pem", "x\n");
    const std::string files = "key_file: " + key + "\n    cert_file: " + cert + "\n    ";
    EXPECT_EQ(parse_config_text(with_listener("wss", files + "path: /mqtt")).listeners.wss->path,
              "/mqtt");
    expect_config_error(with_listener("wss", files + "path: mqtt"),
                        {"listeners.wss.path", "must start with '/'"});
    expect_config_error(with_listener("mqtt", "path: /mqtt"),
                        {"listeners.mqtt.path", "only the ws and wss listeners"});
    expect_config_error(with_listener("mqtts", files + "path: /mqtt"),
                        {"listeners.mqtts.path", "only the ws and wss listeners"});
}

}  // namespace
}  // namespace akasa::config
