// User keys the store never writes (key_schema.h), for the tests of the grouped memtable:
// their groups are what key_group() makes of keys it was not written for.
#pragma once

#include <string>
#include <vector>

namespace akasa::store::testing {

inline std::vector<std::string> keys_outside_the_schema() {
    return {
        "",  // the empty key: its own group
        // 'S' keys too short for a length field: the group "S", whose range spans every
        // client's group
        "S",
        std::string("S\x01", 2),
        std::string("S\xff", 2),
        std::string("S\x00\x05", 3) + "ab",  // a length field longer than the key
        std::string("\xff\xff", 2),          // unknown first bytes: a group per byte
        "X-unknown",
    };
}

}  // namespace akasa::store::testing
