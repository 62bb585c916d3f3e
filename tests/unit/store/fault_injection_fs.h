// A RocksDB FileSystem for crash tests, after LevelDB's FaultInjectionTestEnv: it remembers,
// per file written through it, how many bytes were appended and how many were synced, and can
//  - cut the power: from then on writes and syncs are accepted and discarded, and creating,
//    renaming or deleting files fails; restore() then truncates every file to its synced size
//    and deletes files that were never synced — the disk as a power cut leaves it;
//  - run out of space: appends beyond a byte budget fail with NoSpace (a full disk).
// Directory entries are assumed durable once created (RocksDB fsyncs the directory itself
// where it matters); partial sector writes are not modelled.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace akasa::store::testing {

class FaultInjectionFs : public rocksdb::FileSystemWrapper {
  public:
    FaultInjectionFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

    static const char* kClassName() { return "AkasaFaultInjectionFs"; }
    const char* Name() const override { return kClassName(); }

    // An Env over this file system, for RocksDbTestHooks::env.
    static std::pair<std::shared_ptr<FaultInjectionFs>, std::unique_ptr<rocksdb::Env>> make() {
        auto fs = std::make_shared<FaultInjectionFs>();
        std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
        return {fs, std::move(env)};
    }

    void cut_power() { power_off_ = true; }
    bool power_off() const { return power_off_; }

    // Brings the files to what survived the power cut and switches the power back on.
    void restore() {
        std::lock_guard lock(mutex_);
        for (const auto& [name, file] : files_) {
            if (file.synced == 0 && !file.preexisting) {
                ::unlink(name.c_str());
            } else if (::truncate(name.c_str(), static_cast<off_t>(file.synced)) != 0) {
                ADD_FAILURE() << "truncate " << name;
            }
        }
        files_.clear();
        power_off_ = false;
    }

    // Called before every Sync/Fsync of a file, with its name (may block: a test's gate).
    void set_before_sync(std::function<void(const std::string&)> hook) {
        std::lock_guard lock(mutex_);
        before_sync_ = std::move(hook);
    }

    // Appends fail with NoSpace once this many more bytes have been appended.
    void set_space_left(std::uint64_t bytes) { space_left_ = bytes; }
    void unlimited_space() { space_left_ = std::numeric_limits<std::int64_t>::max(); }

    rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
        if (power_off_) return rocksdb::IOStatus::IOError("power is off");
        std::unique_ptr<rocksdb::FSWritableFile> file;
        rocksdb::IOStatus s = target()->NewWritableFile(name, options, &file, dbg);
        if (!s.ok()) return s;
        track(name, /*size=*/0, /*preexisting=*/false);
        *result = std::make_unique<TrackedFile>(this, name, std::move(file));
        return s;
    }

    rocksdb::IOStatus ReopenWritableFile(const std::string& name,
                                         const rocksdb::FileOptions& options,
                                         std::unique_ptr<rocksdb::FSWritableFile>* result,
                                         rocksdb::IODebugContext* dbg) override {
        if (power_off_) return rocksdb::IOStatus::IOError("power is off");
        std::unique_ptr<rocksdb::FSWritableFile> file;
        rocksdb::IOStatus s = target()->ReopenWritableFile(name, options, &file, dbg);
        if (!s.ok()) return s;
        std::uint64_t size = 0;
        target()->GetFileSize(name, rocksdb::IOOptions(), &size, dbg);
        track(name, size, /*preexisting=*/true);
        *result = std::make_unique<TrackedFile>(this, name, std::move(file));
        return s;
    }

    rocksdb::IOStatus ReuseWritableFile(const std::string&, const std::string&,
                                        const rocksdb::FileOptions&,
                                        std::unique_ptr<rocksdb::FSWritableFile>*,
                                        rocksdb::IODebugContext*) override {
        return rocksdb::IOStatus::NotSupported("recycled log files are not modelled");
    }

    rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                                 const rocksdb::IOOptions& options,
                                 rocksdb::IODebugContext* dbg) override {
        if (power_off_) return rocksdb::IOStatus::IOError("power is off");
        rocksdb::IOStatus s = target()->RenameFile(from, to, options, dbg);
        if (s.ok()) {
            std::lock_guard lock(mutex_);
            files_.erase(to);
            if (auto it = files_.find(from); it != files_.end()) {
                files_[to] = it->second;
                files_.erase(it);
            }
        }
        return s;
    }

    rocksdb::IOStatus DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                                 rocksdb::IODebugContext* dbg) override {
        if (power_off_) return rocksdb::IOStatus::IOError("power is off");
        rocksdb::IOStatus s = target()->DeleteFile(name, options, dbg);
        if (s.ok()) {
            std::lock_guard lock(mutex_);
            files_.erase(name);
        }
        return s;
    }

  private:
    struct FileState {
        std::uint64_t size = 0;
        std::uint64_t synced = 0;
        bool preexisting = false;
    };

    class TrackedFile : public rocksdb::FSWritableFileOwnerWrapper {
      public:
        TrackedFile(FaultInjectionFs* fs, std::string name,
                    std::unique_ptr<rocksdb::FSWritableFile> file)
            : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs), name_(std::move(name)) {}

        rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                                 rocksdb::IODebugContext* dbg) override {
            if (fs_->power_off_) return rocksdb::IOStatus::OK();
            if (fs_->space_left_.fetch_sub(static_cast<std::int64_t>(data.size())) <
                static_cast<std::int64_t>(data.size())) {
                fs_->space_left_ = 0;
                return rocksdb::IOStatus::NoSpace("injected: no space left on device");
            }
            rocksdb::IOStatus s = target()->Append(data, options, dbg);
            if (s.ok()) fs_->appended(name_, data.size());
            return s;
        }
        rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                                 const rocksdb::DataVerificationInfo&,
                                 rocksdb::IODebugContext* dbg) override {
            return Append(data, options, dbg);
        }
        rocksdb::IOStatus PositionedAppend(const rocksdb::Slice&, uint64_t,
                                           const rocksdb::IOOptions&,
                                           rocksdb::IODebugContext*) override {
            return rocksdb::IOStatus::NotSupported("direct I/O is not modelled");
        }
        rocksdb::IOStatus PositionedAppend(const rocksdb::Slice&, uint64_t,
                                           const rocksdb::IOOptions&,
                                           const rocksdb::DataVerificationInfo&,
                                           rocksdb::IODebugContext*) override {
            return rocksdb::IOStatus::NotSupported("direct I/O is not modelled");
        }
        rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
            if (fs_->power_off_) return rocksdb::IOStatus::OK();
            fs_->call_before_sync(name_);
            rocksdb::IOStatus s = target()->Sync(options, dbg);
            if (s.ok()) fs_->synced(name_);
            return s;
        }
        rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                                rocksdb::IODebugContext* dbg) override {
            if (fs_->power_off_) return rocksdb::IOStatus::OK();
            fs_->call_before_sync(name_);
            rocksdb::IOStatus s = target()->Fsync(options, dbg);
            if (s.ok()) fs_->synced(name_);
            return s;
        }
        // RangeSync makes no promise about the whole file: not counted as a sync.

      private:
        FaultInjectionFs* fs_;
        std::string name_;
    };

    void call_before_sync(const std::string& name) {
        std::function<void(const std::string&)> hook;
        {
            std::lock_guard lock(mutex_);
            hook = before_sync_;
        }
        if (hook) hook(name);
    }

    void track(const std::string& name, std::uint64_t size, bool preexisting) {
        std::lock_guard lock(mutex_);
        files_[name] = FileState{size, size, preexisting};
    }
    void appended(const std::string& name, std::uint64_t bytes) {
        std::lock_guard lock(mutex_);
        if (auto it = files_.find(name); it != files_.end()) it->second.size += bytes;
    }
    void synced(const std::string& name) {
        std::lock_guard lock(mutex_);
        if (auto it = files_.find(name); it != files_.end()) it->second.synced = it->second.size;
    }

    std::atomic<bool> power_off_{false};
    std::atomic<std::int64_t> space_left_{std::numeric_limits<std::int64_t>::max()};
    std::mutex mutex_;
    std::map<std::string, FileState> files_;  // files written since the last restore()
    std::function<void(const std::string&)> before_sync_;
};

}  // namespace akasa::store::testing
