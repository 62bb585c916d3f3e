// The subscription index: every topic filter subscribed to, and who subscribed with which
// options, in a trie keyed by topic level. The publish path asks it "who wants topic T?".
//
//   SubscriptionIndex index;
//   index.subscribe("sport/tennis/+", {.session = 7, .qos = 1});
//   index.subscribe("$share/workers/jobs/#", {.session = 9, .qos = 2});
//   index.match("sport/tennis/player1",
//       [&](const Subscription& s) { /* deliver to s.session (once per filter) */ },
//       [&](std::string_view group, std::span<const Subscription> members) { /* pick one */ });
//
// Contracts:
// - Filters and topics are validated by the caller (the codec): UTF-8, no wildcards in
//   topics, `#` only as the last level, `+`/`#` alone in their level, no empty topic. Any
//   length and level count is handled without recursion (trie_walk.h); the broker bounds them
//   anyway (max_topic_levels, max_topic_length), since a walk's work grows with them.
// - A filter `$share/{group}/{filter}` is a shared subscription of `group` to `filter`.
//   Subscriptions are keyed by (session, group, filter): subscribing again replaces the
//   options [MQTT-3.8.4-3] and says so (kReplaced), for Retain Handling 1.
// - Sessions are removed by unsubscribing each of their filters (the engine keeps the list
//   of a session's filters anyway); unsubscribe_all() does it under one lock acquisition.
// - Matching: `+` matches exactly one level, `#` the rest including the parent level
//   (`a/#` matches `a`) [MQTT-4.7.1-2], empty levels are levels (`a//b`), and a topic whose
//   first level starts with `$` is not matched by a filter starting with `+` or `#`
//   [MQTT-4.7.2-1] (shared filters alike).
// - match() calls on_subscriber once per matching non-shared subscription: a session with
//   several matching filters is visited once per filter, so the engine merges (max QoS,
//   all subscription identifiers). It calls on_shared_group once per matching (group,
//   filter) with that group's members (never empty, in subscription order; unsubscribing
//   keeps the others' order); the engine picks the recipient. The views are valid only
//   during the callback. The order of the calls is unspecified.
// - Memory: nodes are 40 bytes plus their level beyond 4 characters, a filter's subscribers
//   one array (24 bytes for one); `+`, `#` and shared groups live in an extension allocated
//   only where used. 1M filters `dev/{i}/temp` take ~160 bytes of RSS per subscription.
// - Thread safety: any number of concurrent match() calls; subscribe/unsubscribe take an
//   exclusive lock, and a waiting writer goes ahead of new readers (see rw_lock.h).
//   Callbacks run under the shared lock and must not call into this index at all, not even
//   match() (the read lock is not recursive). match() allocates nothing unless more than
//   kInlineBranches `+` branches wait at once (a topic over 32 levels deep where, level after
//   level, both a `+` and a literal filter continue); then its stack spills to the heap.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "broker/routing/rw_lock.h"
#include "broker/routing/subscription.h"
#include "broker/routing/topic_levels.h"
#include "broker/routing/trie_child_map.h"
#include "broker/routing/trie_walk.h"

namespace akasa::broker {

namespace subscription_index_detail {

struct SharedGroup {
    std::string name;
    std::vector<Subscription> members;
};

// The non-shared subscriptions to one filter: one allocation of an 8-byte header followed
// by the subscriptions (32 bytes with the allocator's overhead for a single subscriber).
struct SubscriberSet {
    std::uint32_t size = 0;
    std::uint32_t capacity = 0;

    std::span<const Subscription> subscriptions() const {
        return {reinterpret_cast<const Subscription*>(this + 1), size};
    }
    Subscription* data() { return reinterpret_cast<Subscription*>(this + 1); }
};

class Node;

// The parts of a node that most nodes lack, allocated on first use so that the common
// node (a literal level with one exact filter, or on the way to one) stays 40 bytes.
struct NodeExtras {
    Node* plus = nullptr;                  // the `+` next level
    SubscriberSet* rest = nullptr;         // filters ending with `#` right after this node
    std::vector<SharedGroup> shared_here;  // $share groups of filters ending here
    std::vector<SharedGroup> shared_rest;  // $share groups of filters ending with `#` next

    bool empty() const {
        return plus == nullptr && rest == nullptr && shared_here.empty() && shared_rest.empty();
    }
};

// A trie node. The characters of its level start at `level_` and run past the end of the
// struct into the same allocation (Node::create sizes it), a flexible array in effect.
class Node {
  public:
    static Node* create(std::string_view level);
    static void destroy(Node* node);  // the node and its extras; children must be gone

    std::string_view level() const { return {level_, level_size_}; }
    bool empty() const { return children.empty() && here == nullptr && extras == nullptr; }

    NodeExtras& ensure_extras() {
        if (extras == nullptr) extras = new NodeExtras();
        return *extras;
    }
    void drop_extras_if_empty() {
        if (extras != nullptr && extras->empty()) {
            delete extras;
            extras = nullptr;
        }
    }

    TrieChildMap<Node> children;    // literal next levels
    SubscriberSet* here = nullptr;  // non-shared filters that end at this node
    NodeExtras* extras = nullptr;   // `+` child, `#` filters, shared groups; usually null

    // Bytes Node::create allocates for a level of this size.
    static std::size_t allocation_size(std::size_t level_size) {
        return level_size <= kInlineLevel ? sizeof(Node) : sizeof(Node) - kInlineLevel + level_size;
    }

  private:
    static constexpr std::size_t kInlineLevel = 4;

    explicit Node(std::uint32_t level_size) : level_size_(level_size) {}
    std::uint32_t level_size_;
    char level_[kInlineLevel];
};

}  // namespace subscription_index_detail

class SubscriptionIndex {
  public:
    SubscriptionIndex();
    ~SubscriptionIndex();
    SubscriptionIndex(const SubscriptionIndex&) = delete;
    SubscriptionIndex& operator=(const SubscriptionIndex&) = delete;

    // Adds the subscription, or replaces the options of `subscription.session`'s existing
    // subscription to the same (group, filter).
    SubscribeResult subscribe(std::string_view filter, const Subscription& subscription);

    // Removes `session`'s subscription to `filter` (a `$share/...` filter removes the
    // shared one). Returns whether it existed (v5 UNSUBACK 0x11 when not).
    bool unsubscribe(std::string_view filter, SessionId session);

    // unsubscribe() of each filter in `filters` (a range of things convertible to
    // std::string_view) under one lock; returns how many existed. For session teardown.
    template <class Filters>
    std::size_t unsubscribe_all(const Filters& filters, SessionId session) {
        std::unique_lock lock(mutex_);
        std::size_t removed = 0;
        for (const auto& filter : filters) {
            if (unsubscribe_locked(std::string_view(filter), session)) ++removed;
        }
        return removed;
    }

    template <class OnSubscriber, class OnSharedGroup>
    void match(std::string_view topic, OnSubscriber&& on_subscriber,
               OnSharedGroup&& on_shared_group) const {
        std::shared_lock lock(mutex_);
        walk<false>(root_, topic, 0, true, nullptr, on_subscriber, on_shared_group);
    }

    // Number of subscriptions (shared members included), for metrics.
    std::size_t size() const { return size_.load(std::memory_order_relaxed); }

    // Heap bytes held by the trie (nodes, child tables, subscription arrays), excluding
    // allocator overhead. For memory accounting in benchmarks and metrics. O(nodes).
    std::size_t allocated_bytes() const;

  private:
    using Node = subscription_index_detail::Node;
    using SubscriberSet = subscription_index_detail::SubscriberSet;
    using NodeExtras = subscription_index_detail::NodeExtras;
    using SharedGroup = subscription_index_detail::SharedGroup;

    bool unsubscribe_locked(std::string_view filter, SessionId session);

    // A branch of match() still to walk: `node` with the topic from `pos` on.
    struct Branch {
        const Node* node;
        std::size_t pos;
    };
    static constexpr std::size_t kInlineBranches = 32;

    using Branches = WalkStack<Branch, kInlineBranches>;

    // Walks `topic` from `pos` down from `node`. Where a `+` child and a literal child both
    // continue (a fork), the `+` one is walked first and the literal one waits on `pending`
    // (the order a recursive walk would take). kStacked false: no stack yet. Most topics
    // meet no fork, and setting up and tearing down the stack cost about 25 instructions a
    // match (callgrind, BM_MatchExact1M's data), so the first fork hands the walk over to
    // walk_forked(), which owns one.
    template <bool kStacked, class OnSubscriber, class OnSharedGroup>
    static void walk(const Node* node, std::string_view topic, std::size_t pos, bool at_root,
                     Branches* pending, OnSubscriber& on_subscriber,
                     OnSharedGroup& on_shared_group) {
        while (true) {
            const NodeExtras* extras = node->extras;
            if (pos == kNoMoreLevels) {
                if (node->here != nullptr) {
                    for (const Subscription& s : node->here->subscriptions())
                        on_subscriber(s);
                }
                if (extras != nullptr) {
                    visit(nullptr, extras->shared_here, on_subscriber, on_shared_group);
                    // `a/#` matches `a` [MQTT-4.7.1-2]
                    visit(extras->rest, extras->shared_rest, on_subscriber, on_shared_group);
                }
            } else {
                const auto [level, next] = level_at(topic, pos);
                // [MQTT-4.7.2-1]: no wildcard at the first level matches a `$` topic.
                if (extras != nullptr && !(at_root && is_dollar_level(level))) {
                    visit(extras->rest, extras->shared_rest, on_subscriber, on_shared_group);
                    if (extras->plus != nullptr) {
                        const Node* literal = node->children.find(level);
                        if (literal != nullptr) {
                            if constexpr (kStacked) {
                                pending->push({literal, next});
                            } else {
                                return walk_forked(extras->plus, literal, topic, next,
                                                   on_subscriber, on_shared_group);
                            }
                        }
                        node = extras->plus;
                        pos = next;
                        at_root = false;
                        continue;
                    }
                }
                if (const Node* literal = node->children.find(level)) {
                    node = literal;
                    pos = next;
                    at_root = false;
                    continue;
                }
            }
            if constexpr (kStacked) {
                if (!pending->empty()) {
                    node = pending->top().node;
                    pos = pending->top().pos;
                    pending->pop();
                    continue;
                }
            }
            return;
        }
    }

    // The walk from the first fork on: `plus` now, `literal` later, both from `pos`.
    template <class OnSubscriber, class OnSharedGroup>
    static void walk_forked(const Node* plus, const Node* literal, std::string_view topic,
                            std::size_t pos, OnSubscriber& on_subscriber,
                            OnSharedGroup& on_shared_group) {
        Branches pending;
        pending.push({literal, pos});
        walk<true>(plus, topic, pos, false, &pending, on_subscriber, on_shared_group);
    }

    template <class OnSubscriber, class OnSharedGroup>
    static void visit(const SubscriberSet* set, const std::vector<SharedGroup>& groups,
                      OnSubscriber& on_subscriber, OnSharedGroup& on_shared_group) {
        if (set != nullptr) {
            for (const Subscription& s : set->subscriptions())
                on_subscriber(s);
        }
        for (const SharedGroup& group : groups) {
            on_shared_group(std::string_view(group.name),
                            std::span<const Subscription>(group.members));
        }
    }

    mutable RwLock mutex_;
    Node* root_;  // guarded by mutex_
    std::atomic<std::size_t> size_{0};
};

}  // namespace akasa::broker
