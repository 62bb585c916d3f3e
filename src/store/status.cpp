#include "store/status.h"

namespace akasa::store {

std::string_view to_string(Status::Code code) {
    switch (code) {
        case Status::Code::Ok:
            return "OK";
        case Status::Code::Corruption:
            return "corruption";
        case Status::Code::NotSupported:
            return "not supported";
        case Status::Code::InvalidArgument:
            return "invalid argument";
        case Status::Code::IoError:
            return "I/O error";
        case Status::Code::NoSpace:
            return "no space left";
    }
    return "unknown";
}

std::string Status::to_string() const {
    if (ok()) return "OK";
    std::string out(akasa::store::to_string(code_));
    out += ": ";
    out += message_;
    return out;
}

}  // namespace akasa::store
