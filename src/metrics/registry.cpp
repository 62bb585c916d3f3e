#include "metrics/registry.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace akasa::metrics {

namespace {

bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

std::string format_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buffer[32];
    // Whole numbers up to 2^53 in full (a counter reads 12000000, not 1.2e+07); others as
    // the shortest text that reads back as the same double (0.1, not 0.10000000000000001).
    if (v == std::trunc(v) && std::fabs(v) <= 9007199254740992.0) {
        std::snprintf(buffer, sizeof buffer, "%.0f", v);
        return buffer;
    }
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    return std::string(buffer, end);
}

}  // namespace

bool is_valid_metric_name(std::string_view name) {
    if (name.empty() || !(is_name_start(name[0]) || name[0] == ':')) return false;
    for (char c : name) {
        if (!is_name_start(c) && !is_digit(c) && c != ':') return false;
    }
    return true;
}

bool is_valid_label_name(std::string_view name) {
    if (name.empty() || !is_name_start(name[0]) || name.starts_with("__")) return false;
    for (char c : name) {
        if (!is_name_start(c) && !is_digit(c)) return false;
    }
    return true;
}

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string escape_help(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

void Registry::declare(std::string name, MetricType type, std::string help) {
    if (!is_valid_metric_name(name)) throw std::invalid_argument("invalid metric name " + name);
    for (const auto& f : families_) {
        if (f.name == name) throw std::invalid_argument("metric declared twice: " + name);
    }
    families_.push_back({std::move(name), type, std::move(help), {}});
}

Registry::Family& Registry::family(std::string_view name, const Labels& labels) {
    for (const auto& [label, value] : labels) {
        if (!is_valid_label_name(label)) throw std::invalid_argument("invalid label " + label);
    }
    for (auto& f : families_) {
        if (f.name == name) return f;
    }
    throw std::invalid_argument("undeclared metric " + std::string(name));
}

void Registry::add(std::string_view name, const Labels& labels, double value) {
    family(name, labels).samples[labels] += value;
}

void Registry::set(std::string_view name, const Labels& labels, double value) {
    family(name, labels).samples[labels] = value;
}

double Registry::value(std::string_view name, const Labels& labels) const {
    for (const auto& f : families_) {
        if (f.name != name) continue;
        auto it = f.samples.find(labels);
        return it == f.samples.end() ? 0 : it->second;
    }
    return 0;
}

std::string Registry::render() const {
    std::string out;
    for (const auto& f : families_) {
        out += "# HELP " + f.name + " " + escape_help(f.help) + "\n";
        out += "# TYPE " + f.name + (f.type == MetricType::Counter ? " counter\n" : " gauge\n");
        if (f.samples.empty()) {
            out += f.name + " 0\n";
            continue;
        }
        for (const auto& [labels, value] : f.samples) {
            out += f.name;
            if (!labels.empty()) {
                out += '{';
                for (std::size_t i = 0; i < labels.size(); ++i) {
                    if (i > 0) out += ',';
                    out += labels[i].first + "=\"" + escape_label_value(labels[i].second) + '"';
                }
                out += '}';
            }
            out += ' ' + format_value(value) + '\n';
        }
    }
    return out;
}

}  // namespace akasa::metrics
