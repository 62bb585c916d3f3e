// libFuzzer target for PROXY protocol v1 and v2 headers (net/proxy/proxy_header.h) and the
// ProxyStage that buffers them on a connection, see fuzz/README.md. Input: the first bytes
// a load balancer sends on a connection (the header, then the client's bytes).
// Properties checked, aborting on a violation (ASan/UBSan check memory and UB):
//  1. A Complete header never reads past itself: its own bytes parse to the same header,
//     one byte less needs more, and v1 headers fit 107 bytes, v2 ones 16 + their length.
//  2. Growing the input never goes back: a prefix of a Complete or refused input does not
//     parse to the opposite verdict (so a connection is decided as early as it can be).
//  3. ProxyStage fed in reads of many sizes agrees with parsing the whole input, and passes
//     exactly the bytes after the header on.
//  4. Only a relayed TCP connection (v1 TCP4/TCP6, v2 PROXY over TCP/IPv4 or IPv6) carries
//     addresses, and then both source and destination, in the family of the header.
#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz_support.h"
#include "net/proxy/proxy_stage.h"

namespace {

using namespace akasa::net;
using namespace akasa::net::proxy;
using akasa::fuzz::split_reads;

[[noreturn]] void fail(const char* what) {
    akasa::fuzz::fail("proxy_header_fuzz", what);
}

bool same_header(const ProxyHeader& a, const ProxyHeader& b) {
    return a.version == b.version && a.command == b.command && a.source == b.source &&
           a.destination == b.destination && a.alpn == b.alpn && a.authority == b.authority &&
           a.unique_id == b.unique_id && a.ssl == b.ssl && a.other == b.other;
}

void check_complete(std::span<const std::uint8_t> input, const ProxyParseResult& r) {
    if (r.size == 0 || r.size > input.size()) fail("impossible header size");
    if (r.header.version == ProxyVersion::V1 && r.size > kMaxV1HeaderSize) {
        fail("v1 header over 107 bytes");
    }
    if (r.header.version == ProxyVersion::V2 &&
        r.size != kV2FixedSize + ((std::size_t{input[14]} << 8) | input[15])) {
        fail("v2 header size is not 16 + its length");
    }
    const ProxyParseResult exact = parse_proxy_header(input.first(r.size));
    if (exact.status != ProxyParseStatus::Complete || exact.size != r.size ||
        !same_header(exact.header, r.header)) {
        fail("a header parses differently without the bytes after it");
    }
    if (parse_proxy_header(input.first(r.size - 1)).status != ProxyParseStatus::NeedMore) {
        fail("one byte less than a complete header does not need more");
    }
    // Property 4.
    const ProxyHeader& h = r.header;
    if (h.source.has_value() != h.destination.has_value()) fail("only one address");
    if (h.source &&
        (h.command != ProxyCommand::Proxy || h.source->family() != h.destination->family() ||
         (h.source->family() != AF_INET && h.source->family() != AF_INET6))) {
        fail("addresses where there should be none, or of mixed families");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    const ProxyParseResult whole = parse_proxy_header(input);
    if (whole.status == ProxyParseStatus::Complete) check_complete(input, whole);
    if (whole.status == ProxyParseStatus::Error && whole.error.empty()) fail("error without text");

    // Property 2, on a prefix chosen by the input.
    if (size > 0) {
        const ProxyParseResult prefix = parse_proxy_header(input.first(data[size - 1] % size));
        if ((prefix.status == ProxyParseStatus::Complete &&
             (whole.status != ProxyParseStatus::Complete || whole.size != prefix.size)) ||
            (prefix.status == ProxyParseStatus::Error && whole.status != ProxyParseStatus::Error)) {
            fail("a prefix got a verdict the whole input does not have");
        }
    }

    // Property 3.
    ProxyStage stage;
    ByteBuffer rest;
    StageStatus status = StageStatus::NeedMore;
    for (auto read : split_reads(input, input)) {
        status = stage.feed(read, rest);
        if (status == StageStatus::Failed) break;
    }
    switch (whole.status) {
        case ProxyParseStatus::NeedMore:
            if (status != StageStatus::NeedMore || !rest.empty()) fail("stage disagrees: NeedMore");
            break;
        case ProxyParseStatus::Error:
            if (status != StageStatus::Failed || stage.error().empty()) {
                fail("stage disagrees: Error");
            }
            break;
        case ProxyParseStatus::Complete: {
            if (status != StageStatus::Passing || !stage.header() ||
                !same_header(*stage.header(), whole.header)) {
                fail("stage disagrees: Complete");
            }
            const auto after = input.subspan(whole.size);
            if (rest.size() != after.size() ||
                !std::equal(after.begin(), after.end(), rest.data())) {
                fail("stage passes on other bytes than those after the header");
            }
            break;
        }
    }
    return 0;
}
