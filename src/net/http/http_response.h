// An HTTP/1.1 response and its serialisation. Content-Length is always written (no chunked
// encoding: every body we send is known in full), and "Connection: close" when the
// connection ends after this response.
//
//   HttpResponse r = HttpResponse::text(404, "not found\n");
//   append_response(r, out);
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "net/byte_buffer.h"
#include "net/http/http_request.h"

namespace akasa::net::http {

struct HttpResponse {
    int status = 200;
    std::vector<HttpHeader> headers;  // besides Content-Length and Connection
    std::string body;
    bool close = false;  // send "Connection: close" and close after sending

    // A response with a Content-Type and a body.
    static HttpResponse with_body(int status, std::string_view content_type, std::string body);
    // A plain-text error, "Connection: close".
    static HttpResponse error(int status, std::string_view message);
};

// "OK", "Not Found", ...; "Unknown" for codes this server never sends.
std::string_view reason_phrase(int status);

// Appends the status line, headers and body to `out`. With head_only the body is left out
// (a HEAD request) but Content-Length still gives its size.
void append_response(const HttpResponse& response, ByteBuffer& out, bool head_only = false);

}  // namespace akasa::net::http
