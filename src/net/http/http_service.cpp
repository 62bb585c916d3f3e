#include "net/http/http_service.h"

#include <cstdio>

namespace akasa::net::http {

HttpService::HttpService(HttpServiceOptions options, std::function<HealthReport()> health,
                         std::function<std::string()> metrics_text)
    : options_(options), health_(std::move(health)), metrics_text_(std::move(metrics_text)) {}

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", u);
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

HttpResponse HttpService::respond(const HttpRequest& request) const {
    if (request.method != "GET") {
        HttpResponse r = HttpResponse::error(405, "only GET is served here");
        // A body was not read: the stream is out of step, so the connection ends.
        r.close = request.has_body || !request.keep_alive();
        r.headers.push_back({"Allow", "GET"});
        return r;
    }
    HttpResponse response;
    std::string_view path = request.path();
    if (path == "/health") {
        HealthReport h = health_ ? health_() : HealthReport{};
        response = HttpResponse::with_body(
            200, "application/json",
            "{\"status\":\"ok\",\"version\":" + json_string(h.version) +
                ",\"uptime_seconds\":" + std::to_string(h.uptime_seconds) +
                ",\"connections\":" + std::to_string(h.connections) + "}\n");
    } else if (path == "/metrics" && options_.prometheus) {
        response = HttpResponse::with_body(200, "text/plain; version=0.0.4; charset=utf-8",
                                           metrics_text_ ? metrics_text_() : std::string());
    } else {
        response = HttpResponse::error(404, "not found");
        response.close = false;
    }
    response.headers.push_back({"Cache-Control", "no-store"});
    response.close = request.has_body || !request.keep_alive();
    return response;
}

HttpConnection::Status HttpConnection::on_input(ByteBuffer& input, ByteBuffer& output) {
    while (!closing_ && !input.empty()) {
        HttpParseResult parsed =
            parse_http_request({input.data(), input.size()}, service_.options().max_head_size);
        if (parsed.status == HttpParseStatus::NeedMore) break;
        if (parsed.status == HttpParseStatus::Error) {
            append_response(HttpResponse::error(parsed.error_status, parsed.error), output);
            closing_ = true;
            break;
        }
        input.consume(parsed.size);
        HttpResponse response = service_.respond(parsed.request);
        append_response(response, output);
        closing_ = response.close;
    }
    if (closing_) input.clear();  // nothing after the last response is read
    return closing_ ? Status::Close : Status::Open;
}

}  // namespace akasa::net::http
