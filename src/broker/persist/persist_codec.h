// Conversions between the engine's values (Message, Delivery, Session) and the store's records
// (store/records.h). The engine keeps steady-clock deadlines; the store keeps wall-clock ones,
// so expiry keeps counting while the broker is down. The v5 properties a message forwards, and
// the subscription identifiers of a queued or inflight delivery, travel in the record's opaque
// `properties` bytes, in the layout documented in docs/persistence.md ("Engine properties").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/routing/message.h"
#include "broker/session/outbox.h"
#include "store/records.h"

namespace akasa::broker::persist {

// The same instant on the two clocks, taken once so that conversions agree with each other.
struct ClockPair {
    Clock::time_point steady;
    store::WallTime wall;
    static ClockPair now(Clock::time_point steady_now) { return {steady_now, store::wall_now()}; }

    store::WallTime to_wall(Clock::time_point t) const {
        return wall + std::chrono::duration_cast<std::chrono::milliseconds>(t - steady);
    }
    Clock::time_point to_steady(store::WallTime t) const { return steady + (t - wall); }
};

// A message (with the delivery QoS, retain flag and subscription identifiers of one delivery
// when `delivery` is given) as a record.
store::MessageRecord to_record(const Message& message, const ClockPair& clocks);
store::MessageRecord to_record(const Delivery& delivery, const ClockPair& clocks);
// The same into `record`, keeping its strings' capacity (the per-message path).
void fill_record(store::MessageRecord& record, const Delivery& delivery, Clock::time_point now);

// The message a record stands for; null (with `error` set) when its properties do not
// decode. `subscription_ids` receives the identifiers stored with it (may be null).
MessagePtr from_record(const store::MessageRecord& record, const ClockPair& clocks,
                       std::vector<std::uint32_t>* subscription_ids, std::string* error);

// The opaque properties blob: empty when there is nothing to keep (the common case).
std::string encode_properties(const MessageProperties* properties,
                              const std::vector<std::uint32_t>& subscription_ids);
void encode_properties(const MessageProperties* properties,
                       const std::vector<std::uint32_t>& subscription_ids, std::string& out);
bool decode_properties(std::string_view bytes, std::unique_ptr<const MessageProperties>* properties,
                       std::vector<std::uint32_t>* subscription_ids);

}  // namespace akasa::broker::persist
