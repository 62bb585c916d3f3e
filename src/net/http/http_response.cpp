#include "net/http/http_response.h"

namespace akasa::net::http {

HttpResponse HttpResponse::with_body(int status, std::string_view content_type, std::string body) {
    HttpResponse r;
    r.status = status;
    r.headers.push_back({"Content-Type", std::string(content_type)});
    r.body = std::move(body);
    return r;
}

HttpResponse HttpResponse::error(int status, std::string_view message) {
    HttpResponse r = with_body(status, "text/plain; charset=utf-8", std::string(message) + "\n");
    r.close = true;
    return r;
}

std::string_view reason_phrase(int status) {
    switch (status) {
        case 101:
            return "Switching Protocols";
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 426:
            return "Upgrade Required";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        case 505:
            return "HTTP Version Not Supported";
        default:
            return "Unknown";
    }
}

void append_response(const HttpResponse& response, ByteBuffer& out, bool head_only) {
    std::string text = "HTTP/1.1 " + std::to_string(response.status) + " ";
    text += reason_phrase(response.status);
    text += "\r\n";
    for (const auto& h : response.headers) {
        text += h.name;
        text += ": ";
        text += h.value;
        text += "\r\n";
    }
    // A 101 has no body and no Content-Length (RFC 9110 8.6).
    if (response.status != 101) {
        text += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    }
    if (response.close) text += "Connection: close\r\n";
    text += "\r\n";
    if (!head_only) text += response.body;
    out.append(text.data(), text.size());
}

}  // namespace akasa::net::http
