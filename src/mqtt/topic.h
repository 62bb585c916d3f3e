// Topic names, topic filters and shared subscriptions (spec 4.7 and 4.8.2).
//
// Contract: pure functions over string views; the caller has already checked UTF-8 (the
// decoder does for every topic it returns). Limits on length or level count are the
// engine's configuration, not checked here.
//
//   validate_topic_name("a/b")                -> true
//   validate_topic_filter("a/+/#")            -> true;  validate_topic_filter("a/#/b") -> false
//   parse_shared_subscription("$share/g/a/+") -> {group "g", filter "a/+"}
//   topic_matches_filter("$SYS/x", "#")       -> false [MQTT-4.7.2-1]
#pragma once

#include <optional>
#include <string_view>

namespace akasa::mqtt {

// A PUBLISH/Will topic name: at least one character [MQTT-4.7.3-1], no '+' or '#'
// [MQTT-3.3.2-2], no U+0000 [MQTT-4.7.3-2].
bool validate_topic_name(std::string_view topic);

// A SUBSCRIBE/UNSUBSCRIBE topic filter: at least one character, '#' only as the whole last
// level [MQTT-4.7.1-1], '+' only as a whole level [MQTT-4.7.1-2], no U+0000. A filter
// starting with "$share/" must be a valid shared subscription: a non-empty share name without
// '/', '+' or '#' [MQTT-4.8.2-1][MQTT-4.8.2-2], followed by '/' and a valid filter.
bool validate_topic_filter(std::string_view filter);

struct SharedSubscription {
    std::string_view group;   // the ShareName
    std::string_view filter;  // the topic filter after "$share/{group}/"
};

// Splits "$share/{group}/{filter}". nullopt when `filter` is not a shared subscription or
// is not a valid one (call validate_topic_filter to tell the two apart).
std::optional<SharedSubscription> parse_shared_subscription(std::string_view filter);

// Reference matcher: does `topic` (a valid topic name) match `filter` (a valid, non-shared
// topic filter)? '+' matches one level, '#' the parent and any number of levels below; a
// topic starting with '$' never matches a filter starting with a wildcard [MQTT-4.7.2-1].
bool topic_matches_filter(std::string_view topic, std::string_view filter);

}  // namespace akasa::mqtt
