// A FIFO queue in one growable circular array: the session's inflight window and pending
// queue. std::deque allocates and frees a node buffer every few elements as a queue moves
// through it (one heap call per ~8 QoS 1 messages); a ring reuses its array, so a session
// in a steady QoS 1/2 stream allocates nothing. Capacity doubles when full and is kept.
//
// Iteration is front to back (oldest first). erase() of the front element is O(1), of any
// other element O(n) (acknowledgements mostly arrive in order).
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <new>
#include <utility>

namespace akasa::broker {

template <class T>
class RingQueue {
  public:
    template <bool Const>
    class Iterator {
      public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        using pointer = std::conditional_t<Const, const T*, T*>;
        using reference = std::conditional_t<Const, const T&, T&>;

        Iterator() = default;
        reference operator*() const { return queue_->at_offset(offset_); }
        pointer operator->() const { return &queue_->at_offset(offset_); }
        Iterator& operator++() {
            ++offset_;
            return *this;
        }
        Iterator operator++(int) {
            Iterator old = *this;
            ++offset_;
            return old;
        }
        bool operator==(const Iterator& other) const { return offset_ == other.offset_; }

      private:
        friend class RingQueue;
        using Queue = std::conditional_t<Const, const RingQueue, RingQueue>;
        Iterator(Queue* queue, std::size_t offset) : queue_(queue), offset_(offset) {}
        Queue* queue_ = nullptr;
        std::size_t offset_ = 0;  // position from the front
    };
    using iterator = Iterator<false>;
    using const_iterator = Iterator<true>;

    RingQueue() = default;
    RingQueue(const RingQueue&) = delete;
    RingQueue& operator=(const RingQueue&) = delete;
    ~RingQueue() {
        clear();
        ::operator delete (slots_, std::align_val_t{alignof(T)});
    }

    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

    T& operator[](std::size_t offset) { return at_offset(offset); }  // 0 = front
    const T& operator[](std::size_t offset) const { return at_offset(offset); }
    T& front() { return at_offset(0); }
    const T& front() const { return at_offset(0); }

    iterator begin() { return {this, 0}; }
    iterator end() { return {this, size_}; }
    const_iterator begin() const { return {this, 0}; }
    const_iterator end() const { return {this, size_}; }

    template <class... Args>
    T& emplace_back(Args&&... args) {
        if (size_ == capacity_) grow();
        T* slot = new (&slots_[index(size_)]) T(std::forward<Args>(args)...);
        ++size_;
        return *slot;
    }
    void push_back(T&& value) { emplace_back(std::move(value)); }

    void pop_front() {
        slots_[head_].~T();
        head_ = head_ + 1 == capacity_ ? 0 : head_ + 1;
        --size_;
    }

    // Removes one element, keeping the order of the others; returns the next position.
    iterator erase(iterator position) {
        const std::size_t offset = position.offset_;
        if (offset == 0) {
            pop_front();
            return begin();
        }
        for (std::size_t i = offset; i + 1 < size_; ++i)
            at_offset(i) = std::move(at_offset(i + 1));
        at_offset(size_ - 1).~T();
        --size_;
        return {this, offset};
    }

    // Removes every element `pred` is true for, keeping the order of the others.
    template <class Pred>
    void erase_if(Pred pred) {
        std::size_t kept = 0;
        for (std::size_t i = 0; i < size_; ++i) {
            if (pred(at_offset(i))) continue;
            if (kept != i) at_offset(kept) = std::move(at_offset(i));
            ++kept;
        }
        for (std::size_t i = kept; i < size_; ++i)
            at_offset(i).~T();
        size_ = kept;
    }

    void clear() {
        while (size_ > 0)
            pop_front();
        head_ = 0;
    }

  private:
    std::size_t index(std::size_t offset) const {
        const std::size_t i = head_ + offset;
        return i >= capacity_ ? i - capacity_ : i;
    }
    T& at_offset(std::size_t offset) { return slots_[index(offset)]; }
    const T& at_offset(std::size_t offset) const { return slots_[index(offset)]; }

    void grow() {
        const std::size_t capacity = capacity_ == 0 ? 4 : capacity_ * 2;
        T* slots =
            static_cast<T*>(::operator new (capacity * sizeof(T), std::align_val_t{alignof(T)}));
        for (std::size_t i = 0; i < size_; ++i) {
            new (&slots[i]) T(std::move(at_offset(i)));
            at_offset(i).~T();
        }
        ::operator delete (slots_, std::align_val_t{alignof(T)});
        slots_ = slots;
        capacity_ = capacity;
        head_ = 0;
    }

    T* slots_ = nullptr;
    std::size_t capacity_ = 0;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

}  // namespace akasa::broker
