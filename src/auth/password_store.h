// PasswordStore: the password file the server checks logins against, shared by every worker
// and hashing thread and replaced whole on SIGHUP. A reader takes a snapshot (one atomic
// shared_ptr load) and keeps it for one check, even if a reload swaps in another file
// meanwhile; a file that fails to load leaves the current one in force. Connections already
// logged in are not checked again: a reload never drops a client.
//
//   auto store = std::make_shared<PasswordStore>(path);   // throws PasswordFileError
//   std::shared_ptr<const PasswordFile> users = store->current();
//   ...on SIGHUP:  store->reload();                        // logs what happened
#pragma once

#include <atomic>
#include <exception>
#include <memory>
#include <string>

#include "auth/password_file.h"

namespace akasa::auth {

class PasswordStore {
  public:
    // Loads `path` (PasswordFileError when it cannot be read or a line is malformed) and
    // logs how many users it has, and its warnings.
    explicit PasswordStore(std::string path);

    std::shared_ptr<const PasswordFile> current() const {
        return file_.load(std::memory_order_acquire);
    }
    // path(), reload() and replace() belong to one thread (the server's main thread).
    const std::string& path() const { return path_; }

    // Loads the file again. On success swaps it in, logs the number of users and the file's
    // warnings, and returns true. On failure (unreadable, missing, a malformed line) keeps
    // the current file, logs why and returns false.
    bool reload();
    // Swaps in `file`, loaded from `path` (auth.password_file may have changed on SIGHUP),
    // and logs as reload() does; reload() reads `path` from now on.
    void replace(std::string path, PasswordFile file);
    // The line reload() logs when `error` (from PasswordFile::load) keeps the current file.
    void log_kept(const std::exception& error) const;

  private:
    std::atomic<std::shared_ptr<const PasswordFile>> file_;
    std::string path_;
};

}  // namespace akasa::auth
