// libFuzzer target for the `http` listener (/health, /metrics): the request-head parser
// (net/http/http_request.h) and HttpConnection, which answers pipelined requests (see
// fuzz/README.md). Input: the bytes a client sends on one connection. The head limit is
// 1 KiB here (8 KiB in the server) so inputs of libFuzzer's usual sizes reach it.
// Properties checked, aborting on a violation (ASan/UBSan check memory and UB):
//  1. Feeding the bytes whole or in reads of many sizes gives the same responses and the
//     same decision to close.
//  2. A request head that parses Complete parses the same from exactly its own bytes (it
//     never depends on what follows it), and is not complete one byte earlier.
//  3. While the connection stays open, what is left unread is an incomplete head.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "net/http/http_service.h"

namespace {

using namespace akasa::net;
using namespace akasa::net::http;
using akasa::fuzz::split_reads;
using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kMaxHead = 1024;

[[noreturn]] void fail(const char* what) {
    akasa::fuzz::fail("http_request_fuzz", what);
}

const HttpService& service() {
    static const HttpService instance(
        {.prometheus = true, .max_head_size = kMaxHead},
        [] {
            return HealthReport{"0.0.0-fuzz", 42, 7};
        },
        [] { return std::string("# TYPE akasa_fuzz gauge\nakasa_fuzz 1\n"); });
    return instance;
}

struct Outcome {
    HttpConnection::Status status = HttpConnection::Status::Open;
    Bytes output;
};

Outcome run(const std::vector<std::span<const std::uint8_t>>& reads) {
    HttpConnection connection(service());
    ByteBuffer input, output;
    Outcome outcome;
    for (auto read : reads) {
        input.append(read);
        outcome.status = connection.on_input(input, output);
        if (outcome.status == HttpConnection::Status::Close) {
            if (!input.empty()) fail("input left after the connection closed");
            break;
        }
        // Property 3.
        if (!input.empty() &&
            parse_http_request(input.readable(), kMaxHead).status != HttpParseStatus::NeedMore) {
            fail("a complete or refused head left unanswered");
        }
    }
    outcome.output.assign(output.data(), output.data() + output.size());
    return outcome;
}

// Property 2 for each request at the front of `input`, as HttpConnection reads them.
void check_heads(std::span<const std::uint8_t> input) {
    while (!input.empty()) {
        const HttpParseResult parsed = parse_http_request(input, kMaxHead);
        if (parsed.status != HttpParseStatus::Complete) return;
        if (parsed.size == 0 || parsed.size > input.size()) fail("impossible head size");
        const HttpParseResult exact = parse_http_request(input.first(parsed.size), kMaxHead);
        if (exact.status != HttpParseStatus::Complete || exact.size != parsed.size ||
            exact.request.target != parsed.request.target ||
            exact.request.headers.size() != parsed.request.headers.size()) {
            fail("a head parses differently without the bytes after it");
        }
        const auto prefix = parse_http_request(input.first(parsed.size - 1), kMaxHead);
        if (prefix.status == HttpParseStatus::Complete) fail("a head is complete one byte early");
        input = input.subspan(parsed.size);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    const Outcome whole = run(split_reads(input, {}));
    const Outcome split = run(split_reads(input, input));
    if (whole.status != split.status) fail("split reads end in another state");
    if (whole.output != split.output) fail("split reads give other responses");
    check_heads(input);
    return 0;
}
