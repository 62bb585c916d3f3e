// Counters and gauges with labels, and their Prometheus text exposition (format 0.0.4).
//
// A Registry is a snapshot built for one scrape: the HTTP listener creates one, the engine
// fills it from its per-worker counters (src/broker/metrics/broker_metrics.h does that for the
// standard families) and render() writes the text. Nothing here is shared between threads.
//
//   Registry r;
//   r.declare("akasa_connections_current", MetricType::Gauge, "Open network connections.");
//   r.add("akasa_connections_current", {{"listener", "mqtt"}}, 3);
//   std::string text = r.render();
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace akasa::metrics {

enum class MetricType { Counter, Gauge };

// Label name/value pairs; the order given is the order rendered.
using Labels = std::vector<std::pair<std::string, std::string>>;

class Registry {
  public:
    // Declares a family. Families render in declaration order; a family with no sample
    // renders as one unlabelled sample of 0 so dashboards see it from the start.
    // Throws std::invalid_argument for a name Prometheus would refuse or a second
    // declaration: both are programming errors.
    void declare(std::string name, MetricType type, std::string help);

    // Adds `value` to the sample with these labels (created at 0): summing per-worker
    // counters is just one add() per worker. Throws std::invalid_argument for an undeclared
    // family or an invalid label name.
    void add(std::string_view name, const Labels& labels, double value);
    // Sets the sample to `value`.
    void set(std::string_view name, const Labels& labels, double value);

    // The sample's value, 0 when absent (for tests and the health endpoint).
    double value(std::string_view name, const Labels& labels = {}) const;

    std::string render() const;

  private:
    struct Family {
        std::string name;
        MetricType type;
        std::string help;
        std::map<Labels, double> samples;
    };
    Family& family(std::string_view name, const Labels& labels);

    std::vector<Family> families_;
};

// [a-zA-Z_:][a-zA-Z0-9_:]* for metric names; label names without ':' and not starting "__".
bool is_valid_metric_name(std::string_view name);
bool is_valid_label_name(std::string_view name);

// Label values: backslash, double quote and line feed escaped (\\, \", \n).
std::string escape_label_value(std::string_view value);
// HELP text: backslash and line feed escaped.
std::string escape_help(std::string_view text);

}  // namespace akasa::metrics
