// Microbenchmarks of the subscription index and the retained store at broker scale
// (1M subscriptions / retained topics).
//
// Each scenario builds its data set once per process (the first benchmark that needs it)
// and reports, besides time per match, the memory the data set took:
//   rss_bytes_per_sub    growth of the process RSS while building, per subscription
//                        (includes allocator overhead; measured on a fresh data set)
//   heap_bytes_per_sub   bytes the index itself counts (allocated_bytes()), per subscription
#include <benchmark/benchmark.h>

#include <unistd.h>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "broker/routing/retained_store.h"
#include "broker/routing/subscription_index.h"

namespace akasa::broker {
namespace {

constexpr int kSubscriptions = 1'000'000;

std::size_t rss_bytes() {
    long pages_total = 0;
    long pages_resident = 0;
    FILE* f = std::fopen("/proc/self/statm", "r");
    if (f == nullptr) return 0;
    if (std::fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) pages_resident = 0;
    std::fclose(f);
    return static_cast<std::size_t>(pages_resident) *
           static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

Subscription sub(SessionId session) {
    Subscription s;
    s.session = session;
    s.qos = 1;
    return s;
}

struct Scenario {
    SubscriptionIndex index;
    std::vector<std::string> topics;  // what the benchmark publishes to, in turn
    double rss_per_sub = 0;
    double heap_per_sub = 0;
};

template <class Build>
std::unique_ptr<Scenario> build_scenario(Build&& build) {
    const std::size_t before = rss_bytes();
    auto scenario = std::make_unique<Scenario>();
    build(*scenario);
    const double n = static_cast<double>(scenario->index.size());
    scenario->rss_per_sub = static_cast<double>(rss_bytes() - before) / n;
    scenario->heap_per_sub = static_cast<double>(scenario->index.allocated_bytes()) / n;
    return scenario;
}

// (a) 1M exact filters dev/{i}/temp, one session each; publishes hit one at random.
const Scenario& exact_scenario() {
    static const auto scenario = build_scenario([](Scenario& s) {
        std::string filter;
        for (int i = 0; i < kSubscriptions; ++i) {
            filter = "dev/" + std::to_string(i) + "/temp";
            s.index.subscribe(filter, sub(i));
        }
        std::mt19937 rng(1);
        std::uniform_int_distribution<int> pick(0, kSubscriptions - 1);
        for (int i = 0; i < 4096; ++i)
            s.topics.push_back("dev/" + std::to_string(pick(rng)) + "/temp");
    });
    return *scenario;
}

// (b) 1M filters site/{a}/{b}/temp with a = i % 1000, b = i / 1000: 10% have a `+` level
// (half in each position), 5% end in `#` after site/{a}, the rest are exact.
const Scenario& wildcard_scenario() {
    static const auto scenario = build_scenario([](Scenario& s) {
        std::mt19937 rng(2);
        std::uniform_int_distribution<int> percent(0, 99);
        for (int i = 0; i < kSubscriptions; ++i) {
            const std::string a = std::to_string(i % 1000);
            const std::string b = std::to_string(i / 1000);
            const int p = percent(rng);
            std::string filter;
            if (p < 5) {
                filter = "site/+/" + b + "/temp";
            } else if (p < 10) {
                filter = "site/" + a + "/+/temp";
            } else if (p < 15) {
                filter = "site/" + a + "/#";
            } else {
                filter = "site/" + a + "/" + b + "/temp";
            }
            s.index.subscribe(filter, sub(i));
        }
        std::uniform_int_distribution<int> pick(0, 999);
        for (int i = 0; i < 4096; ++i) {
            s.topics.push_back("site/" + std::to_string(pick(rng)) + "/" +
                               std::to_string(pick(rng)) + "/temp");
        }
    });
    return *scenario;
}

// (c) 1M subscriptions of which 1000 sessions subscribe to one topic (fan-out 1000).
const Scenario& fan_out_scenario() {
    static const auto scenario = build_scenario([](Scenario& s) {
        constexpr int kFanOut = 1000;
        for (int i = 0; i < kSubscriptions - kFanOut; ++i) {
            s.index.subscribe("dev/" + std::to_string(i) + "/temp", sub(i));
        }
        for (int i = 0; i < kFanOut; ++i)
            s.index.subscribe("alerts/all", sub(kSubscriptions + i));
        s.topics.push_back("alerts/all");
    });
    return *scenario;
}

void run_match(benchmark::State& state, const Scenario& scenario) {
    std::size_t next = 0;
    std::int64_t delivered = 0;
    for (auto _ : state) {
        const std::string& topic = scenario.topics[next++ & (scenario.topics.size() - 1)];
        std::int64_t hits = 0;
        scenario.index.match(
            topic, [&](const Subscription& s) { hits += s.qos; },
            [&](std::string_view, std::span<const Subscription> members) {
                hits += static_cast<std::int64_t>(members.size());
            });
        benchmark::DoNotOptimize(hits);
        delivered += hits;
    }
    state.SetItemsProcessed(state.iterations());
    // Averaged over threads, so multi-threaded runs report the same per-match figures.
    const auto average = benchmark::Counter::kAvgThreads;
    state.counters["subscribers_per_match"] = benchmark::Counter(
        static_cast<double>(delivered) / static_cast<double>(state.iterations()), average);
    state.counters["rss_bytes_per_sub"] = benchmark::Counter(scenario.rss_per_sub, average);
    state.counters["heap_bytes_per_sub"] = benchmark::Counter(scenario.heap_per_sub, average);
}

void BM_MatchExact1M(benchmark::State& state) {
    run_match(state, exact_scenario());
}
BENCHMARK(BM_MatchExact1M);
BENCHMARK(BM_MatchExact1M)->Threads(2)->UseRealTime();

void BM_MatchWildcardMix1M(benchmark::State& state) {
    run_match(state, wildcard_scenario());
}
BENCHMARK(BM_MatchWildcardMix1M);

void BM_MatchFanOut1000Of1M(benchmark::State& state) {
    run_match(state, fan_out_scenario());
}
BENCHMARK(BM_MatchFanOut1000Of1M);

// Subscribe + unsubscribe of a fresh filter next to 1M others (the write path).
void BM_SubscribeUnsubscribe(benchmark::State& state) {
    static SubscriptionIndex index;
    static const bool filled = [] {
        for (int i = 0; i < kSubscriptions; ++i)
            index.subscribe("dev/" + std::to_string(i) + "/temp", sub(i));
        return true;
    }();
    benchmark::DoNotOptimize(filled);
    std::vector<std::string> filters;
    for (int i = 0; i < 1024; ++i)
        filters.push_back("dev/" + std::to_string(i * 977) + "/new/+");
    std::size_t next = 0;
    for (auto _ : state) {
        const std::string& f = filters[next++ & 1023];
        index.subscribe(f, sub(7));
        index.unsubscribe(f, 7);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SubscribeUnsubscribe);

struct RetainedMessage {
    std::string topic;
};

// 1M retained topics dev/{i}/temp; exact lookups, and a `+` filter that visits all of them.
RetainedStore<RetainedMessage>& retained_store(double* rss_per_topic) {
    static double rss = 0;
    static const auto store = [] {
        const std::size_t before = rss_bytes();
        auto s = std::make_unique<RetainedStore<RetainedMessage>>();
        auto shared = std::make_shared<const RetainedMessage>(RetainedMessage{"shared"});
        for (int i = 0; i < kSubscriptions; ++i)
            s->set("dev/" + std::to_string(i) + "/temp", shared);
        rss = static_cast<double>(rss_bytes() - before) / kSubscriptions;
        return s;
    }();
    *rss_per_topic = rss;
    return *store;
}

void BM_RetainedExact1M(benchmark::State& state) {
    double rss = 0;
    const auto& store = retained_store(&rss);
    std::vector<std::string> filters;
    std::mt19937 rng(3);
    std::uniform_int_distribution<int> pick(0, kSubscriptions - 1);
    for (int i = 0; i < 4096; ++i)
        filters.push_back("dev/" + std::to_string(pick(rng)) + "/temp");
    std::size_t next = 0;
    for (auto _ : state) {
        int hits = 0;
        store.match(filters[next++ & 4095], [&](const auto&) { ++hits; });
        benchmark::DoNotOptimize(hits);
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["rss_bytes_per_topic"] = rss;
}
BENCHMARK(BM_RetainedExact1M);

void BM_RetainedWildcardAll1M(benchmark::State& state) {
    double rss = 0;
    const auto& store = retained_store(&rss);
    std::int64_t visited = 0;
    for (auto _ : state) {
        std::int64_t hits = 0;
        store.match("dev/+/temp", [&](const auto&) { ++hits; });
        benchmark::DoNotOptimize(hits);
        visited += hits;
    }
    state.SetItemsProcessed(visited);  // messages visited per second
}
BENCHMARK(BM_RetainedWildcardAll1M)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace akasa::broker
