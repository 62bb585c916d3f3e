#include "util/log_rate_limit.h"

#include <fmt/format.h>

namespace akasa::util {

LogRateLimit::Permit LogRateLimit::next(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (!started_ || now - window_start_ >= window_) {
        started_ = true;
        window_start_ = now;
        logged_ = 0;
    }
    if (logged_ >= burst_) {
        ++suppressed_;
        return {};
    }
    ++logged_;
    Permit permit{true, suppressed_};
    suppressed_ = 0;
    return permit;
}

std::string suppressed_note(std::uint64_t suppressed) {
    if (suppressed == 0) return {};
    return fmt::format("; {} similar line{} left out before this one", suppressed,
                       suppressed == 1 ? "" : "s");
}

}  // namespace akasa::util
