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
    try {
        replace(path_, PasswordFile::load(path_));
    } catch (const std::exception& error) {  // PasswordFileError, or out of memory
        log_kept(error);
        return false;
    }
    return true;
}

void PasswordStore::replace(std::string path, PasswordFile loaded) {
    auto file = std::make_shared<const PasswordFile>(std::move(loaded));
    log_warnings(*file);
    const std::size_t count = file->size();
    file_.store(std::move(file), std::memory_order_release);
    path_ = std::move(path);
    spdlog::info("password_file: {}: reloaded, {}", path_, users(count));
}

void PasswordStore::log_kept(const std::exception& error) const {
    spdlog::error("password_file: {}; keeping the previous file ({})", error.what(),
                  users(current()->size()));
}

}  // namespace akasa::auth
