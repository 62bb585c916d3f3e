// Relations between two MQTT topic filters, used to decide a SUBSCRIBE against ACL rules
// written as filters. Both arguments are valid, non-shared topic filters. Like matching, a
// filter whose first level is a wildcard never reaches topics starting with '$'
// [MQTT-4.7.2-1].
//
//   filter_covers("a/#", "a/+/c")   -> true   (every topic of a/+/c is in a/#)
//   filters_overlap("a/+", "+/b")   -> true   (a/b is in both)
//   filters_overlap("#", "$SYS/x")  -> false
#pragma once

#include <string_view>

namespace akasa::hook::acl {

// True when every topic name matched by `inner` is also matched by `outer`.
bool filter_covers(std::string_view outer, std::string_view inner);

// True when at least one topic name is matched by both filters.
bool filters_overlap(std::string_view a, std::string_view b);

}  // namespace akasa::hook::acl
