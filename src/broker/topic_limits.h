// max_topic_levels and max_topic_length (docs/security.md): the checks every topic name and
// topic filter passes before it reaches the tries or the store, and the text of the log
// lines that report a refusal.
//
//   const TopicLimits limits(config);
//   if (auto breach = limits.check_name(publish.topic)) refuse(breach->describe());
//
// Why: the work and memory of a trie walk grow with the levels of the topics and filters it
// meets, so a client must not choose them without bound. The tries survive any depth
// (trie_walk.h); these limits keep the cost of one PUBLISH or SUBSCRIBE predictable.
// Checking allocates nothing unless a limit is broken.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace akasa::broker {

// A limit a topic or filter breaks.
struct TopicLimitBreach {
    std::string_view key;  // the config key: "max_topic_levels" or "max_topic_length"
    std::size_t actual;    // the topic's levels or bytes
    std::uint32_t limit;   // the configured value

    // "65001 levels, more than max_topic_levels (128)"
    std::string describe() const;
};

class TopicLimits {
  public:
    explicit TopicLimits(const config::Config& config)
        : max_levels_(config.max_topic_levels), max_length_(config.max_topic_length) {}

    // A topic name (PUBLISH, will): nullopt when within both limits.
    std::optional<TopicLimitBreach> check_name(std::string_view topic) const;

    // A topic filter (SUBSCRIBE, UNSUBSCRIBE). A `$share/{group}/` prefix is not counted: the
    // limits bound what a filter is matched with, and a shared subscription's filter is the
    // part after it (so any topic that may be published may be subscribed to, shared or not).
    std::optional<TopicLimitBreach> check_filter(std::string_view filter) const;

  private:
    std::uint32_t max_levels_;
    std::uint32_t max_length_;
};

// A topic short enough for a log line: the first 48 bytes (never cutting a UTF-8 character),
// then "..." and the full size. Shorter topics are returned whole.
std::string topic_for_log(std::string_view topic);

// Stored records recovery drops because their topics break the current limits (written by a
// binary with larger limits): counted per kind, with the first few topics kept for one
// summary line. One per recovery thread; merge() them at the end.
class DroppedTopics {
  public:
    void add(std::string_view kind, std::string_view topic, const TopicLimitBreach& breach);
    void merge(const DroppedTopics& other);
    std::size_t count() const { return count_; }
    // The first few, for a log line: `retained message "x/////... (65001 bytes)" (65001
    // levels, more than max_topic_levels (128)); ...`, ending in "; ..." when there are more.
    std::string summary() const;

  private:
    static constexpr std::size_t kExamples = 3;
    std::size_t count_ = 0;
    std::string examples_[kExamples];
};

}  // namespace akasa::broker
