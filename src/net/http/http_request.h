// A strict, bounded HTTP/1.0 and HTTP/1.1 request-head parser (RFC 9112), shared by the
// WebSocket upgrade and the health/metrics listener. Only what those need: the request line
// and header fields; a body is reported (has_body) but never read, because neither listener
// accepts one.
//
// Sans-I/O and stateless: call parse_http_request() on everything buffered since the end of
// the previous request; consume `size` bytes when it returns Complete.
//
//   HttpParseResult r = parse_http_request({input.data(), input.size()});
//   if (r.status == HttpParseStatus::NeedMore) return;
//   if (r.status == HttpParseStatus::Error) { respond(r.error_status); close(); return; }
//   input.consume(r.size);
//   handle(r.request);
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace akasa::net::http {

struct HttpHeader {
    std::string name;   // as sent; compare with iequals()
    std::string value;  // leading and trailing whitespace removed
};

struct HttpRequest {
    std::string method;     // case-sensitive token: "GET"
    std::string target;     // origin-form: "/mqtt?x=1"
    int version_minor = 1;  // HTTP/1.0 or HTTP/1.1
    std::vector<HttpHeader> headers;
    bool has_body = false;  // Content-Length > 0 or Transfer-Encoding present

    // The path part of the target (before any '?').
    std::string_view path() const;
    // The first field with this name (case-insensitive), or nullptr.
    const std::string* header(std::string_view name) const;
    // Whether any field with this name holds `token` in its comma-separated list
    // (case-insensitive), e.g. has_token("Connection", "upgrade").
    bool has_token(std::string_view name, std::string_view token) const;
    // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "Connection: keep-alive".
    bool keep_alive() const;
};

enum class HttpParseStatus { NeedMore, Complete, Error };

struct HttpParseResult {
    HttpParseStatus status = HttpParseStatus::NeedMore;
    std::size_t size = 0;  // Complete: bytes of request head (including the blank line)
    HttpRequest request;   // Complete
    int error_status = 0;  // Error: 400, 431 (head too large) or 505 (version)
    std::string error;     // Error: a sentence for the log
};

inline constexpr std::size_t kDefaultMaxHeadSize = 8 * 1024;
inline constexpr std::size_t kMaxHeaderFields = 100;

// Parses the request head at the start of `received`. Error (431) once more than
// `max_head_size` bytes arrived without the blank line ending the head.
HttpParseResult parse_http_request(std::span<const std::uint8_t> received,
                                   std::size_t max_head_size = kDefaultMaxHeadSize);

// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);

// `s` without the optional whitespace (spaces and tabs, RFC 9110 "OWS") around a field value
// or a list element.
std::string_view trim_ows(std::string_view s);

}  // namespace akasa::net::http
