// `akasa-bench churn`: the connection churn of issue 18 (clients that connect, subscribe,
// publish QoS 1 and leave, new client ids over time), with a numbered feed so that the
// persistent sessions among them can check what they get when they come back.
//
//   feed publisher:   churn/feed, QoS 1, seq 1, 2, 3, ... at --feed-rate
//   new client i:     CONNECT (clean session unless i % --persistent-every == 0), SUBSCRIBE
//                     churn/feed QoS 1, PUBLISH one QoS 1 message there, DISCONNECT
//   persistent ones:  come back --offline s later (clean session 0), must receive every feed
//                     seq from the first published after their SUBACK to the last the feed
//                     had acknowledged at their CONNACK, each connection's seqs increasing
//                     (redeliveries with DUP aside); then end their session
//
// Every --sample s it prints the broker's RSS and the size of --store-dir; at the end one
// JSON line with every sample and the check's totals. Exit status 1 when a message was
// missing or out of order, or a client failed.
#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "blocking_client.h"
#include "clock.h"
#include "mode_support.h"
#include "modes.h"
#include "process_probe.h"

namespace akasa::bench {
namespace {

constexpr double kStepTimeout = 10;  // seconds for one CONNACK, SUBACK or PUBACK
constexpr double kReceiveIdle = 30;  // a returning client gives up after this long idle
constexpr char kFeedMark[4] = {'A', 'K', 'C', 'F'};

std::string feed_payload(std::uint64_t seq, std::size_t size) {
    std::string payload(std::max<std::size_t>(size, 12), 'f');
    payload.replace(0, 4, kFeedMark, 4);
    for (int i = 0; i < 8; ++i)
        payload[4 + i] = static_cast<char>(seq >> (56 - 8 * i));
    return payload;
}

// The feed seq of a message, 0 for the churn clients' own messages.
std::uint64_t feed_seq(std::string_view payload) {
    if (payload.size() < 12 || payload.compare(0, 4, std::string_view(kFeedMark, 4)) != 0) return 0;
    std::uint64_t seq = 0;
    for (int i = 0; i < 8; ++i)
        seq = (seq << 8) | static_cast<std::uint8_t>(payload[4 + i]);
    return seq;
}

std::uint64_t directory_bytes(const std::string& dir) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code size_ec;
        if (it->is_regular_file(size_ec)) {
            const auto size = it->file_size(size_ec);
            if (!size_ec) total += size;
        }
    }
    return total;
}

// A persistent client that left and will come back.
struct Away {
    std::string client_id;
    std::uint64_t first = 0;              // the first feed seq it must get
    std::vector<std::uint64_t> received;  // feed seqs >= first it got before it left
    std::uint64_t due_ns = 0;
};

struct Sample {
    double at_s = 0;
    std::uint64_t rss = 0;
    std::uint64_t store = 0;
    std::uint64_t clients = 0;
    std::uint64_t returned = 0;
    std::uint64_t away = 0;
    std::uint64_t fed = 0;
};

class Churn {
  public:
    Churn(const CommonOptions& common, const ChurnOptions& options)
        : common_(common),
          options_(options),
          broker_(resolve_broker(common.host, common.port)),
          prefix_(client_id_prefix(common)) {}

    int run();

  private:
    void feed();
    void churn();
    void new_client(std::uint64_t index);
    void come_back(Away& away);
    void failed(const std::string& what) {
        std::lock_guard lock(mutex_);
        ++errors_;
        if (first_error_.empty()) first_error_ = what;
    }
    Sample sample(std::uint64_t start_ns);
    void print_row(const Sample& s) const;

    const CommonOptions& common_;
    const ChurnOptions& options_;
    const BrokerAddress broker_;
    const std::string prefix_;
    std::uint64_t start_ns_ = 0;
    std::uint64_t end_ns_ = 0;
    std::atomic<bool> creating_{true};
    std::atomic<bool> feeding_{true};
    std::atomic<std::uint64_t> next_seq_{1};  // the feed seq being published
    std::atomic<std::uint64_t> acked_seq_{0};
    std::atomic<std::uint64_t> created_{0};
    std::atomic<std::uint64_t> returned_{0};
    std::atomic<std::uint64_t> checked_{0};  // feed messages checked by returning clients
    std::atomic<std::uint64_t> missing_{0};
    std::atomic<std::uint64_t> out_of_order_{0};
    std::atomic<std::uint64_t> redelivered_{0};
    std::atomic<std::uint32_t> source_{0};
    std::mutex mutex_;
    std::deque<Away> away_;     // guarded by mutex_, by due time
    std::uint64_t errors_ = 0;  // guarded by mutex_
    std::string first_error_;   // guarded by mutex_
};

void Churn::feed() {
    BlockingClient client;
    try {
        client.connect(broker_, source_++, prefix_ + "feed", true, kStepTimeout);
        const std::uint64_t start = monotonic_ns();
        while (feeding_.load()) {
            const std::uint64_t seq = next_seq_.load();
            const auto due = start + static_cast<std::uint64_t>(static_cast<double>(seq - 1) * 1e9 /
                                                                options_.feed_rate);
            if (const auto now = monotonic_ns(); now < due) {
                std::this_thread::sleep_for(
                    std::chrono::nanoseconds(std::min<std::uint64_t>(due - now, 10'000'000)));
                continue;
            }
            client.publish_qos1(options_.topic, feed_payload(seq, options_.payload_size),
                                kStepTimeout);
            acked_seq_.store(seq);
            next_seq_.store(seq + 1);
        }
        client.disconnect();
    } catch (const std::exception& e) {
        failed(std::string("feed publisher: ") + e.what());
    }
}

void Churn::new_client(std::uint64_t index) {
    const bool persistent = options_.persistent_every > 0 && index % options_.persistent_every == 0;
    Away away;
    away.client_id = prefix_ + "n" + std::to_string(index);
    BlockingClient client;
    client.on_message = [&](const mqtt::Publish& publish) {
        const std::uint64_t seq = feed_seq(publish.payload);
        if (persistent && seq != 0 && away.first != 0 && seq >= away.first)
            away.received.push_back(seq);
    };
    client.connect(broker_, source_++, away.client_id, !persistent, kStepTimeout);
    client.subscribe(options_.topic, mqtt::QoS::AtLeastOnce, kStepTimeout);
    // Published after the SUBACK, so routed to this session: next_seq_ may already be out.
    away.first = next_seq_.load() + 1;
    client.publish_qos1(options_.topic, std::string(options_.payload_size, 'c'), kStepTimeout);
    client.disconnect();
    if (!persistent) return;
    away.due_ns = monotonic_ns() + seconds_to_ns(options_.offline_s);
    std::lock_guard lock(mutex_);
    away_.push_back(std::move(away));
}

void Churn::come_back(Away& away) {
    BlockingClient client;
    std::uint64_t last = 0;  // highest first delivery (DUP clear) on this connection
    std::uint64_t last_seq = 0;
    std::vector<bool> got;
    std::uint64_t missing = 0;
    client.on_message = [&](const mqtt::Publish& publish) {
        const std::uint64_t seq = feed_seq(publish.payload);
        if (seq == 0) return;
        if (publish.dup) {
            redelivered_.fetch_add(1);
        } else {
            if (seq <= last) out_of_order_.fetch_add(1);
            last = seq;
        }
        if (seq >= away.first && seq <= last_seq && !got[seq - away.first]) {
            got[seq - away.first] = true;
            --missing;
        }
    };
    const bool present = client.connect(broker_, source_++, away.client_id, false, kStepTimeout);
    if (!present) throw std::runtime_error("client " + away.client_id + " found no session");
    last_seq = acked_seq_.load();  // every seq up to here was routed to the session
    if (last_seq >= away.first) {
        got.assign(last_seq - away.first + 1, false);
        missing = got.size();
        for (const std::uint64_t seq : away.received) {
            if (seq <= last_seq && !got[seq - away.first]) {
                got[seq - away.first] = true;
                --missing;
            }
        }
    }
    const std::uint64_t expected = got.size();
    if (!client.receive_until([&] { return missing == 0; }, kReceiveIdle)) {
        missing_.fetch_add(missing);
        failed("client " + away.client_id + ": " + std::to_string(missing) + " of " +
               std::to_string(expected) + " queued messages never came");
    }
    checked_.fetch_add(expected - std::min(missing, expected));
    client.disconnect();
    // Done with it: a clean session ends the stored one.
    client.connect(broker_, source_++, away.client_id, true, kStepTimeout);
    client.disconnect();
    returned_.fetch_add(1);
}

void Churn::churn() {
    while (true) {
        std::optional<Away> due;
        {
            std::lock_guard lock(mutex_);
            const bool draining = !creating_.load();
            if (!away_.empty() && (draining || away_.front().due_ns <= monotonic_ns())) {
                due = std::move(away_.front());
                away_.pop_front();
            } else if (draining && away_.empty()) {
                return;
            }
        }
        try {
            if (due) {
                come_back(*due);
                continue;
            }
            const std::uint64_t now = monotonic_ns();
            if (now >= end_ns_) {
                creating_.store(false);
                continue;
            }
            const auto allowed = static_cast<std::uint64_t>(static_cast<double>(now - start_ns_) /
                                                            1e9 * options_.clients_per_s);
            std::uint64_t index = created_.load();
            if (index >= allowed || !created_.compare_exchange_strong(index, index + 1)) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                continue;
            }
            new_client(index);
        } catch (const std::exception& e) {
            failed(e.what());
        }
    }
}

Sample Churn::sample(std::uint64_t start_ns) {
    Sample s;
    s.at_s = static_cast<double>(monotonic_ns() - start_ns) / 1e9;
    if (auto p = sample_process(common_.broker_pid)) s.rss = p->rss_bytes;
    if (!options_.store_dir.empty()) s.store = directory_bytes(options_.store_dir);
    s.clients = created_.load();
    s.returned = returned_.load();
    s.fed = acked_seq_.load();
    std::lock_guard lock(mutex_);
    s.away = away_.size();
    return s;
}

void Churn::print_row(const Sample& s) const {
    if (common_.json_only) return;
    std::printf("%8.1f %10.1f %10.1f %10" PRIu64 " %10" PRIu64 " %8" PRIu64 " %10" PRIu64 "\n",
                s.at_s, static_cast<double>(s.rss) / 1048576.0,
                static_cast<double>(s.store) / 1048576.0, s.clients, s.returned, s.away, s.fed);
    std::fflush(stdout);
}

int Churn::run() {
    const std::uint64_t start = monotonic_ns();
    start_ns_ = start;
    end_ns_ = start + seconds_to_ns(options_.duration_s);
    if (!common_.json_only) {
        std::printf("%8s %10s %10s %10s %10s %8s %10s\n", "time_s", "rss_mb", "store_mb", "clients",
                    "returned", "away", "fed");
    }
    std::vector<Sample> samples;
    samples.push_back(sample(start));
    print_row(samples.back());
    std::thread feeder([this] { feed(); });
    std::vector<std::thread> threads;
    for (int i = 0; i < common_.threads; ++i)
        threads.emplace_back([this] { churn(); });
    std::uint64_t next_sample = start + seconds_to_ns(options_.sample_s);
    auto all_done = [&] {
        std::lock_guard lock(mutex_);
        return !creating_.load() && away_.empty();
    };
    while (true) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        const bool done = all_done();
        if (monotonic_ns() >= next_sample || done) {
            samples.push_back(sample(start));
            print_row(samples.back());
            next_sample += seconds_to_ns(options_.sample_s);
        }
        if (done) break;
    }
    for (auto& thread : threads)
        thread.join();
    feeding_.store(false);
    feeder.join();

    std::uint64_t errors;
    std::string first_error;
    {
        std::lock_guard lock(mutex_);
        errors = errors_;
        first_error = first_error_;
    }
    std::uint64_t max_rss = 0;
    for (const auto& s : samples)
        max_rss = std::max(max_rss, s.rss);
    if (!common_.json_only) {
        std::printf("clients %" PRIu64 ", persistent ones back %" PRIu64
                    ", feed messages checked %" PRIu64 ", missing %" PRIu64
                    ", out of order %" PRIu64 ", redelivered %" PRIu64 ", errors %" PRIu64
                    ", max rss %.1f MB\n",
                    created_.load(), returned_.load(), checked_.load(), missing_.load(),
                    out_of_order_.load(), redelivered_.load(), errors,
                    static_cast<double>(max_rss) / 1048576.0);
        if (!first_error.empty()) std::printf("first error: %s\n", first_error.c_str());
    }
    std::string json = "{\"mode\":\"churn\"";
    char buffer[512];
    std::snprintf(buffer, sizeof buffer,
                  ",\"duration_s\":%.1f,\"clients_per_s\":%.1f,\"persistent_every\":%d,"
                  "\"offline_s\":%.1f,\"feed_rate\":%.1f,\"payload\":%zu,\"clients\":%" PRIu64
                  ",\"returned\":%" PRIu64 ",\"checked\":%" PRIu64 ",\"missing\":%" PRIu64
                  ",\"out_of_order\":%" PRIu64 ",\"redelivered\":%" PRIu64 ",\"errors\":%" PRIu64
                  ",\"max_rss_bytes\":%" PRIu64,
                  options_.duration_s, options_.clients_per_s, options_.persistent_every,
                  options_.offline_s, options_.feed_rate, options_.payload_size, created_.load(),
                  returned_.load(), checked_.load(), missing_.load(), out_of_order_.load(),
                  redelivered_.load(), errors, max_rss);
    json += buffer;
    json += ",\"samples\":[";
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const auto& s = samples[i];
        std::snprintf(buffer, sizeof buffer,
                      "%s{\"t\":%.1f,\"rss_bytes\":%" PRIu64 ",\"store_bytes\":%" PRIu64
                      ",\"clients\":%" PRIu64 ",\"returned\":%" PRIu64 ",\"away\":%" PRIu64
                      ",\"fed\":%" PRIu64 "}",
                      i == 0 ? "" : ",", s.at_s, s.rss, s.store, s.clients, s.returned, s.away,
                      s.fed);
        json += buffer;
    }
    json += "]}";
    std::printf("%s\n", json.c_str());
    return errors == 0 && missing_.load() == 0 && out_of_order_.load() == 0 ? 0 : 1;
}

}  // namespace

int run_churn(const CommonOptions& common, const ChurnOptions& options) {
    if (auto problem = check_common_options(common); !problem.empty()) {
        std::fprintf(stderr, "akasa-bench: %s\n", problem.c_str());
        return 2;
    }
    if (common.tls || common.websocket || common.mqtt_version != 4) {
        std::fprintf(stderr, "akasa-bench: churn speaks MQTT 3.1.1 over plain TCP only\n");
        return 2;
    }
    if (options.duration_s <= 0 || options.sample_s <= 0 || options.clients_per_s <= 0 ||
        options.feed_rate <= 0 || options.offline_s < 0 || options.persistent_every < 0) {
        std::fprintf(stderr,
                     "akasa-bench: --duration, --sample, --clients-per-s and --feed-rate must be "
                     "positive, --offline and --persistent-every not negative\n");
        return 2;
    }
    if (common.broker_pid > 0 && !sample_process(common.broker_pid)) {
        std::fprintf(stderr, "akasa-bench: no process with --broker-pid %d\n",
                     static_cast<int>(common.broker_pid));
        return 2;
    }
    try {
        Churn churn(common, options);
        return churn.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "akasa-bench: %s\n", e.what());
        return 1;
    }
}

}  // namespace akasa::bench
