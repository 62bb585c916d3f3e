// A full disk: the write that does not fit fails with NoSpace (nothing of it is stored),
// everything acknowledged before it stays, and once space is back writes work again.
// Twice: on a real 2 MiB tmpfs when this process may mount one (root), and through the
// fault-injecting file system (a byte budget for appends) everywhere.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "fault_injection_fs.h"
#include "store/rocksdb_store.h"
#include "store_test_support.h"
#include "temp_dir.h"

namespace akasa::store {
namespace {

using testing::FaultInjectionFs;
using testing::load_all;
using testing::message;
using testing::open_store;
using testing::TempDir;

std::string payload(int i) {
    return std::string(1000, static_cast<char>('a' + i % 26));
}

// Writes until a write fails; returns how many succeeded and the failing status.
std::pair<int, Status> write_until_full(Store& store, int limit) {
    for (int i = 0; i < limit; ++i) {
        Status s = store.put_retained(message("t/" + std::to_string(i), payload(i)));
        if (!s.ok()) return {i, s};
    }
    return {limit, Status{}};
}

void expect_all_acknowledged(Store& store, int acknowledged) {
    StoredState state = load_all(store);
    std::set<std::string> topics;
    for (const MessageRecord& m : state.retained)
        topics.insert(m.topic);
    for (int i = 0; i < acknowledged; ++i) {
        EXPECT_TRUE(topics.count("t/" + std::to_string(i))) << "lost acknowledged write " << i;
    }
}

TEST(FullDisk, InjectedNoSpaceFailsTheWriteAndKeepsTheRest) {
    TempDir tmp;
    auto [fs, env] = FaultInjectionFs::make();
    RocksDbTestHooks hooks;
    hooks.env = env.get();
    int acknowledged = 0;
    {
        auto store = open_store(tmp.path(), SyncPolicy::Always, hooks);
        ASSERT_TRUE(store);
        fs->set_space_left(200 * 1024);
        auto [count, status] = write_until_full(*store, 100000);
        acknowledged = count;
        ASSERT_GT(acknowledged, 0);
        EXPECT_EQ(status.code(), Status::Code::NoSpace) << status.to_string();
        EXPECT_NE(status.message().find(tmp.path()), std::string::npos) << status.message();
        // Still full: still refused.
        EXPECT_FALSE(store->put_retained(message("refused", "x")).ok());
        // Space is back: the store resumes.
        fs->unlimited_space();
        Status s = store->put_retained(message("after", "x"));
        EXPECT_TRUE(s.ok()) << s.to_string();
        expect_all_acknowledged(*store, acknowledged);
    }
    auto store = open_store(tmp.path());
    ASSERT_TRUE(store);
    expect_all_acknowledged(*store, acknowledged);
    StoredState state = load_all(*store);
    EXPECT_TRUE(std::none_of(state.retained.begin(), state.retained.end(),
                             [](const MessageRecord& m) { return m.topic == "refused"; }));
}

class Tmpfs {
  public:
    explicit Tmpfs(const std::string& dir) : dir_(dir) {
        mounted_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=2m") == 0;
        if (!mounted_) error_ = std::strerror(errno);
    }
    ~Tmpfs() {
        if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    }
    bool mounted() const { return mounted_; }
    const std::string& error() const { return error_; }
    bool grow_to(const char* size) {
        const std::string options = std::string("size=") + size;
        return ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT, options.c_str()) == 0;
    }

  private:
    std::string dir_;
    bool mounted_ = false;
    std::string error_;
};

TEST(FullDisk, RealTmpfsOfTwoMegabytes) {
    TempDir tmp;
    Tmpfs tmpfs(tmp.path());
    if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << tmpfs.error();
    const std::string dir = tmp.sub("data");
    int acknowledged = 0;
    {
        auto store = open_store(dir, SyncPolicy::Always);
        ASSERT_TRUE(store);
        auto [count, status] = write_until_full(*store, 100000);
        acknowledged = count;
        ASSERT_GT(acknowledged, 0);
        EXPECT_EQ(status.code(), Status::Code::NoSpace) << status.to_string();
        EXPECT_NE(status.message().find(dir), std::string::npos) << status.message();
        ASSERT_TRUE(tmpfs.grow_to("64m"));
        Status s = store->put_retained(message("after", "x"));
        EXPECT_TRUE(s.ok()) << s.to_string();
    }
    auto store = open_store(dir);
    ASSERT_TRUE(store);
    expect_all_acknowledged(*store, acknowledged);
}

}  // namespace
}  // namespace akasa::store
