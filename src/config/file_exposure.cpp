#include "config/file_exposure.h"

#include <fmt/format.h>
#include <sys/stat.h>

namespace akasa::config {

namespace {

void check(const std::string& path, const char* holds, std::vector<std::string>& warnings) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return;
    const bool readable = (st.st_mode & S_IROTH) != 0;
    const bool writable = (st.st_mode & S_IWOTH) != 0;
    if (!readable && !writable) return;
    warnings.push_back(
        fmt::format("{} holds {} and is {} by every user of this machine (mode {:04o}); "
                    "run: chmod o-rwx {}",
                    path, holds,
                    readable && writable ? "readable and writable"
                    : readable           ? "readable"
                                         : "writable",
                    st.st_mode & 07777, path));
}

}  // namespace

std::vector<std::string> exposed_file_warnings(const Config& config,
                                               const std::string& config_path) {
    std::vector<std::string> warnings;
    // A config file without secrets may be world-readable like most files under /etc.
    if (!config.scram_users.empty()) {
        check(config_path, "SCRAM secrets (scram_users)", warnings);
    }
    if (config.auth.password_file) check(*config.auth.password_file, "password hashes", warnings);
    if (config.acl_file) check(*config.acl_file, "the access rules (acl_file)", warnings);
    for (const auto* tls : {config.listeners.mqtts ? &*config.listeners.mqtts : nullptr,
                            config.listeners.wss ? &*config.listeners.wss : nullptr}) {
        if (tls) check(tls->key_file, "a TLS private key", warnings);
    }
    return warnings;
}

}  // namespace akasa::config
