// Metrics registry and Prometheus text exposition (format 0.0.4). The output is checked by a
// small parser of the format written here, so a test fails on text Prometheus would refuse.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "metrics/broker_metrics.h"
#include "metrics/registry.h"

namespace akasa::metrics {
namespace {

// Parses exposition text; returns "" when valid, else what is wrong. Fills `samples` with
// "name{labels}" -> value, labels unescaped and rendered k=v joined by ','.
std::string check_exposition(const std::string& text, std::map<std::string, double>* samples) {
    std::map<std::string, std::string> types;
    std::set<std::string> helped;
    std::istringstream lines(text);
    std::string line;
    if (!text.empty() && text.back() != '\n') return "does not end with a newline";
    while (std::getline(lines, line)) {
        if (line.empty()) return "empty line";
        if (line[0] == '#') {
            std::istringstream words(line);
            std::string hash, kind, name;
            words >> hash >> kind >> name;
            if (!is_valid_metric_name(name)) return "bad name in comment: " + line;
            if (kind == "TYPE") {
                std::string type;
                words >> type;
                if (type != "counter" && type != "gauge") return "bad type: " + line;
                if (types.count(name)) return "second TYPE for " + name;
                types[name] = type;
            } else if (kind == "HELP") {
                if (!helped.insert(name).second) return "second HELP for " + name;
            } else {
                return "unknown comment: " + line;
            }
            continue;
        }
        std::size_t i = 0;
        while (i < line.size() && line[i] != '{' && line[i] != ' ')
            ++i;
        std::string name = line.substr(0, i);
        if (!is_valid_metric_name(name)) return "bad sample name: " + line;
        if (!types.count(name)) return "sample before its TYPE: " + line;
        std::string key = name + "{";
        if (i < line.size() && line[i] == '{') {
            ++i;
            bool first = true;
            while (i < line.size() && line[i] != '}') {
                if (!first) {
                    if (line[i] != ',') return "expected ',': " + line;
                    ++i;
                }
                std::size_t eq = line.find('=', i);
                if (eq == std::string::npos) return "label without '=': " + line;
                std::string label = line.substr(i, eq - i);
                if (!is_valid_label_name(label)) return "bad label name: " + line;
                i = eq + 1;
                if (i >= line.size() || line[i] != '"') return "label value not quoted: " + line;
                ++i;
                std::string value;
                while (i < line.size() && line[i] != '"') {
                    if (line[i] == '\\') {
                        ++i;
                        if (i >= line.size()) return "dangling escape: " + line;
                        if (line[i] == 'n') {
                            value += '\n';
                        } else if (line[i] == '\\' || line[i] == '"') {
                            value += line[i];
                        } else {
                            return "bad escape: " + line;
                        }
                    } else {
                        value += line[i];
                    }
                    ++i;
                }
                if (i >= line.size()) return "unterminated label value: " + line;
                ++i;
                key += (first ? "" : ",") + label + "=" + value;
                first = false;
            }
            if (i >= line.size()) return "unterminated labels: " + line;
            ++i;
        }
        key += "}";
        if (i >= line.size() || line[i] != ' ') return "no space before value: " + line;
        std::string value = line.substr(i + 1);
        char* end = nullptr;
        double v = std::strtod(value.c_str(), &end);
        if (value.empty() || *end != '\0') return "bad value: " + line;
        if (samples) (*samples)[key] = v;
    }
    return "";
}

TEST(MetricsRegistry, RendersHelpTypeAndSamples) {
    Registry r;
    r.declare("up_total", MetricType::Counter, "Things.");
    r.declare("temp", MetricType::Gauge, "Degrees.");
    r.add("up_total", {{"listener", "mqtt"}}, 2);
    r.add("up_total", {{"listener", "mqtt"}}, 3);
    r.set("temp", {}, 21.5);
    EXPECT_EQ(r.render(),
              "# HELP up_total Things.\n# TYPE up_total counter\nup_total{listener=\"mqtt\"} 5\n"
              "# HELP temp Degrees.\n# TYPE temp gauge\ntemp 21.5\n");
    EXPECT_EQ(check_exposition(r.render(), nullptr), "");
}

TEST(MetricsRegistry, FamilyWithoutSamplesRendersZero) {
    Registry r;
    r.declare("nothing_yet", MetricType::Gauge, "Empty.");
    EXPECT_EQ(r.render(), "# HELP nothing_yet Empty.\n# TYPE nothing_yet gauge\nnothing_yet 0\n");
}

TEST(MetricsRegistry, LabelValuesAndHelpAreEscaped) {
    Registry r;
    r.declare("x", MetricType::Gauge, "line\\one\nline two");
    r.set("x", {{"path", "C:\\dir \"q\"\nend"}, {"b", "2"}}, 1);
    std::string text = r.render();
    EXPECT_NE(text.find("# HELP x line\\\\one\\nline two\n"), std::string::npos);
    EXPECT_NE(text.find("x{path=\"C:\\\\dir \\\"q\\\"\\nend\",b=\"2\"} 1\n"), std::string::npos);
    std::map<std::string, double> samples;
    ASSERT_EQ(check_exposition(text, &samples), "");
    EXPECT_EQ(samples.count("x{path=C:\\dir \"q\"\nend,b=2}"), 1u);
}

TEST(MetricsRegistry, LargeCountersPrintExactly) {
    Registry r;
    r.declare("big_total", MetricType::Counter, "Big.");
    r.set("big_total", {}, 9007199254740992.0);  // 2^53
    EXPECT_NE(r.render().find("big_total 9007199254740992\n"), std::string::npos);
}

TEST(MetricsRegistry, ProgrammingErrorsThrow) {
    Registry r;
    EXPECT_THROW(r.declare("1bad", MetricType::Gauge, ""), std::invalid_argument);
    EXPECT_THROW(r.declare("has-dash", MetricType::Gauge, ""), std::invalid_argument);
    r.declare("ok", MetricType::Gauge, "");
    EXPECT_THROW(r.declare("ok", MetricType::Counter, ""), std::invalid_argument);
    EXPECT_THROW(r.add("undeclared", {}, 1), std::invalid_argument);
    EXPECT_THROW(r.add("ok", {{"__reserved", "x"}}, 1), std::invalid_argument);
    EXPECT_THROW(r.add("ok", {{"a:b", "x"}}, 1), std::invalid_argument);
}

TEST(MetricsNames, Validation) {
    EXPECT_TRUE(is_valid_metric_name("akasa:rate_5m"));
    EXPECT_FALSE(is_valid_metric_name(""));
    EXPECT_TRUE(is_valid_label_name("_x1"));
    EXPECT_FALSE(is_valid_label_name("1x"));
}

TEST(BrokerMetrics, SumsWorkersAndListeners) {
    broker::WorkerCounters a, b;
    a.add(a.connections_current, 2);
    b.add(b.connections_current, 3);
    a.add(a.connections_accepted, 10);
    a.add(a.messages_in[1], 4);
    b.add(b.messages_in[1], 1);
    b.add(b.messages_out[2], 6);
    a.add(a.bytes_in, 1000);
    b.add(b.dropped_queue_full, 2);

    Registry r;
    declare_broker_metrics(r);
    add_worker_counters(r, a);
    add_worker_counters(r, b);
    add_listener_connections(r, "mqtt", 4, 9);
    add_listener_connections(r, "ws", 1, 1);
    add_listener_connections(r, "mqtt", 0, 1);
    set_broker_gauges(r, {.subscriptions = 12, .retained_messages = 3});

    std::map<std::string, double> s;
    ASSERT_EQ(check_exposition(r.render(), &s), "") << r.render();
    EXPECT_EQ(s["akasa_connections_current{}"], 5);
    EXPECT_EQ(s["akasa_connections_total{}"], 10);
    EXPECT_EQ(s["akasa_messages_received_total{qos=1}"], 5);
    EXPECT_EQ(s["akasa_messages_received_total{qos=0}"], 0);
    EXPECT_EQ(s["akasa_messages_sent_total{qos=2}"], 6);
    EXPECT_EQ(s["akasa_bytes_received_total{}"], 1000);
    EXPECT_EQ(s["akasa_messages_dropped_total{reason=queue_full}"], 2);
    EXPECT_EQ(s["akasa_listener_connections_current{listener=mqtt}"], 4);
    EXPECT_EQ(s["akasa_listener_connections_total{listener=mqtt}"], 10);
    EXPECT_EQ(s["akasa_listener_connections_current{listener=ws}"], 1);
    EXPECT_EQ(s["akasa_subscriptions_current{}"], 12);
    EXPECT_EQ(s["akasa_retained_messages_current{}"], 3);
    EXPECT_EQ(s.count("akasa_sessions_current{}"), 1u);
    EXPECT_EQ(s.count("akasa_bytes_sent_total{}"), 1u);
}

// Each memory limit is a sample labelled with its config key, summed over workers, so an
// operator sees which limit was hit.
TEST(BrokerMetrics, LimitHitsByConfigKey) {
    broker::WorkerCounters a, b;
    a.add(a.limit_hits[static_cast<std::size_t>(broker::MemoryLimit::Subscriptions)], 2);
    b.add(b.limit_hits[static_cast<std::size_t>(broker::MemoryLimit::Subscriptions)], 1);
    b.add(b.limit_hits[static_cast<std::size_t>(broker::MemoryLimit::RetainedBytes)], 5);
    a.add(a.dropped_queue_bytes, 4);
    Registry r;
    declare_broker_metrics(r);
    add_worker_counters(r, a);
    add_worker_counters(r, b);
    set_broker_gauges(r, {.retained_bytes = 1234});
    std::map<std::string, double> s;
    ASSERT_EQ(check_exposition(r.render(), &s), "") << r.render();
    EXPECT_EQ(s["akasa_limit_hits_total{limit=max_subscriptions_per_client}"], 3);
    EXPECT_EQ(s["akasa_limit_hits_total{limit=max_retained_bytes}"], 5);
    EXPECT_EQ(s["akasa_limit_hits_total{limit=max_output_buffer_bytes}"], 0);
    EXPECT_EQ(s["akasa_messages_dropped_total{reason=queue_bytes_full}"], 4);
    EXPECT_EQ(s["akasa_retained_bytes_current{}"], 1234);
    std::size_t limits = 0;
    for (const auto& [sample, value] : s)
        limits += sample.starts_with("akasa_limit_hits_total{") ? 1 : 0;
    EXPECT_EQ(limits, broker::kMemoryLimitCount);
}

TEST(ExpositionChecker, RejectsBadText) {
    // The checker itself must be able to fail.
    EXPECT_NE(check_exposition("x 1\n", nullptr), "");  // no TYPE
    EXPECT_NE(check_exposition("# TYPE x gauge\nx{a=\"1} 1\n", nullptr), "");
    EXPECT_NE(check_exposition("# TYPE x gauge\nx{a=\"\\t\"} 1\n", nullptr), "");
    EXPECT_NE(check_exposition("# TYPE x gauge\nx one\n", nullptr), "");
    EXPECT_NE(check_exposition("# TYPE x gauge\nx 1", nullptr), "");
}

}  // namespace
}  // namespace akasa::metrics
