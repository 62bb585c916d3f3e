#include "broker/topic_limits.h"

#include <algorithm>

#include <fmt/format.h>

#include "mqtt/topic.h"

namespace akasa::broker {

namespace {

std::optional<TopicLimitBreach> check(std::string_view topic, std::uint32_t max_levels,
                                      std::uint32_t max_length) {
    if (topic.size() > max_length) {
        return TopicLimitBreach{"max_topic_length", topic.size(), max_length};
    }
    // n bytes hold at most n + 1 levels: most topics are decided without counting.
    if (topic.size() < max_levels) return std::nullopt;
    const std::size_t levels =
        static_cast<std::size_t>(std::count(topic.begin(), topic.end(), '/')) + 1;
    if (levels > max_levels) return TopicLimitBreach{"max_topic_levels", levels, max_levels};
    return std::nullopt;
}

}  // namespace

std::string TopicLimitBreach::describe() const {
    return fmt::format("{} {}, more than {} ({})", actual,
                       key == "max_topic_levels" ? "levels" : "bytes", key, limit);
}

std::optional<TopicLimitBreach> TopicLimits::check_name(std::string_view topic) const {
    return check(topic, max_levels_, max_length_);
}

std::optional<TopicLimitBreach> TopicLimits::check_filter(std::string_view filter) const {
    if (const auto shared = mqtt::parse_shared_subscription(filter)) {
        return check(shared->filter, max_levels_, max_length_);
    }
    return check(filter, max_levels_, max_length_);
}

std::string topic_for_log(std::string_view topic) {
    constexpr std::size_t kShown = 48;
    if (topic.size() <= kShown) return std::string(topic);
    std::size_t cut = kShown;
    // Back to the start of a UTF-8 character: continuation bytes are 10xxxxxx.
    while (cut > 0 && (static_cast<unsigned char>(topic[cut]) & 0xC0) == 0x80)
        --cut;
    return fmt::format("{}... ({} bytes)", topic.substr(0, cut), topic.size());
}

void DroppedTopics::add(std::string_view kind, std::string_view topic,
                        const TopicLimitBreach& breach) {
    if (count_ < kExamples) {
        examples_[count_] =
            fmt::format("{} \"{}\" ({})", kind, topic_for_log(topic), breach.describe());
    }
    ++count_;
}

void DroppedTopics::merge(const DroppedTopics& other) {
    for (std::size_t i = 0; i < std::min(other.count_, kExamples); ++i) {
        if (count_ + i < kExamples) examples_[count_ + i] = other.examples_[i];
    }
    count_ += other.count_;
}

std::string DroppedTopics::summary() const {
    std::string text;
    for (std::size_t i = 0; i < std::min(count_, kExamples); ++i) {
        if (i > 0) text += "; ";
        text += examples_[i];
    }
    if (count_ > kExamples) text += "; ...";
    return text;
}

}  // namespace akasa::broker
