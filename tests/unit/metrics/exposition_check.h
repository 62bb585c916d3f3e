// A small parser of the Prometheus text exposition format (0.0.4), so a test fails on text
// Prometheus would refuse: the registry's tests and the broker's metric families use it.
#pragma once

#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "metrics/registry.h"

namespace akasa::metrics {

// Parses exposition text; returns "" when valid, else what is wrong. Fills `samples` with
// "name{labels}" -> value, labels unescaped and rendered k=v joined by ','.
inline std::string check_exposition(const std::string& text,
                                    std::map<std::string, double>* samples) {
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

}  // namespace akasa::metrics
