// The process-crash promise of SyncPolicy::None: a child process writes a stream of batches
// and reports each one that returned through a pipe; the parent SIGKILLs it at a random point
// of the stream, reopens the store and checks that every reported write is there, in order.
//
// The child is this test binary re-executed with AKASA_STORE_KILL9_DIR set, so it starts as a
// fresh process (forking a process that already runs RocksDB's thread pools would not be
// safe); a global test environment runs the writer in it and never returns.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <random>

#include "store/rocksdb_store.h"
#include "store_test_support.h"
#include "temp_dir.h"

namespace akasa::store {
namespace {

constexpr const char* kDirVariable = "AKASA_STORE_KILL9_DIR";
constexpr const char* kFdVariable = "AKASA_STORE_KILL9_FD";
constexpr std::uint64_t kMaxWrites = 1'000'000;  // a bound in case the parent is gone

[[noreturn]] void run_child_writer(const char* dir, int fd) {
    std::unique_ptr<Store> store;
    if (!open_rocksdb_store({dir, SyncPolicy::None}, &store).ok()) _exit(2);
    SessionRecord session;
    session.client_id = "subscriber";
    if (!store->put_session(session).ok()) _exit(3);
    for (std::uint64_t i = 0; i < kMaxWrites; ++i) {
        StoreBatch batch;
        const std::string n = std::to_string(i);
        batch.put_retained(testing::message("t/" + n, n));
        batch.append_queued("subscriber", i, testing::message("q", n));
        if (!store->write(batch).ok()) _exit(4);
        if (::write(fd, &i, sizeof i) != sizeof i) _exit(5);
    }
    _exit(0);
}

// In the child only: runs the writer once main() has started (every static of RocksDB is
// initialised by then) and before any test, through a global test environment registered
// during static initialisation.
class ChildWriterEnvironment : public ::testing::Environment {
  public:
    ChildWriterEnvironment(const char* dir, int fd) : dir_(dir), fd_(fd) {}
    void SetUp() override { run_child_writer(dir_, fd_); }

  private:
    const char* dir_;
    int fd_;
};

[[maybe_unused]] const bool kIsChild = [] {
    const char* dir = std::getenv(kDirVariable);
    const char* fd = std::getenv(kFdVariable);
    if (!dir || !fd) return false;
    ::testing::AddGlobalTestEnvironment(new ChildWriterEnvironment(dir, std::atoi(fd)));
    return true;
}();

struct ChildRun {
    std::vector<std::uint64_t> acknowledged;
    int wait_status = 0;
};

ChildRun run_and_kill(const std::string& dir, std::uint64_t kill_after) {
    ChildRun run;
    int fds[2];
    if (::pipe(fds) != 0) {
        ADD_FAILURE() << "pipe";
        return run;
    }
    ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    // Everything the child needs is prepared before fork: between fork and exec only
    // async-signal-safe calls.
    const std::string dir_env = std::string(kDirVariable) + "=" + dir;
    const std::string fd_env = std::string(kFdVariable) + "=" + std::to_string(fds[1]);
    std::vector<char*> envp;
    for (char** e = environ; *e; ++e)
        envp.push_back(*e);
    envp.push_back(const_cast<char*>(dir_env.c_str()));
    envp.push_back(const_cast<char*>(fd_env.c_str()));
    envp.push_back(nullptr);
    char self[] = "/proc/self/exe";
    char* argv[] = {self, nullptr};
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::execve(self, argv, envp.data());
        _exit(127);
    }
    ::close(fds[1]);
    std::uint64_t value;
    bool killed = false;
    while (::read(fds[0], &value, sizeof value) == sizeof value) {
        run.acknowledged.push_back(value);
        if (!killed && run.acknowledged.size() >= kill_after) {
            ::kill(pid, SIGKILL);  // mid-stream: the child is between two writes or in one
            killed = true;
        }
    }
    // EOF: the child is gone; whatever it reported before dying was read above.
    ::close(fds[0]);
    ::waitpid(pid, &run.wait_status, 0);
    return run;
}

TEST(KillNine, EveryWriteReturnedBeforeSigkillSurvives) {
    std::mt19937_64 random(std::random_device{}());
    for (int round = 0; round < 3; ++round) {
        testing::TempDir tmp;
        const std::uint64_t kill_after = 1 + random() % 3000;
        SCOPED_TRACE("kill after " + std::to_string(kill_after) + " acknowledged writes");
        const ChildRun run = run_and_kill(tmp.path(), kill_after);
        ASSERT_TRUE(WIFSIGNALED(run.wait_status) && WTERMSIG(run.wait_status) == SIGKILL)
            << "child status " << run.wait_status;
        ASSERT_GE(run.acknowledged.size(), kill_after);

        auto store = testing::open_store(tmp.path());
        ASSERT_TRUE(store);
        StoredState state = testing::load_all(*store);
        ASSERT_EQ(state.sessions.size(), 1u);
        const auto& queue = state.sessions[0].queue;
        // The stored queue is a gap-free prefix 0..n-1 of the stream (n may exceed what was
        // reported: a write can return just before the kill lands, unreported).
        ASSERT_GE(queue.size(), run.acknowledged.size());
        for (std::size_t i = 0; i < queue.size(); ++i) {
            ASSERT_EQ(queue[i].seq, i);
            ASSERT_EQ(queue[i].message.payload, std::to_string(i));
        }
        EXPECT_EQ(state.retained.size(), queue.size());
    }
}

}  // namespace
}  // namespace akasa::store
