#include "net/http/http_request.h"

#include <algorithm>

namespace akasa::net::http {

namespace {

// RFC 9110 5.6.2 tchar.
bool is_tchar(unsigned char c) {
    if (c >= '0' && c <= '9') return true;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_tchar(c); });
}

// field-vchar / SP / HTAB, obs-text allowed; no other control characters.
bool is_field_value_char(unsigned char c) {
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

// origin-form target: printable ASCII without spaces, starting with '/'.
bool is_origin_form(std::string_view s) {
    if (s.empty() || s[0] != '/') return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

HttpParseResult fail(int status, std::string message) {
    HttpParseResult r;
    r.status = HttpParseStatus::Error;
    r.error_status = status;
    r.error = std::move(message);
    return r;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return (x >= 'A' && x <= 'Z' ? x | 0x20 : x) ==
                      (y >= 'A' && y <= 'Z' ? y | 0x20 : y);
           });
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

std::string_view HttpRequest::path() const {
    std::string_view t = target;
    return t.substr(0, t.find('?'));
}

const std::string* HttpRequest::header(std::string_view name) const {
    for (const auto& h : headers) {
        if (iequals(h.name, name)) return &h.value;
    }
    return nullptr;
}

bool HttpRequest::has_token(std::string_view name, std::string_view token) const {
    for (const auto& h : headers) {
        if (!iequals(h.name, name)) continue;
        std::string_view list = h.value;
        while (!list.empty()) {
            std::size_t comma = list.find(',');
            if (iequals(trim_ows(list.substr(0, comma)), token)) return true;
            if (comma == std::string_view::npos) break;
            list.remove_prefix(comma + 1);
        }
    }
    return false;
}

bool HttpRequest::keep_alive() const {
    if (version_minor == 0) return has_token("Connection", "keep-alive");
    return !has_token("Connection", "close");
}

HttpParseResult parse_http_request(std::span<const std::uint8_t> received,
                                   std::size_t max_head_size) {
    std::string_view text(reinterpret_cast<const char*>(received.data()), received.size());
    // RFC 9112 2.2: a server SHOULD ignore empty lines received before the request line.
    std::size_t start = 0;
    while (text.substr(start, 2) == "\r\n")
        start += 2;
    std::size_t end = text.find("\r\n\r\n", start);
    // Only CRLF ends a line: a lone CR or LF is refused as soon as it is seen (it could
    // otherwise be read differently by a proxy in front, RFC 9112 2.2). Only the bytes within
    // the head limit are looked at, so a head over the limit gets 431 however the bytes were
    // split into reads (a bare LF past the limit must not make it a 400 only when it arrived
    // in the read that crossed the limit).
    std::size_t scan_end =
        std::min(end == std::string_view::npos ? text.size() : end, max_head_size);
    for (std::size_t i = start; i < scan_end; ++i) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) return fail(400, "bare LF");
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] != '\n') {
            return fail(400, "bare CR");
        }
    }
    if (end == std::string_view::npos) {
        if (text.size() > max_head_size) {
            return fail(431,
                        "request head larger than " + std::to_string(max_head_size) + " bytes");
        }
        return {};
    }
    if (end + 4 > max_head_size) {
        return fail(431, "request head larger than " + std::to_string(max_head_size) + " bytes");
    }

    HttpParseResult result;
    HttpRequest& request = result.request;
    std::string_view head = text.substr(start, end + 2 - start);  // every line ends in CRLF

    std::size_t line_end = head.find("\r\n");
    std::string_view line = head.substr(0, line_end);
    head.remove_prefix(line_end + 2);

    // request-line = method SP request-target SP HTTP-version
    std::size_t sp1 = line.find(' ');
    std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
        return fail(400, "malformed request line");
    }
    std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view version = line.substr(sp2 + 1);
    if (!is_token(method)) return fail(400, "malformed method");
    if (!is_origin_form(target)) return fail(400, "request target is not an absolute path");
    if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
        version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
        return fail(400, "malformed HTTP version");
    }
    if (version[5] != '1' || version[7] > '1') {
        return fail(505, "unsupported HTTP version " + std::string(version));
    }
    request.method = method;
    request.target = target;
    request.version_minor = version[7] - '0';

    while (!head.empty()) {
        line_end = head.find("\r\n");
        line = head.substr(0, line_end);
        head.remove_prefix(line_end + 2);
        for (char c : line) {
            if (!is_field_value_char(static_cast<unsigned char>(c))) {
                return fail(400, "control character in header field");
            }
        }
        if (line[0] == ' ' || line[0] == '\t') {
            return fail(400, "obsolete line folding in header field");
        }
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) return fail(400, "header field without ':'");
        std::string_view name = line.substr(0, colon);
        // RFC 9112 5.1: no whitespace between the field name and the colon.
        if (!is_token(name)) return fail(400, "malformed header field name");
        if (request.headers.size() == kMaxHeaderFields) {
            return fail(431, "more than " + std::to_string(kMaxHeaderFields) + " header fields");
        }
        request.headers.push_back(
            {std::string(name), std::string(trim_ows(line.substr(colon + 1)))});
    }

    if (request.header("Transfer-Encoding")) request.has_body = true;
    for (const auto& h : request.headers) {
        if (!iequals(h.name, "Content-Length")) continue;
        const std::string& v = h.value;
        if (v.empty() || v.size() > 18 ||
            !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return fail(400, "invalid Content-Length");
        }
        if (std::stoull(v) > 0) request.has_body = true;
    }
    if (request.version_minor == 1 && !request.header("Host")) {
        return fail(400, "HTTP/1.1 request without Host");  // RFC 9112 3.2
    }

    result.status = HttpParseStatus::Complete;
    result.size = end + 4;
    return result;
}

}  // namespace akasa::net::http
