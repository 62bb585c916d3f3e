// Store recovery and write cost (docs/persistence.md, "Measurements").
//
// BM_StoreRecovery opens a store holding 1M retained messages and 100k sessions (each with
// two subscriptions and a will) and loads everything into memory, as the broker does before
// it serves clients; the counters give what was loaded and the process's resident memory
// after the load (rss_mib) and at its peak (peak_rss_mib). The data set is built on first use
// in $AKASA_STORE_BENCH_DIR (default /tmp/akasa-store-bench) and kept for later runs.
// BM_StoreWrite* measure one-message batches (a queued message) per sync policy.
#include <benchmark/benchmark.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "store/rocksdb_store.h"

namespace {

using namespace akasa::store;

constexpr int kRetained = 1'000'000;
constexpr int kSessions = 100'000;

std::string bench_dir() {
    const char* dir = std::getenv("AKASA_STORE_BENCH_DIR");
    return dir && *dir ? dir : "/tmp/akasa-store-bench";
}

double status_mib(const char* field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(field, 0) == 0) return std::stod(line.substr(std::strlen(field))) / 1024.0;
    }
    return 0;
}

MessageRecord retained(int i) {
    MessageRecord m;
    m.topic = "bench/site/" + std::to_string(i % 1000) + "/device/" + std::to_string(i);
    m.payload = std::string(64, static_cast<char>('a' + i % 26));
    m.qos = 1;
    m.retain = true;
    return m;
}

bool build_data_set(const std::string& dir) {
    const std::string marker = dir + "/.complete";
    if (std::filesystem::exists(marker)) return true;
    std::filesystem::remove_all(dir);
    std::unique_ptr<Store> store;
    if (!open_rocksdb_store({dir, SyncPolicy::None}, &store).ok()) return false;
    StoreBatch batch;
    auto flush = [&] {
        const bool ok = store->write(batch).ok();
        batch.clear();
        return ok;
    };
    for (int i = 0; i < kRetained; ++i) {
        batch.put_retained(retained(i));
        if (batch.size() >= 1000 && !flush()) return false;
    }
    for (int i = 0; i < kSessions; ++i) {
        SessionRecord s;
        s.client_id = "client-" + std::to_string(i);
        s.protocol_version = 5;
        s.expiry_interval_s = 3600;
        s.disconnected_at = wall_now();
        s.will = WillRecord{"clients/" + s.client_id + "/status", "offline", 1, true, "", 5, {}};
        batch.put_session(s);
        for (int f = 0; f < 2; ++f) {
            SubscriptionRecord sub;
            sub.filter = "bench/site/" + std::to_string((i + f) % 1000) + "/#";
            sub.qos = 1;
            batch.put_subscription(s.client_id, sub);
        }
        if (batch.size() >= 1000 && !flush()) return false;
    }
    if (!flush() || !store->sync().ok()) return false;
    store.reset();
    std::ofstream(marker) << "ok\n";
    return true;
}

void BM_StoreRecovery(benchmark::State& state) {
    const std::string dir = bench_dir();
    if (!build_data_set(dir)) {
        state.SkipWithError("cannot build the data set");
        return;
    }
    RecoveryStats stats;
    for (auto _ : state) {
        std::unique_ptr<Store> store;
        if (!open_rocksdb_store({dir}, &store).ok()) {
            state.SkipWithError("open failed");
            return;
        }
        StoredState loaded;
        if (!store->load(&loaded).ok()) {
            state.SkipWithError("load failed");
            return;
        }
        stats = loaded.stats;
        state.counters["rss_mib"] = status_mib("VmRSS:");
        state.PauseTiming();
        loaded = StoredState{};  // freeing is not part of recovery
        store.reset();
        state.ResumeTiming();
    }
    state.counters["retained"] = static_cast<double>(stats.retained);
    state.counters["sessions"] = static_cast<double>(stats.sessions);
    state.counters["subscriptions"] = static_cast<double>(stats.subscriptions);
    state.counters["data_mib"] = static_cast<double>(stats.bytes) / (1024.0 * 1024.0);
    state.counters["peak_rss_mib"] = status_mib("VmHWM:");
}
BENCHMARK(BM_StoreRecovery)->Unit(benchmark::kMillisecond)->Iterations(3);

void store_write(benchmark::State& state, SyncPolicy policy) {
    const std::string dir = bench_dir() + "-write-" + std::string(to_string(policy));
    std::filesystem::remove_all(dir);
    std::unique_ptr<Store> store;
    if (!open_rocksdb_store({dir, policy}, &store).ok()) {
        state.SkipWithError("open failed");
        return;
    }
    MessageRecord m = retained(1);
    std::uint64_t seq = 0;
    for (auto _ : state) {
        StoreBatch batch;
        batch.append_queued("client", seq++, m);
        if (!store->write(batch).ok()) state.SkipWithError("write failed");
    }
    state.SetItemsProcessed(state.iterations());
    store.reset();
    std::filesystem::remove_all(dir);
}
void BM_StoreWriteNone(benchmark::State& state) {
    store_write(state, SyncPolicy::None);
}
void BM_StoreWriteAlways(benchmark::State& state) {
    store_write(state, SyncPolicy::Always);
}
BENCHMARK(BM_StoreWriteNone);
BENCHMARK(BM_StoreWriteAlways)->Iterations(500);

}  // namespace
