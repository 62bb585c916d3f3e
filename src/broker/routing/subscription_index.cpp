#include "broker/routing/subscription_index.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>

namespace akasa::broker {

namespace subscription_index_detail {

// The level's characters start in the last kInlineLevel bytes of Node (see allocation_size).
static_assert(sizeof(Node) == 40, "Node layout changed: check Node::allocation_size()");

Node* Node::create(std::string_view level) {
    void* memory = ::operator new(allocation_size(level.size()));
    Node* node = new (memory) Node(static_cast<std::uint32_t>(level.size()));
    if (!level.empty()) {
        std::memcpy(static_cast<char*>(memory) + (sizeof(Node) - kInlineLevel), level.data(),
                    level.size());
    }
    return node;
}

void Node::destroy(Node* node) {
    delete node->extras;
    node->~Node();
    ::operator delete(node);
}

namespace {

static_assert(std::is_trivially_copyable_v<Subscription>);
static_assert(std::is_trivially_destructible_v<Subscription>);

SubscriberSet* create_set(std::uint32_t capacity) {
    void* memory = ::operator new(sizeof(SubscriberSet) + capacity * sizeof(Subscription));
    auto* set = new (memory) SubscriberSet();
    set->capacity = capacity;
    return set;
}

void destroy_set(SubscriberSet* set) {
    if (set == nullptr) return;
    set->~SubscriberSet();  // Subscription is trivially destructible
    ::operator delete(set);
}

// Moves the set into an allocation with room for `capacity` subscriptions.
SubscriberSet* resize_set(SubscriberSet* set, std::uint32_t capacity) {
    SubscriberSet* resized = create_set(capacity);
    resized->size = set->size;
    std::uninitialized_copy_n(set->subscriptions().data(), set->size, resized->data());
    destroy_set(set);
    return resized;
}

SubscribeResult upsert(SubscriberSet*& set, const Subscription& sub) {
    if (set == nullptr) set = create_set(1);
    Subscription* data = set->data();
    for (std::uint32_t i = 0; i < set->size; ++i) {
        if (data[i].session == sub.session) {
            data[i] = sub;
            return SubscribeResult::kReplaced;
        }
    }
    if (set->size == set->capacity) set = resize_set(set, set->capacity * 2);
    std::construct_at(set->data() + set->size, sub);
    ++set->size;
    return SubscribeResult::kAdded;
}

SubscribeResult upsert(std::vector<SharedGroup>& groups, std::string_view group,
                       const Subscription& sub) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const SharedGroup& g) { return g.name == group; });
    if (it == groups.end()) {
        groups.push_back(SharedGroup{std::string(group), {sub}});
        return SubscribeResult::kAdded;
    }
    for (Subscription& member : it->members) {
        if (member.session == sub.session) {
            member = sub;
            return SubscribeResult::kReplaced;
        }
    }
    it->members.push_back(sub);
    return SubscribeResult::kAdded;
}

bool remove(SubscriberSet*& set, SessionId session) {
    if (set == nullptr) return false;
    Subscription* data = set->data();
    std::uint32_t i = 0;
    while (i < set->size && data[i].session != session)
        ++i;
    if (i == set->size) return false;
    data[i] = data[set->size - 1];
    --set->size;
    if (set->size == 0) {
        destroy_set(set);
        set = nullptr;
    } else if (set->capacity > 4 && set->size <= set->capacity / 4) {
        set = resize_set(set, set->capacity / 2);  // give memory back after a crowd left
    }
    return true;
}

bool remove(std::vector<SharedGroup>& groups, std::string_view group, SessionId session) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const SharedGroup& g) { return g.name == group; });
    if (it == groups.end()) return false;
    auto& members = it->members;
    auto member = std::find_if(members.begin(), members.end(),
                               [&](const Subscription& s) { return s.session == session; });
    if (member == members.end()) return false;
    members.erase(member);  // keeps the order, for engines that rotate through members
    if (members.empty()) groups.erase(it);
    if (groups.empty()) groups.shrink_to_fit();
    return true;
}

std::size_t set_bytes(const SubscriberSet* set) {
    return set == nullptr ? 0 : sizeof(SubscriberSet) + set->capacity * sizeof(Subscription);
}

std::size_t groups_bytes(const std::vector<SharedGroup>& groups) {
    std::size_t bytes = groups.capacity() * sizeof(SharedGroup);
    for (const auto& g : groups) {
        bytes += g.name.capacity() + 1 + g.members.capacity() * sizeof(Subscription);
    }
    return bytes;
}

}  // namespace

}  // namespace subscription_index_detail

using subscription_index_detail::destroy_set;
using subscription_index_detail::Node;

SubscriptionIndex::SubscriptionIndex() : root_(Node::create({})) {}

SubscriptionIndex::~SubscriptionIndex() {
    // Iterative, so deep filters cannot exhaust the stack.
    std::vector<Node*> pending{root_};
    while (!pending.empty()) {
        Node* node = pending.back();
        pending.pop_back();
        node->children.for_each([&](Node* child) { pending.push_back(child); });
        destroy_set(node->here);
        if (node->extras != nullptr) {
            if (node->extras->plus != nullptr) pending.push_back(node->extras->plus);
            destroy_set(node->extras->rest);
        }
        Node::destroy(node);
    }
}

SubscribeResult SubscriptionIndex::subscribe(std::string_view filter,
                                             const Subscription& subscription) {
    const auto parsed = parse_shared_filter(filter);
    std::unique_lock lock(mutex_);
    Node* node = root_;
    bool ends_with_hash = false;
    TopicLevels levels(parsed.filter);
    for (std::string_view level; levels.next(level);) {
        if (level == "#") {
            ends_with_hash = true;
            break;  // `#` is the last level of a valid filter
        }
        if (level == "+") {
            NodeExtras& extras = node->ensure_extras();
            if (extras.plus == nullptr) extras.plus = Node::create(level);
            node = extras.plus;
            continue;
        }
        Node* child = node->children.find(level);
        if (child == nullptr) {
            child = Node::create(level);
            node->children.insert(child);
        }
        node = child;
    }
    SubscribeResult result;
    if (parsed.group.empty() && !ends_with_hash) {
        result = subscription_index_detail::upsert(node->here, subscription);
    } else if (parsed.group.empty()) {
        result = subscription_index_detail::upsert(node->ensure_extras().rest, subscription);
    } else {
        NodeExtras& extras = node->ensure_extras();
        result = subscription_index_detail::upsert(
            ends_with_hash ? extras.shared_rest : extras.shared_here, parsed.group, subscription);
    }
    if (result == SubscribeResult::kAdded) size_.fetch_add(1, std::memory_order_relaxed);
    return result;
}

bool SubscriptionIndex::unsubscribe(std::string_view filter, SessionId session) {
    std::unique_lock lock(mutex_);
    return unsubscribe_locked(filter, session);
}

bool SubscriptionIndex::unsubscribe_locked(std::string_view filter, SessionId session) {
    const auto parsed = parse_shared_filter(filter);
    std::vector<Node*> path{root_};
    bool ends_with_hash = false;
    TopicLevels levels(parsed.filter);
    for (std::string_view level; levels.next(level);) {
        Node* node = path.back();
        if (level == "#") {
            ends_with_hash = true;
            break;
        }
        Node* next = nullptr;
        if (level != "+") {
            next = node->children.find(level);
        } else if (node->extras != nullptr) {
            next = node->extras->plus;
        }
        if (next == nullptr) return false;
        path.push_back(next);
    }
    Node* node = path.back();
    bool removed = false;
    if (parsed.group.empty() && !ends_with_hash) {
        removed = subscription_index_detail::remove(node->here, session);
    } else if (node->extras != nullptr) {
        NodeExtras& extras = *node->extras;
        if (parsed.group.empty()) {
            removed = subscription_index_detail::remove(extras.rest, session);
        } else {
            removed = subscription_index_detail::remove(
                ends_with_hash ? extras.shared_rest : extras.shared_here, parsed.group, session);
        }
        node->drop_extras_if_empty();
    }
    if (!removed) return false;
    size_.fetch_sub(1, std::memory_order_relaxed);

    // Prune the nodes this filter alone kept alive, deepest first.
    for (std::size_t i = path.size() - 1; i > 0 && path[i]->empty(); --i) {
        Node* child = path[i];
        Node* parent = path[i - 1];
        if (parent->extras != nullptr && parent->extras->plus == child) {
            parent->extras->plus = nullptr;
            parent->drop_extras_if_empty();
        } else {
            parent->children.erase(child->level());
        }
        Node::destroy(child);
    }
    return true;
}

std::size_t SubscriptionIndex::allocated_bytes() const {
    std::shared_lock lock(mutex_);
    std::size_t bytes = 0;
    std::vector<const Node*> pending{root_};
    while (!pending.empty()) {
        const Node* node = pending.back();
        pending.pop_back();
        bytes += Node::allocation_size(node->level().size()) + node->children.allocated_bytes();
        bytes += subscription_index_detail::set_bytes(node->here);
        node->children.for_each([&](const Node* child) { pending.push_back(child); });
        if (const NodeExtras* extras = node->extras) {
            bytes += sizeof(NodeExtras) + subscription_index_detail::set_bytes(extras->rest) +
                     subscription_index_detail::groups_bytes(extras->shared_here) +
                     subscription_index_detail::groups_bytes(extras->shared_rest);
            if (extras->plus != nullptr) pending.push_back(extras->plus);
        }
    }
    return bytes;
}

}  // namespace akasa::broker
