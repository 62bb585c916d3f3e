#include "net/proxy/proxy_stage.h"

namespace akasa::net::proxy {

StageStatus ProxyStage::feed(std::span<const std::uint8_t> bytes, ByteBuffer& rest) {
    if (!error_.empty()) return StageStatus::Failed;
    if (header_) {
        rest.append(bytes);
        return StageStatus::Passing;
    }
    // Usually the whole header arrives in the first read: parse it in place then.
    std::span<const std::uint8_t> view = bytes;
    if (!pending_.empty()) {
        pending_.append(bytes);
        view = {pending_.data(), pending_.size()};
    }
    ProxyParseResult r = parse_proxy_header(view);
    switch (r.status) {
        case ProxyParseStatus::NeedMore:
            if (pending_.empty()) pending_.append(bytes);
            return StageStatus::NeedMore;
        case ProxyParseStatus::Error:
            error_ = std::move(r.error);
            pending_ = ByteBuffer();
            return StageStatus::Failed;
        case ProxyParseStatus::Complete:
            break;
    }
    header_ = std::move(r.header);
    rest.append(view.subspan(r.size));
    pending_ = ByteBuffer();
    return StageStatus::Passing;
}

}  // namespace akasa::net::proxy
