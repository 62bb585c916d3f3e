// The retained messages: at most one per topic name, in a trie keyed by topic level so
// that a subscription's filter finds its messages by walking the trie (`#` visits one
// subtree, `+` one level), not by scanning every retained topic.
//
//   RetainedStore<Message> retained;
//   retained.set("sport/tennis/score", message);     // replaces any previous one
//   retained.match("sport/+/score", [&](const std::shared_ptr<const Message>& m) { ... });
//   retained.erase("sport/tennis/score");            // a retained publish with no payload
//   retained.set(topic, message, {.max_messages = 1'000'000, .max_bytes = 1 << 30});
//     // -> SetResult::OverCount / OverBytes: not stored, nothing changed
//
// Contracts:
// - `Message` is the engine's immutable, reference-counted message (it carries its own
//   topic); the store only holds shared_ptrs to it and never looks inside, except through
//   `Cost`: Cost{}(message) is what holding it costs, in bytes (a pure function of the
//   message), summed in bytes() and bounded by Limits::max_bytes. The default costs nothing.
// - Topics (no wildcards) and filters are validated by the caller. Pass the filter without
//   its `$share/{group}/` prefix; whether shared subscriptions receive retained messages is
//   the engine's decision.
// - Matching follows §4.7 like SubscriptionIndex: `+` one level, `#` the rest including the
//   parent level, empty levels are levels, and a filter starting with `+` or `#` does not
//   match topics starting with `$` [MQTT-4.7.2-1].
// - Thread safety: concurrent match() calls; set()/erase() take an exclusive lock, and a
//   waiting writer goes ahead of new readers (see rw_lock.h). The visitor runs under the
//   shared lock and must not call into this store at all, not even match() (the read lock
//   is not recursive); copy the shared_ptrs out if delivery may block.
// - match() does not recurse: its pending branches (a `+` level's children, the levels below
//   a `#`) wait on an explicit stack (trie_walk.h), so no topic or filter, however deep, can
//   exhaust the thread's stack. It allocates nothing unless more than kInlineFrames branches
//   wait at once (topics over 32 levels deep under a wildcard); then the stack spills to the
//   heap for that call.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <shared_mutex>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/routing/rw_lock.h"
#include "broker/routing/topic_levels.h"
#include "broker/routing/trie_child_map.h"
#include "broker/routing/trie_walk.h"

namespace akasa::broker {

// Bounds RetainedStore::set() keeps to: a new topic is refused when `max_messages` are
// stored or its cost would take bytes() past `max_bytes`; a replacement only when it grows
// bytes() past `max_bytes` (updating a topic's message never fails for the count, and never
// for a message no larger than the one it replaces).
struct RetainedLimits {
    std::size_t max_messages = SIZE_MAX;
    std::size_t max_bytes = SIZE_MAX;
};

// The default Cost: nothing is counted in bytes().
struct NoRetainedCost {
    template <class Message>
    std::size_t operator()(const Message&) const {
        return 0;
    }
};

template <class Message, class Cost = NoRetainedCost>
class RetainedStore {
  public:
    using MessagePtr = std::shared_ptr<const Message>;

    using Limits = RetainedLimits;
    enum class SetResult : std::uint8_t { Stored, OverCount, OverBytes };

    RetainedStore() : root_(Node::create({})) {}
    ~RetainedStore() {
        std::vector<Node*> pending{root_};  // iterative: deep topics cannot exhaust the stack
        while (!pending.empty()) {
            Node* node = pending.back();
            pending.pop_back();
            node->children.for_each([&](Node* child) { pending.push_back(child); });
            Node::destroy(node);
        }
    }
    RetainedStore(const RetainedStore&) = delete;
    RetainedStore& operator=(const RetainedStore&) = delete;

    // Stores `message` as the retained message of `topic`, replacing any previous one,
    // within `limits`; when they refuse it nothing changes (no node is created). A null
    // message erases.
    SetResult set(std::string_view topic, MessagePtr message, const Limits& limits = {}) {
        if (message == nullptr) {
            erase(topic);
            return SetResult::Stored;
        }
        const std::size_t cost = Cost{}(*message);
        MessagePtr previous;  // released after the lock, in case it is the last reference
        std::unique_lock lock(mutex_);
        const std::size_t bytes = bytes_.load(std::memory_order_relaxed);
        auto refuse_new = [&]() -> std::optional<SetResult> {
            if (size_.load(std::memory_order_relaxed) >= limits.max_messages)
                return SetResult::OverCount;
            if (cost > limits.max_bytes || bytes > limits.max_bytes - cost)
                return SetResult::OverBytes;
            return std::nullopt;
        };
        Node* node = root_;
        bool creating = false;  // the topic's path ends below the existing nodes
        TopicLevels levels(topic);
        for (std::string_view level; levels.next(level);) {
            Node* child = creating ? nullptr : node->children.find(level);
            if (child == nullptr) {
                if (!creating) {
                    if (auto refused = refuse_new()) return *refused;
                    creating = true;
                }
                child = Node::create(level);
                node->children.insert(child);
            }
            node = child;
        }
        std::size_t previous_cost = 0;
        if (node->message == nullptr) {
            if (!creating) {
                if (auto refused = refuse_new()) return *refused;
            }
            size_.fetch_add(1, std::memory_order_relaxed);
        } else {
            previous_cost = Cost{}(*node->message);
            if (cost > previous_cost &&
                (cost > limits.max_bytes || bytes - previous_cost > limits.max_bytes - cost)) {
                return SetResult::OverBytes;
            }
        }
        bytes_.store(bytes - previous_cost + cost, std::memory_order_relaxed);
        previous = std::exchange(node->message, std::move(message));
        lock.unlock();
        return SetResult::Stored;
    }

    // Removes the retained message of `topic`; returns whether there was one.
    bool erase(std::string_view topic) {
        MessagePtr previous;
        std::unique_lock lock(mutex_);
        std::vector<Node*> path{root_};
        TopicLevels levels(topic);
        for (std::string_view level; levels.next(level);) {
            Node* child = path.back()->children.find(level);
            if (child == nullptr) return false;
            path.push_back(child);
        }
        previous = std::move(path.back()->message);
        if (previous == nullptr) return false;
        size_.fetch_sub(1, std::memory_order_relaxed);
        bytes_.fetch_sub(Cost{}(*previous), std::memory_order_relaxed);
        for (std::size_t i = path.size() - 1; i > 0 && path[i]->empty(); --i) {
            path[i - 1]->children.erase(path[i]->level());
            Node::destroy(path[i]);
        }
        lock.unlock();
        return true;
    }

    // Calls visit(const MessagePtr&) for every retained message whose topic matches `filter`.
    template <class Visit>
    void match(std::string_view filter, Visit&& visit) const {
        std::shared_lock lock(mutex_);
        follow<false>(root_, filter, 0, true, nullptr, visit);
    }

    // Number of retained messages.
    std::size_t size() const { return size_.load(std::memory_order_relaxed); }
    // Their cost together (Cost).
    std::size_t bytes() const { return bytes_.load(std::memory_order_relaxed); }

  private:
    // A trie node; the characters of its level start at `level_` and run past the end of
    // the struct into the same allocation (a flexible array in effect), as in
    // SubscriptionIndex: 40 bytes for levels of up to 4 characters.
    class Node {
      public:
        static Node* create(std::string_view level) {
            void* memory = ::operator new(allocation_size(level.size()));
            Node* node = new (memory) Node(static_cast<std::uint32_t>(level.size()));
            if (!level.empty()) {
                std::memcpy(static_cast<char*>(memory) + kLevelOffset, level.data(), level.size());
            }
            return node;
        }
        static void destroy(Node* node) {
            node->~Node();
            ::operator delete(node);
        }
        std::string_view level() const { return {level_, level_size_}; }
        bool empty() const { return children.empty() && message == nullptr; }

        TrieChildMap<Node> children;
        MessagePtr message;

      private:
        static constexpr std::size_t kInlineLevel = 4;
        static constexpr std::size_t kLevelOffset = 16 + sizeof(MessagePtr) + 4;

        static std::size_t allocation_size(std::size_t level_size) {
            static_assert(sizeof(Node) == kLevelOffset + kInlineLevel,
                          "Node layout changed: check kLevelOffset");
            return level_size <= kInlineLevel ? sizeof(Node) : kLevelOffset + level_size;
        }

        explicit Node(std::uint32_t level_size) : level_size_(level_size) {}
        std::uint32_t level_size_;
        char level_[kInlineLevel];
    };

    // A node whose children are being visited: each with the filter from `rest` on (after a
    // `+`), or with everything below it (after a `#`). 24 bytes.
    static constexpr std::size_t kWholeSubtree = kNoMoreLevels - 1;
    struct Frame {
        const Node* node;
        std::size_t rest;  // where the children's filter level starts, or kWholeSubtree
        std::uint32_t cursor;
        bool at_root;  // the children are first levels: `$` topics are not matched
    };
    static constexpr std::size_t kInlineFrames = 32;
    using Frames = WalkStack<Frame, kInlineFrames>;

    // Follows `filter` from `pos` down the literal levels below `node`; a wildcard level
    // ends the descent with a frame for the children it matches. kStacked: the frame goes
    // on `pending`. Otherwise (no stack yet, the start of every match) walk_frames() takes
    // it: exact filters, the common case, never pay for setting up a stack, and the
    // literal path stays small enough for the compiler to inline the child lookups (it did
    // not with the stack in the same function: a third slower, BM_RetainedExact1M).
    // `pos` is kNoMoreLevels once every level has been consumed.
    template <bool kStacked, class Visit>
    static void follow(const Node* node, std::string_view filter, std::size_t pos, bool at_root,
                       Frames* pending, Visit& visit) {
        for (; pos != kNoMoreLevels; at_root = false) {
            const auto [level, next] = level_at(filter, pos);
            const bool rest = level == "#";
            if (rest || level == "+") {
                if (rest && node->message != nullptr) visit(node->message);  // [MQTT-4.7.1-2]
                if (node->children.empty()) return;
                const Frame frame{node, rest ? kWholeSubtree : next, 0, at_root};
                if constexpr (kStacked) {
                    pending->push(frame);
                } else {
                    walk_frames(frame, filter, visit);
                }
                return;
            }
            node = node->children.find(level);
            if (node == nullptr) return;
            pos = next;
        }
        if (node->message != nullptr) visit(node->message);
    }

    // Visits the children of `first` and of every frame their walks leave, deepest first
    // (the order of a recursive walk).
    template <class Visit>
    static void walk_frames(const Frame& first, std::string_view filter, Visit& visit) {
        Frames pending;
        pending.push(first);
        while (!pending.empty()) {
            Frame& frame = pending.top();
            const Node* child = frame.node->children.next(frame.cursor);
            if (child == nullptr) {
                pending.pop();
                continue;
            }
            if (frame.at_root && is_dollar_level(child->level())) continue;  // [MQTT-4.7.2-1]
            if (frame.rest == kWholeSubtree) {
                if (child->message != nullptr) visit(child->message);
                if (!child->children.empty()) pending.push({child, kWholeSubtree, 0, false});
            } else {
                follow<true>(child, filter, frame.rest, false, &pending, visit);
            }
        }
    }

    mutable RwLock mutex_;
    Node* root_;  // guarded by mutex_
    std::atomic<std::size_t> size_{0};
    std::atomic<std::size_t> bytes_{0};  // written under the exclusive lock
};

}  // namespace akasa::broker
