// The children of a trie node, keyed by topic level: the building block that keeps the
// subscription index and the retained store compact (16 bytes per node, 8 per child).
//
// Layout by size, chosen because most nodes have one child and a few have very many:
//   0 children: nothing allocated;
//   1 child:    the pointer is stored inline;
//   2..8:       a small array scanned linearly (short levels compare faster than they hash);
//   more:       an open-addressing table of pointers (linear probing, load <= 3/4,
//               backward-shift deletion, so no tombstones), sized to a power of two.
// The key of a child is read from the child itself (`std::string_view Node::level() const`),
// so the table stores nothing but pointers.
//
// Does not own the nodes: the trie allocates and frees them. Not thread-safe; the trie
// guards it with its own lock.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace akasa::broker {

template <class Node>
class TrieChildMap {
  public:
    TrieChildMap() = default;
    TrieChildMap(const TrieChildMap&) = delete;
    TrieChildMap& operator=(const TrieChildMap&) = delete;
    ~TrieChildMap() { release(); }

    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

    Node* find(std::string_view level) const {
        if (capacity_ == 1) return size_ == 1 && one_->level() == level ? one_ : nullptr;
        if (capacity_ <= kLinearMax) {
            for (std::uint32_t i = 0; i < size_; ++i) {
                if (slots_[i]->level() == level) return slots_[i];
            }
            return nullptr;
        }
        const std::size_t mask = capacity_ - 1;
        for (std::size_t i = hash(level) & mask;; i = (i + 1) & mask) {
            Node* n = slots_[i];
            if (n == nullptr) return nullptr;
            if (n->level() == level) return n;
        }
    }

    // Adds a child whose level is not present yet.
    void insert(Node* child) {
        if (needs_growth()) rebuild(capacity_for(size_ + 1));
        place(child);
        ++size_;
    }

    // Removes the child with this level (if any) and returns it.
    Node* erase(std::string_view level) {
        Node* removed = nullptr;
        if (capacity_ == 1) {
            if (size_ == 1 && one_->level() == level) {
                removed = one_;
                one_ = nullptr;
                size_ = 0;
                capacity_ = 0;
            }
            return removed;
        }
        if (capacity_ <= kLinearMax) {
            for (std::uint32_t i = 0; i < size_; ++i) {
                if (slots_[i]->level() == level) {
                    removed = slots_[i];
                    slots_[i] = slots_[size_ - 1];
                    slots_[size_ - 1] = nullptr;
                    --size_;
                    break;
                }
            }
        } else {
            removed = erase_hashed(level);
        }
        if (size_ == 0) {
            release();
        } else if (removed != nullptr && capacity_for(size_) < capacity_ / 4) {
            rebuild(capacity_for(size_));
        }
        return removed;
    }

    template <class F>
    void for_each(F&& visit) const {
        if (capacity_ == 1) {
            if (size_ == 1) visit(one_);
            return;
        }
        const std::uint32_t end = capacity_ <= kLinearMax ? size_ : capacity_;
        for (std::uint32_t i = 0; i < end; ++i) {
            if (slots_[i] != nullptr) visit(slots_[i]);
        }
    }

    // for_each() that can stop and resume, for walks that keep their place on an explicit
    // stack (trie_walk.h): the first child at or after `cursor` (start at 0), with `cursor`
    // moved past it; nullptr when none is left. The map must not change in between.
    // for_each() does not loop over next(): that cost rebuild() and the tries' destructors
    // a fifth more instructions.
    Node* next(std::uint32_t& cursor) const {
        if (capacity_ == 1) return cursor++ == 0 && size_ == 1 ? one_ : nullptr;
        const std::uint32_t end = capacity_ <= kLinearMax ? size_ : capacity_;
        while (cursor < end) {
            if (Node* child = slots_[cursor++]) return child;
        }
        return nullptr;
    }

    // Bytes allocated by this map (not by the children), for memory accounting.
    std::size_t allocated_bytes() const { return capacity_ > 1 ? capacity_ * sizeof(Node*) : 0; }

  private:
    static constexpr std::uint32_t kLinearMax = 8;

    static std::size_t hash(std::string_view level) { return std::hash<std::string_view>{}(level); }

    static std::uint32_t capacity_for(std::size_t n) {
        if (n <= 1) return static_cast<std::uint32_t>(n);
        if (n <= kLinearMax) return std::bit_ceil(static_cast<std::uint32_t>(n));
        // load factor at most 3/4 right after a rebuild leaves room to grow
        return std::bit_ceil(static_cast<std::uint32_t>(n + n / 2 + 1));
    }

    bool needs_growth() const {
        if (capacity_ <= kLinearMax) return size_ == capacity_;
        return (size_ + 1) * 4 > capacity_ * 3;
    }

    // Puts a child into the current layout, which has room for it.
    void place(Node* child) {
        if (capacity_ == 1) {
            one_ = child;
        } else if (capacity_ <= kLinearMax) {
            slots_[size_] = child;
        } else {
            const std::size_t mask = capacity_ - 1;
            std::size_t i = hash(child->level()) & mask;
            while (slots_[i] != nullptr)
                i = (i + 1) & mask;
            slots_[i] = child;
        }
    }

    Node* erase_hashed(std::string_view level) {
        const std::size_t mask = capacity_ - 1;
        std::size_t i = hash(level) & mask;
        while (true) {
            Node* n = slots_[i];
            if (n == nullptr) return nullptr;
            if (n->level() == level) break;
            i = (i + 1) & mask;
        }
        Node* removed = slots_[i];
        // Backward shift: move later members of the probe run into the hole when their home
        // slot does not lie (cyclically) between the hole and their position.
        std::size_t hole = i;
        for (std::size_t j = (i + 1) & mask; slots_[j] != nullptr; j = (j + 1) & mask) {
            std::size_t home = hash(slots_[j]->level()) & mask;
            bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
            if (!stays) {
                slots_[hole] = slots_[j];
                hole = j;
            }
        }
        slots_[hole] = nullptr;
        --size_;
        return removed;
    }

    void rebuild(std::uint32_t new_capacity) {
        // Gather the children, then lay them out again.
        const std::uint32_t count = size_;
        std::unique_ptr<Node*[]> children(new Node*[count > 0 ? count : 1]);
        std::uint32_t k = 0;
        for_each([&](Node* n) { children[k++] = n; });
        release();
        capacity_ = new_capacity;
        if (capacity_ > 1) slots_ = new Node*[capacity_]();
        for (std::uint32_t i = 0; i < count; ++i) {
            place(children[i]);
            ++size_;
        }
    }

    void release() {
        if (capacity_ > 1) delete[] slots_;
        one_ = nullptr;
        size_ = 0;
        capacity_ = 0;
    }

    union {
        Node* one_ = nullptr;  // capacity_ == 1
        Node** slots_;         // capacity_ > 1
    };
    std::uint32_t size_ = 0;
    std::uint32_t capacity_ = 0;
};

}  // namespace akasa::broker
