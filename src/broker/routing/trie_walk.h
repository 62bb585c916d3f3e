// What the two tries of this folder (SubscriptionIndex, RetainedStore) share when they walk
// topic levels: reading one level of a topic or filter at a position, and the explicit stack
// of branches still to visit.
//
//   WalkStack<Branch, 32> pending;      // no allocation while at most 32 branches wait
//   pending.push({node, next});
//   while (!pending.empty()) { Branch b = pending.top(); pending.pop(); ... }
//
// Why an explicit stack and not recursion: a topic or filter may have tens of thousands of
// levels (a 65,535-byte topic of '/' has 65,536), and a recursive walk used one thread-stack
// frame per pending branch (each `+` level, each level below a `#`). One such PUBLISH or
// SUBSCRIBE overflowed the worker's stack and killed the broker. Here a walk's depth costs
// heap memory proportional to its input, and the first kInline branches live in the walker's
// own frame so ordinary topics allocate nothing. max_topic_levels bounds the input in
// practice (docs/security.md); these walks are correct without it.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <vector>

namespace akasa::broker {

// Position "after the last level": one past the end of a topic or filter.
inline constexpr std::size_t kNoMoreLevels = std::string_view::npos;

struct LevelAt {
    std::string_view level;
    std::size_t next;  // where the following level starts; kNoMoreLevels after the last
};

// The level of `text` starting at `pos` ("a//b" has the levels "a", "", "b").
inline LevelAt level_at(std::string_view text, std::size_t pos) {
    const std::size_t slash = text.find('/', pos);
    if (slash == std::string_view::npos) return {text.substr(pos), kNoMoreLevels};
    return {text.substr(pos, slash - pos), slash + 1};
}

// A LIFO stack of trivially copyable frames: the first kInline in place (uninitialised until
// pushed, so constructing one costs nothing), any further ones on the heap. Not thread-safe;
// one per walk.
template <class Frame, std::size_t kInline>
class WalkStack {
    static_assert(std::is_trivially_copyable_v<Frame> && std::is_trivially_destructible_v<Frame>);

  public:
    WalkStack() {}  // not `= default`: frames_ stays uninitialised (only [0, size_) is read)
    WalkStack(const WalkStack&) = delete;
    WalkStack& operator=(const WalkStack&) = delete;

    bool empty() const { return size_ == 0; }

    void push(const Frame& frame) {
        if (size_ < kInline) {
            frames_[size_] = frame;
        } else {
            spilled_.push_back(frame);
        }
        ++size_;
    }

    // The last frame pushed; valid until the next push() or pop().
    Frame& top() { return size_ <= kInline ? frames_[size_ - 1] : spilled_.back(); }

    void pop() {
        if (size_ > kInline) spilled_.pop_back();
        --size_;
    }

  private:
    std::size_t size_ = 0;
    Frame frames_[kInline];
    std::vector<Frame> spilled_;  // frames beyond kInline, in push order
};

}  // namespace akasa::broker
