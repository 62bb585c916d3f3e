#include "auth/password_store.h"

#include <spdlog/spdlog.h>

#include <string>
#include <utility>

namespace akasa::auth {
namespace {

std::string users(std::size_t count) {
    return std::to_string(count) + (count == 1 ? " user" : " users");
}

void log_warnings(const PasswordFile& file) {
    for (const auto& warning : file.warnings())
        spdlog::warn("password_file: {}", warning);
}

}  // namespace

PasswordStore::PasswordStore(std::string path)
    : file_(std::make_shared<const PasswordFile>(PasswordFile::load(path))),
      path_(std::move(path)) {
    const auto file = current();
    log_warnings(*file);
    spdlog::info("password_file: {}: {}", path_, users(file->size()));
}

bool PasswordStore::reload() {
    std::shared_ptr<const PasswordFile> file;
    try {
        file = std::make_shared<const PasswordFile>(PasswordFile::load(path_));
    } catch (const std::exception& error) {  // PasswordFileError, or out of memory
        spdlog::error("password_file: {}; keeping the previous file ({})", error.what(),
                      users(current()->size()));
        return false;
    }
    log_warnings(*file);
    const std::size_t count = file->size();
    file_.store(std::move(file), std::memory_order_release);
    spdlog::info("password_file: {}: reloaded, {}", path_, users(count));
    return true;
}

}  // namespace akasa::auth
