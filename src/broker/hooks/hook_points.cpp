#include "broker/hooks/hook_points.h"

#include <utility>

namespace akasa::broker {

using hook::CallSite;
using hook::ChainResult;
using hook::HookChain;

namespace {

std::vector<std::string> owned_filters(const mqtt::Subscribe& subscribe) {
    std::vector<std::string> filters;
    filters.reserve(subscribe.topics.size());
    for (const auto& topic : subscribe.topics)
        filters.emplace_back(topic.filter);
    return filters;
}

std::vector<std::string> owned_filters(const mqtt::Unsubscribe& unsubscribe) {
    return {unsubscribe.topic_filters.begin(), unsubscribe.topic_filters.end()};
}

std::vector<mqtt::SubscriptionOptions> owned_options(const mqtt::Subscribe& subscribe) {
    std::vector<mqtt::SubscriptionOptions> options;
    options.reserve(subscribe.topics.size());
    for (const auto& topic : subscribe.topics)
        options.push_back(topic.options);
    return options;
}

// A SUBSCRIBE whose filters view into `filters`.
mqtt::Subscribe subscribe_of(std::uint16_t packet_id, const std::vector<std::string>& filters,
                             const std::vector<mqtt::SubscriptionOptions>& options) {
    mqtt::Subscribe subscribe;
    subscribe.packet_id = packet_id;
    subscribe.topics.reserve(filters.size());
    for (std::size_t i = 0; i < filters.size(); ++i)
        subscribe.topics.push_back({filters[i], options[i]});
    return subscribe;
}

mqtt::Unsubscribe unsubscribe_of(std::uint16_t packet_id, const std::vector<std::string>& filters) {
    mqtt::Unsubscribe unsubscribe;
    unsubscribe.packet_id = packet_id;
    unsubscribe.topic_filters.assign(filters.begin(), filters.end());
    return unsubscribe;
}

}  // namespace

// --- CONNECT ---

ConnectPoint::Parked ConnectPoint::own(const Packet&, State&& state) {
    // The packet is decoded again from its bytes: before_connect hooks cannot rewrite it.
    return Parked{state.header, {state.body.begin(), state.body.end()}, std::move(state.request)};
}

mqtt::DecodeResult ConnectPoint::rebuild(Parked& parked, Packet& connect, State& state) {
    state = State{parked.header, parked.body, std::move(parked.request)};
    return mqtt::decode_connect(parked.header, parked.body, connect);
}

// --- PUBLISH ---

ChainResult PublishPoint::run(const HookChain& chain, const CallSite& site, Packet& publish,
                              State& state, std::size_t from) {
    auto result = chain.before_publish(site, publish, from);
    state.changed = state.changed || result.changed;
    return result;
}

PublishPoint::Parked PublishPoint::own(const Packet& publish, State&& state) {
    // Copied before the previous copy (which the packet may view into) goes.
    return Parked{state.header,
                  {state.body.begin(), state.body.end()},
                  state.version,
                  std::string(publish.topic),
                  std::string(publish.payload),
                  state.changed};
}

mqtt::DecodeResult PublishPoint::rebuild(Parked& parked, Packet& publish, State& state) {
    state = State{parked.header, parked.body, parked.version, parked.changed};
    if (auto error = mqtt::decode_publish(parked.header, parked.body, parked.version, publish)) {
        return error;
    }
    publish.topic = parked.topic;
    publish.payload = parked.payload;
    return std::nullopt;
}

void PublishPoint::apply(const hook::Decision& decision, Packet& publish, State& state,
                         hook::PacketArena& arena) {
    state.changed = HookChain::apply(decision, publish, arena) || state.changed;
}

// --- SUBSCRIBE ---

SubscribePoint::Packet SubscribePoint::for_hooks(const mqtt::Subscribe& subscribe) {
    Packet packet;
    packet.packet_id = subscribe.packet_id;
    packet.topics = subscribe.topics;
    packet.properties.subscription_identifiers = subscribe.properties.subscription_identifiers;
    return packet;
}

SubscribePoint::Parked SubscribePoint::own(const Packet& subscribe, State&& state) {
    return Parked{subscribe.packet_id, owned_filters(subscribe), owned_options(subscribe),
                  subscribe.properties.subscription_identifiers, std::move(state.reasons)};
}

mqtt::DecodeResult SubscribePoint::rebuild(Parked& parked, Packet& subscribe, State& state) {
    subscribe = subscribe_of(parked.packet_id, parked.filters, parked.options);
    subscribe.properties.subscription_identifiers = parked.subscription_identifiers;
    state.reasons = std::move(parked.reasons);
    return std::nullopt;
}

// --- UNSUBSCRIBE ---

UnsubscribePoint::Packet UnsubscribePoint::for_hooks(const mqtt::Unsubscribe& unsubscribe) {
    Packet packet;
    packet.packet_id = unsubscribe.packet_id;
    packet.topic_filters = unsubscribe.topic_filters;
    return packet;
}

UnsubscribePoint::Parked UnsubscribePoint::own(const Packet& unsubscribe, State&& state) {
    return Parked{unsubscribe.packet_id, owned_filters(unsubscribe), std::move(state.reasons)};
}

mqtt::DecodeResult UnsubscribePoint::rebuild(Parked& parked, Packet& unsubscribe, State& state) {
    unsubscribe = unsubscribe_of(parked.packet_id, parked.filters);
    state.reasons = std::move(parked.reasons);
    return std::nullopt;
}

// --- after_* points ---

AfterPublishPoint::Owned AfterPublishPoint::own(const mqtt::Publish& publish, bool changed) {
    return Owned{std::string(publish.topic), std::string(publish.payload), publish.qos,
                 publish.retain, changed};
}

ChainResult AfterPublishPoint::resume(const HookChain& chain, const CallSite& site,
                                      const Owned& owned, std::size_t from) {
    mqtt::Publish publish;
    publish.topic = owned.topic;
    publish.payload = owned.payload;
    publish.qos = owned.qos;
    publish.retain = owned.retain;
    return run(chain, site, publish, owned.changed, from);
}

AfterSubscribePoint::Owned AfterSubscribePoint::own(const mqtt::Subscribe& subscribe,
                                                    std::span<const std::uint8_t> reason_codes) {
    return Owned{subscribe.packet_id,
                 owned_filters(subscribe),
                 owned_options(subscribe),
                 {reason_codes.begin(), reason_codes.end()}};
}

ChainResult AfterSubscribePoint::resume(const HookChain& chain, const CallSite& site,
                                        const Owned& owned, std::size_t from) {
    return run(chain, site, subscribe_of(owned.packet_id, owned.filters, owned.options),
               owned.codes, from);
}

AfterUnsubscribePoint::Owned AfterUnsubscribePoint::own(const mqtt::Unsubscribe& unsubscribe) {
    return Owned{unsubscribe.packet_id, owned_filters(unsubscribe)};
}

ChainResult AfterUnsubscribePoint::resume(const HookChain& chain, const CallSite& site,
                                          const Owned& owned, std::size_t from) {
    return run(chain, site, unsubscribe_of(owned.packet_id, owned.filters), from);
}

}  // namespace akasa::broker
