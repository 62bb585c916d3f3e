#include "store/rocksdb_logger.h"

#include <spdlog/spdlog.h>

#include <cstdarg>
#include <cstdio>

namespace akasa::store {
namespace {

class SpdlogRocksDbLogger final : public rocksdb::Logger {
  public:
    explicit SpdlogRocksDbLogger(std::string dir)
        : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), dir_(std::move(dir)) {}

    // Without a level RocksDB means "info" (headers, option dumps): below our threshold.
    void Logv(const char* /*format*/, va_list /*ap*/) override {}

    void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
        if (level < GetInfoLogLevel()) return;
        char buffer[1024];
        va_list copy;
        va_copy(copy, ap);
        std::vsnprintf(buffer, sizeof buffer, format, copy);  // truncated if longer
        va_end(copy);
        const auto spd =
            level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? spdlog::level::err : spdlog::level::warn;
        spdlog::log(spd, "persistence: rocksdb at '{}': {}", dir_, buffer);
    }

  private:
    std::string dir_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> make_rocksdb_logger(std::string dir) {
    return std::make_shared<SpdlogRocksDbLogger>(std::move(dir));
}

}  // namespace akasa::store
