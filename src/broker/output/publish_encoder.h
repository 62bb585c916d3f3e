// The encode-once cache of a worker's outgoing PUBLISHes: a message fanned out to many
// subscribers is encoded once per wire form (protocol, QoS, retain flag) and copied to each
// with its packet id patched in (ConnectionOutput::append_publish). Forms that differ per
// subscriber (v5 Subscription Identifiers, outbound Topic Aliases) are encoded for that one.
// One per worker, shared by its connections; used on the worker's thread only.
//
//   PublishEncoder::Form form = encoder.encode(delivery, v5, aliases, now);
//   if (form.size > client_max) { form.forget_alias(); ... }   // not sent
//   output.append_publish(form.bytes, form.packet_id_offset, id, dup,
//                         form.by_reference ? &delivery.message : nullptr);
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "broker/mqtt5/mqtt5_topic_aliases.h"
#include "broker/output/connection_output.h"
#include "broker/routing/message.h"
#include "broker/session/outbox.h"

namespace akasa::broker {

class PublishEncoder {
  public:
    struct Form {
        // The PUBLISH, or with `by_reference` the PUBLISH up to its payload (which then
        // follows from the message: ConnectionOutput::kReferencedPayload).
        std::span<const std::uint8_t> bytes;
        std::size_t packet_id_offset = 0;
        std::size_t size = 0;  // the whole packet's size, payload included
        bool by_reference = false;
        OutboundTopicAliases* aliases = nullptr;  // the alias chosen for this form, if any
        OutboundTopicAliases::Choice alias;
        // The form is not sent (too large for the client): an alias it set up is undone.
        void forget_alias() const {
            if (aliases) aliases->forget(alias);
        }
    };

    // The wire form of `delivery` for a client speaking v5 (`v5`) or 3.x, with the client's
    // outbound Topic Aliases when it allows them (null otherwise). Valid until the next call.
    // Inline for its common case, a form this message already has: a fan-out's every
    // delivery after the first (measured: the call and the full path cost a delivery about
    // a twentieth of its instructions).
    Form encode(const Delivery& delivery, bool v5, OutboundTopicAliases* aliases,
                Clock::time_point now) {
        const Message& message = *delivery.message;
        const bool per_subscriber = v5 && (aliases || !delivery.subscription_ids.empty());
        if (!per_subscriber && cached_message_.get() == &message &&
            (!message.expires_at || cached_at_ == now)) {
            const auto& cached = cached_forms_[form_index(delivery, v5)];
            if (cached.generation == generation_) {
                Form form;
                form.bytes = cached.bytes;
                form.packet_id_offset = cached.packet_id_offset;
                form.by_reference = message.payload.size() >= ConnectionOutput::kReferencedPayload;
                form.size = cached.bytes.size() + (form.by_reference ? message.payload.size() : 0);
                return form;
            }
        }
        return encode_anew(delivery, v5, aliases, now);
    }

  private:
    // encode() for a form not cached yet (or one per subscriber): encodes it.
    Form encode_anew(const Delivery& delivery, bool v5, OutboundTopicAliases* aliases,
                     Clock::time_point now);
    // The cached form's slot: [v5][qos][retain].
    static std::size_t form_index(const Delivery& delivery, bool v5) {
        return (v5 ? 6 : 0) + static_cast<std::size_t>(delivery.qos) * 2 +
               (delivery.retain ? 1 : 0);
    }

    // The wire forms of the message last encoded, indexed by [v5][qos][retain].
    struct CachedForm {
        std::vector<std::uint8_t> bytes;
        std::size_t packet_id_offset = 0;
        std::uint64_t generation = 0;  // valid while equal to generation_
    };
    MessagePtr cached_message_;  // held, so its address cannot be reused meanwhile
    Clock::time_point cached_at_;
    std::array<CachedForm, 12> cached_forms_;
    // Bumped for each new message: one store invalidates all twelve forms (fan-in encodes
    // a new message for nearly every delivery).
    std::uint64_t generation_ = 1;
    std::vector<std::uint8_t> scratch_;  // forms that are not shared
};

}  // namespace akasa::broker
