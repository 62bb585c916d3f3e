// The PROXY header as the first stage of a connection's input: buffers bytes until the
// header is complete (bounded by the header's own size limits), then passes everything
// after it through untouched. One per connection on listeners with proxy_mode Normal /
// TlsTermination or `proxy: true`.
//
//   ProxyStage proxy;
//   StageStatus s = proxy.feed(raw, next_stage_input);
//   if (s == StageStatus::Failed) close(proxy.error());
//   if (proxy.header()) peer = proxy.header()->source.value_or(tcp_peer);
#pragma once

#include <optional>
#include <span>
#include <string>

#include "net/byte_buffer.h"
#include "net/proxy/proxy_header.h"

namespace akasa::net::proxy {

enum class StageStatus {
    NeedMore,  // the header is not complete yet
    Passing,   // header done: bytes after it were appended to `rest`
    Failed,    // not a valid header: close the connection (nothing to send back)
};

class ProxyStage {
  public:
    // Appends the bytes that follow the header (if any yet) to `rest`.
    StageStatus feed(std::span<const std::uint8_t> bytes, ByteBuffer& rest);

    // Set once the header is complete.
    const std::optional<ProxyHeader>& header() const { return header_; }
    const std::string& error() const { return error_; }

  private:
    ByteBuffer pending_;  // header bytes so far; freed once the header is parsed
    std::optional<ProxyHeader> header_;
    std::string error_;
};

}  // namespace akasa::net::proxy
