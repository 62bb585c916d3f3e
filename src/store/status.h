// The outcome of a store operation (LevelDB style): expected failures — a full disk, a corrupt
// file, a record written by a newer build — are values, not exceptions. A default-constructed
// Status is success. Messages name the store directory so a log line alone says where to look.
//
//   Status s = store.write(batch);
//   if (!s.ok()) spdlog::error("persistence: {}", s.to_string());
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace akasa::store {

class Status {
  public:
    enum class Code : std::uint8_t {
        Ok,
        Corruption,       // bytes on disk do not decode (bad checksum, bad record, bad key)
        NotSupported,     // a record or store format version this build does not read
        InvalidArgument,  // the caller asked for something the schema cannot hold
        IoError,          // the file system failed (permissions, EIO, ...)
        NoSpace,          // the file system is full: nothing of this write was stored
    };

    Status() = default;

    static Status corruption(std::string message) { return {Code::Corruption, std::move(message)}; }
    static Status not_supported(std::string message) {
        return {Code::NotSupported, std::move(message)};
    }
    static Status invalid_argument(std::string message) {
        return {Code::InvalidArgument, std::move(message)};
    }
    static Status io_error(std::string message) { return {Code::IoError, std::move(message)}; }
    static Status no_space(std::string message) { return {Code::NoSpace, std::move(message)}; }

    bool ok() const { return code_ == Code::Ok; }
    Code code() const { return code_; }
    const std::string& message() const { return message_; }

    // "OK", or "<code name>: <message>".
    std::string to_string() const;

  private:
    Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

    Code code_ = Code::Ok;
    std::string message_;
};

std::string_view to_string(Status::Code code);

}  // namespace akasa::store
