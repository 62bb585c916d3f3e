// PROXY protocol v2: a 16-byte fixed part (12-byte signature, version/command, family/
// transport, big-endian length) then `length` bytes of addresses followed by TLVs.
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

#include "net/proxy/proxy_header.h"

namespace akasa::net::proxy::detail {

namespace {

constexpr std::array<std::uint8_t, 12> kSignature = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                                     0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

// High nibble of byte 13: address family; low nibble: transport.
enum Family : std::uint8_t { kUnspec = 0, kInet = 1, kInet6 = 2, kUnix = 3 };
enum Transport : std::uint8_t { kTransportUnspec = 0, kStream = 1, kDgram = 2 };

constexpr std::size_t address_block_size(std::uint8_t family) {
    switch (family) {
        case kInet:
            return 12;
        case kInet6:
            return 36;
        case kUnix:
            return 216;
        default:
            return 0;
    }
}

constexpr std::size_t kMaxUniqueIdSize = 128;
constexpr std::size_t kSslFixedSize = 5;  // client (1) + verify (4)

ProxyParseResult fail(std::string message) {
    ProxyParseResult result;
    result.status = ProxyParseStatus::Error;
    result.error = "PROXY v2: " + std::move(message);
    return result;
}

std::uint16_t read_u16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
std::uint32_t read_u32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           p[3];
}

std::string as_string(std::span<const std::uint8_t> value) {
    return {reinterpret_cast<const char*>(value.data()), value.size()};
}

// Walks a TLV list; calls on_tlv(type, value) for each. Returns an error message when a
// TLV's declared length runs past the end of the list.
template <typename OnTlv>
std::optional<std::string> for_each_tlv(std::span<const std::uint8_t> tlvs, OnTlv&& on_tlv) {
    while (!tlvs.empty()) {
        if (tlvs.size() < 3) return "truncated TLV header";
        std::uint8_t type = tlvs[0];
        std::size_t length = read_u16(&tlvs[1]);
        if (tlvs.size() - 3 < length) return "TLV length runs past the end of the header";
        if (auto error = on_tlv(type, tlvs.subspan(3, length))) return error;
        tlvs = tlvs.subspan(3 + length);
    }
    return std::nullopt;
}

std::optional<std::string> parse_ssl(std::span<const std::uint8_t> value, SslInfo& ssl) {
    if (value.size() < kSslFixedSize) return "SSL TLV shorter than 5 bytes";
    ssl.client = value[0];
    ssl.verify = read_u32(&value[1]);
    return for_each_tlv(
        value.subspan(kSslFixedSize),
        [&](std::uint8_t type, std::span<const std::uint8_t> sub) -> std::optional<std::string> {
            switch (type) {
                case tlv_type::kSslVersion:
                    ssl.version = as_string(sub);
                    break;
                case tlv_type::kSslCn:
                    ssl.cn = as_string(sub);
                    break;
                case tlv_type::kSslCipher:
                    ssl.cipher = as_string(sub);
                    break;
                case tlv_type::kSslSigAlg:
                    ssl.sig_alg = as_string(sub);
                    break;
                case tlv_type::kSslKeyAlg:
                    ssl.key_alg = as_string(sub);
                    break;
                default:
                    ssl.other.push_back({type, {sub.begin(), sub.end()}});
            }
            return std::nullopt;
        });
}

config::SocketAddress make_ipv4(const std::uint8_t* address, const std::uint8_t* port) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    std::memcpy(&sa.sin_addr, address, 4);
    std::memcpy(&sa.sin_port, port, 2);  // both in network order already
    return *config::SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&sa), sizeof sa);
}

config::SocketAddress make_ipv6(const std::uint8_t* address, const std::uint8_t* port) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    std::memcpy(&sa.sin6_addr, address, 16);
    std::memcpy(&sa.sin6_port, port, 2);
    return *config::SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&sa), sizeof sa);
}

}  // namespace

ProxyParseResult parse_v2(std::span<const std::uint8_t> received) {
    std::size_t signature_seen = std::min(received.size(), kSignature.size());
    if (!std::equal(received.begin(), received.begin() + signature_seen, kSignature.begin())) {
        return fail("bad signature");
    }
    // Each fixed byte is checked as soon as it arrives, so garbage is refused early.
    if (received.size() <= 12) return {};
    std::uint8_t version = received[12] >> 4;
    std::uint8_t command = received[12] & 0x0f;
    if (version != 2) return fail("unsupported version " + std::to_string(version));
    if (command > 1) return fail("unknown command " + std::to_string(command));
    if (received.size() < 14) return {};
    std::uint8_t family = received[13] >> 4;
    std::uint8_t transport = received[13] & 0x0f;
    if (family > kUnix) return fail("unknown address family " + std::to_string(family));
    if (transport > kDgram) return fail("unknown transport " + std::to_string(transport));
    if (received.size() < kV2FixedSize) return {};

    std::size_t length = read_u16(&received[14]);
    std::size_t total = kV2FixedSize + length;
    if (received.size() < total) return {};
    auto block = received.subspan(kV2FixedSize, length);

    ProxyParseResult result;
    result.status = ProxyParseStatus::Complete;
    result.size = total;
    ProxyHeader& header = result.header;
    header.version = ProxyVersion::V2;
    header.command = command == 0 ? ProxyCommand::Local : ProxyCommand::Proxy;
    // LOCAL: the proxy speaks for itself; the block is to be ignored whatever it holds.
    // UNSPEC: the spec says the receiver ignores the address information.
    if (header.command == ProxyCommand::Local || family == kUnspec) return result;

    std::size_t address_size = address_block_size(family);
    if (length < address_size) {
        return fail("length " + std::to_string(length) + " too short for the address family");
    }
    // Only TCP over IP gives addresses we use; UNIX and UDP fall back to the real endpoints
    // (the spec allows a receiver to treat what it does not support as UNSPEC).
    if (transport == kStream && family == kInet) {
        header.source = make_ipv4(&block[0], &block[8]);
        header.destination = make_ipv4(&block[4], &block[10]);
    } else if (transport == kStream && family == kInet6) {
        header.source = make_ipv6(&block[0], &block[32]);
        header.destination = make_ipv6(&block[16], &block[34]);
    }

    auto error = for_each_tlv(
        block.subspan(address_size),
        [&](std::uint8_t type, std::span<const std::uint8_t> value) -> std::optional<std::string> {
            switch (type) {
                case tlv_type::kAlpn:
                    header.alpn = as_string(value);
                    break;
                case tlv_type::kAuthority:
                    header.authority = as_string(value);
                    break;
                case tlv_type::kNoop:
                    break;
                case tlv_type::kUniqueId:
                    if (value.size() > kMaxUniqueIdSize) return "UNIQUE_ID TLV over 128 bytes";
                    header.unique_id.emplace(value.begin(), value.end());
                    break;
                case tlv_type::kCrc32c: {
                    if (value.size() != 4) return "CRC32C TLV is not 4 bytes";
                    // The checksum covers the whole header with its own field zeroed.
                    std::vector<std::uint8_t> copy(received.begin(), received.begin() + total);
                    std::size_t field = static_cast<std::size_t>(value.data() - received.data());
                    std::fill_n(copy.begin() + static_cast<std::ptrdiff_t>(field), 4, 0);
                    if (crc32c(copy) != read_u32(value.data())) return "CRC32C mismatch";
                    break;
                }
                case tlv_type::kSsl: {
                    SslInfo ssl;
                    if (auto ssl_error = parse_ssl(value, ssl)) return ssl_error;
                    header.ssl = std::move(ssl);
                    break;
                }
                default:
                    header.other.push_back({type, {value.begin(), value.end()}});
            }
            return std::nullopt;
        });
    if (error) return fail(*error);
    return result;
}

}  // namespace akasa::net::proxy::detail
