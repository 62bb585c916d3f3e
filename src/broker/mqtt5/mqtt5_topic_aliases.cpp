#include "broker/mqtt5/mqtt5_topic_aliases.h"

#include <algorithm>
#include <functional>

#include "mqtt/encoder.h"

namespace akasa::broker {

void OutboundTopicAliases::reset(std::uint16_t client_maximum) {
    capacity_ = std::min(client_maximum, kMaxAliases);
    clock_ = 0;
    slots_.clear();
    by_topic_.clear();
    seen_once_.fill(0);
}

OutboundTopicAliases::Choice OutboundTopicAliases::choose(std::string_view topic) {
    if (capacity_ == 0 || topic.size() < kMinTopicLength) return {};
    ++clock_;
    if (auto it = by_topic_.find(std::string(topic)); it != by_topic_.end()) {
        slots_[it->second - 1].last_used = clock_;
        return {it->second, false};
    }
    // Admission: only a topic seen before in the recent history (hash 0 marks a free cell).
    const std::size_t hash = std::hash<std::string_view>{}(topic) | 1;
    auto& cell = seen_once_[hash % seen_once_.size()];
    if (cell != hash) {
        cell = hash;
        return {};
    }
    cell = 0;
    std::uint16_t alias = 0;
    if (slots_.size() < capacity_) {
        slots_.push_back({});
        alias = static_cast<std::uint16_t>(slots_.size());
    } else {
        const auto lru = std::min_element(
            slots_.begin(), slots_.end(),
            [](const Slot& a, const Slot& b) { return a.last_used < b.last_used; });
        alias = static_cast<std::uint16_t>(lru - slots_.begin() + 1);
        if (!lru->topic.empty()) by_topic_.erase(lru->topic);
    }
    Slot& slot = slots_[alias - 1];
    slot.topic.assign(topic);
    slot.last_used = clock_;
    by_topic_.emplace(slot.topic, alias);
    return {alias, true};
}

void OutboundTopicAliases::forget(const Choice& choice) {
    if (choice.alias == 0 || choice.alias > slots_.size()) return;
    Slot& slot = slots_[choice.alias - 1];
    if (!choice.send_topic) return;  // the client learnt the mapping earlier: still valid
    // Still hot: the next delivery of the topic may take an alias again.
    const std::size_t hash = std::hash<std::string_view>{}(slot.topic) | 1;
    seen_once_[hash % seen_once_.size()] = hash;
    by_topic_.erase(slot.topic);
    slot.topic.clear();
    slot.last_used = 0;
}

AliasedPublish encode_with_alias(OutboundTopicAliases& aliases, mqtt::Publish& publish,
                                 std::vector<std::uint8_t>& out, bool head_only) {
    AliasedPublish result;
    result.choice = aliases.choose(publish.topic);
    if (result.choice.alias != 0) {
        publish.properties.topic_alias = result.choice.alias;
        if (!result.choice.send_topic) publish.topic = {};
    }
    out.clear();
    if (head_only) {
        mqtt::encode_publish_head(publish, mqtt::ProtocolVersion::V5, out);
    } else {
        mqtt::encode(publish, mqtt::ProtocolVersion::V5, out);
    }
    // Fixed header byte, Remaining Length (1..4 bytes), topic length (2) and topic.
    std::size_t header = 1;
    while (out[header] & 0x80)
        ++header;
    result.packet_id_offset = header + 1 + 2 + publish.topic.size();
    return result;
}

}  // namespace akasa::broker
