#include "broker/mqtt5/mqtt5_message_expiry.h"

namespace akasa::broker::mqtt5 {

MessagePtr will_at_publication(const MessagePtr& will, Clock::time_point now) {
    if (!will->will_expiry_interval) return will;
    // A copy with its own bytes: the stored will may be gone before the copy is delivered.
    auto published =
        Message::create(will->topic, will->payload, will->qos, will->retain, will->publisher);
    published->expires_at = now + std::chrono::seconds(*will->will_expiry_interval);
    if (will->properties) {
        published->set_properties(std::make_unique<const MessageProperties>(*will->properties));
    }
    return published;
}

}  // namespace akasa::broker::mqtt5
