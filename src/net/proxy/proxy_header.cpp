#include "net/proxy/proxy_header.h"

namespace akasa::net::proxy {

namespace {
constexpr std::uint8_t kV1First = 'P';
constexpr std::uint8_t kV2First = 0x0d;
}  // namespace

ProxyParseResult parse_proxy_header(std::span<const std::uint8_t> received) {
    if (received.empty()) return {};
    if (received[0] == kV2First) return detail::parse_v2(received);
    if (received[0] == kV1First) return detail::parse_v1(received);
    ProxyParseResult result;
    result.status = ProxyParseStatus::Error;
    result.error = "the connection does not start with a PROXY protocol header";
    return result;
}

namespace detail {

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit: it runs once per
// connection over a few dozen bytes, not worth a table.
std::uint32_t crc32c(std::span<const std::uint8_t> data, std::uint32_t crc) {
    crc = ~crc;
    for (std::uint8_t byte : data) {
        crc ^= byte;
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    }
    return ~crc;
}

}  // namespace detail
}  // namespace akasa::net::proxy
