// The `http` listener's logic, sans-I/O: GET /health (JSON status), GET /metrics
// (Prometheus text, when enabled), 404 for other paths, 405 for other methods, 400/431/505
// for bad requests; keep-alive and pipelined requests on one connection.
//
//   HttpService service({.prometheus = cfg.prometheus}, health_fn, metrics_fn);  // per listener
//   HttpConnection conn(service);                                              // per socket
//   // after each read:
//   if (conn.on_input(input, output) == HttpConnection::Status::Close) close_after_flush();
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "net/byte_buffer.h"
#include "net/http/http_request.h"
#include "net/http/http_response.h"

namespace akasa::net::http {

struct HealthReport {
    std::string version;
    std::uint64_t uptime_seconds = 0;
    std::uint64_t connections = 0;
};

struct HttpServiceOptions {
    bool prometheus = true;  // serve /metrics (config: listeners.http.prometheus)
    std::size_t max_head_size = kDefaultMaxHeadSize;
};

class HttpService {
  public:
    // Both callbacks run on the thread that calls respond(), once per matching request.
    HttpService(HttpServiceOptions options, std::function<HealthReport()> health,
                std::function<std::string()> metrics_text);

    HttpResponse respond(const HttpRequest& request) const;
    const HttpServiceOptions& options() const { return options_; }

  private:
    HttpServiceOptions options_;
    std::function<HealthReport()> health_;
    std::function<std::string()> metrics_text_;
};

// One client connection: parses requests as they complete and appends the responses.
class HttpConnection {
  public:
    enum class Status { Open, Close };

    explicit HttpConnection(const HttpService& service) : service_(service) {}

    // Consumes every complete request at the front of `input` (leaving a partial one) and
    // appends one response per request to `output`. Close: the last response says
    // "Connection: close" (error, HTTP/1.0 without keep-alive, a request body); stop
    // reading, flush `output`, then close.
    Status on_input(ByteBuffer& input, ByteBuffer& output);

  private:
    const HttpService& service_;
    bool closing_ = false;
};

// A JSON string literal with the characters JSON requires escaped.
std::string json_string(std::string_view text);

}  // namespace akasa::net::http
