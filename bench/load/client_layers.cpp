#include "client_layers.h"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <string_view>

#include "text/base64.h"

namespace akasa::bench {

namespace {

std::string openssl_reason() {
    const unsigned long code = ERR_get_error();
    if (code == 0) return "unknown OpenSSL error";
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    ERR_clear_error();
    return text;
}

constexpr std::size_t kMaxResponseHead = 8 * 1024;

}  // namespace

net::tls::SslContextPtr make_client_tls_context(const std::string& ca_file,
                                                const std::string& cert_file,
                                                const std::string& key_file) {
    net::tls::SslContextPtr context(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
    if (!context) throw std::runtime_error("TLS: cannot create a context: " + openssl_reason());
    SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
    if (!ca_file.empty()) {
        if (SSL_CTX_load_verify_locations(context.get(), ca_file.c_str(), nullptr) != 1) {
            throw std::runtime_error("--cafile " + ca_file + ": " + openssl_reason());
        }
        SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
    }
    if (!cert_file.empty()) {
        if (SSL_CTX_use_certificate_chain_file(context.get(), cert_file.c_str()) != 1) {
            throw std::runtime_error("--cert " + cert_file + ": " + openssl_reason());
        }
        const std::string& key = key_file.empty() ? cert_file : key_file;
        if (SSL_CTX_use_PrivateKey_file(context.get(), key.c_str(), SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(context.get()) != 1) {
            throw std::runtime_error("--key " + key + ": " + openssl_reason());
        }
    }
    return context;
}

ClientLayers::ClientLayers(const LayerSettings& settings) : settings_(settings) {
    if (settings_.tls) {
        tls_ = std::make_unique<net::tls::TlsSession>(settings_.tls, net::tls::TlsRole::Client,
                                                      settings_.host);
    }
    if (settings_.websocket) {
        websocket_ = std::make_unique<net::websocket::WebSocketStream>(
            net::websocket::FrameLimits{}, net::websocket::Endpoint::Client);
    }
}

void ClientLayers::start(net::ByteBuffer& wire_out) {
    if (tls_) tls_->feed({}, plain_in_, wire_out);  // the ClientHello
    if (!websocket_) return;
    std::uint8_t nonce[16];
    RAND_bytes(nonce, sizeof nonce);
    const std::string request =
        "GET " + settings_.ws_path + " HTTP/1.1\r\nHost: " + settings_.host +
        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " +
        text::base64_encode({nonce, sizeof nonce}, text::Base64Padding::Include) +
        "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n";
    write_plain({reinterpret_cast<const std::uint8_t*>(request.data()), request.size()}, wire_out);
}

std::optional<std::string> ClientLayers::feed(std::span<const std::uint8_t> wire,
                                              net::ByteBuffer& mqtt_in, net::ByteBuffer& wire_out) {
    std::span<const std::uint8_t> plain = wire;
    if (tls_) {
        const net::tls::TlsResult result = tls_->feed(wire, plain_in_, wire_out);
        if (result.status == net::tls::TlsStatus::Failed) return result.error;
        if (result.status == net::tls::TlsStatus::Closed) return "the broker closed TLS";
        if (!websocket_) {
            mqtt_in.append(plain_in_.readable());
            plain_in_.clear();
            return std::nullopt;
        }
    } else if (!websocket_) {
        mqtt_in.append(wire);
        return std::nullopt;
    } else if (!upgraded_) {
        plain_in_.append(wire);
    }
    if (!upgraded_) return read_upgrade_response(mqtt_in, wire_out);
    if (tls_) plain = plain_in_.readable();
    frames_.clear();
    const auto fed = websocket_->feed(plain, mqtt_in, frames_);
    if (tls_) plain_in_.clear();
    if (!frames_.empty()) write_plain(frames_.readable(), wire_out);  // pongs, close answers
    if (fed.status == net::websocket::FeedStatus::Failed) return "WebSocket: " + fed.error;
    if (fed.status == net::websocket::FeedStatus::Closed) {
        return "the broker closed the WebSocket (code " + std::to_string(fed.close_code) + ")";
    }
    return std::nullopt;
}

std::optional<std::string> ClientLayers::read_upgrade_response(net::ByteBuffer& mqtt_in,
                                                               net::ByteBuffer& wire_out) {
    const std::string_view head(reinterpret_cast<const char*>(plain_in_.data()), plain_in_.size());
    const std::size_t end = head.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (head.size() > kMaxResponseHead) return "WebSocket upgrade: response head too long";
        return std::nullopt;
    }
    if (!head.starts_with("HTTP/1.1 101")) {
        return "WebSocket upgrade refused: " + std::string(head.substr(0, head.find("\r\n")));
    }
    upgraded_ = true;
    // Frames the broker sent right behind its 101.
    const auto rest = plain_in_.readable().subspan(end + 4);
    frames_.clear();
    const auto fed = websocket_->feed(rest, mqtt_in, frames_);
    plain_in_.clear();
    plain_in_.release();
    if (!frames_.empty()) write_plain(frames_.readable(), wire_out);
    if (fed.status != net::websocket::FeedStatus::Open) return "WebSocket: " + fed.error;
    return std::nullopt;
}

void ClientLayers::write(std::span<const std::uint8_t> mqtt, net::ByteBuffer& wire_out) {
    if (!websocket_) {
        write_plain(mqtt, wire_out);
        return;
    }
    if (!tls_) {
        websocket_->write_binary(mqtt, wire_out);
        return;
    }
    frames_.clear();
    websocket_->write_binary(mqtt, frames_);
    write_plain(frames_.readable(), wire_out);
}

void ClientLayers::write_plain(std::span<const std::uint8_t> bytes, net::ByteBuffer& wire_out) {
    if (tls_) {
        tls_->write(bytes, wire_out);
    } else {
        wire_out.append(bytes);
    }
}

}  // namespace akasa::bench
