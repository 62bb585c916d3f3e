#include "store/grouped_memtable.h"

#include <rocksdb/slice_transform.h>

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/key_schema.h"

namespace akasa::store {
namespace {

using Entries = std::vector<const char*>;  // length-prefixed internal key + value, in the arena

constexpr std::size_t kIteratorSlotBytes = 64;

class KeyGroupTransform final : public rocksdb::SliceTransform {
  public:
    const char* Name() const override { return "akasa.KeyGroup"; }
    rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
        const std::string_view group = key_group({key.data(), key.size()});
        return {group.data(), group.size()};
    }
    bool InDomain(const rocksdb::Slice&) const override { return true; }
};

class GroupedMemtable final : public rocksdb::MemTableRep {
  public:
    GroupedMemtable(const KeyComparator& compare, rocksdb::Allocator* allocator,
                    const rocksdb::SliceTransform* transform,
                    std::atomic<std::uint64_t>* entries_ordered)
        : MemTableRep(allocator),
          compare_(compare),
          transform_(transform),
          entries_ordered_(entries_ordered) {}

    void Insert(rocksdb::KeyHandle handle) override {
        const char* entry = static_cast<const char*>(handle);
        // The group names bytes of the entry itself, which live as long as this memtable.
        const std::string_view group_name = group_of(UserKey(entry));
        std::unique_lock lock(mutex_);
        Group& group = groups_[group_name];
        Entries& entries = group.entries;
        if (entries.empty()) bookkeeping_bytes_ += kGroupOverhead;
        if (entries.size() == entries.capacity()) {
            bookkeeping_bytes_ += std::max<std::size_t>(entries.capacity(), 4) * sizeof(char*);
        }
        // A queue's records arrive in seq order: the group usually stays ordered as it grows
        // (a removal's tombstone sorts before its record and ends that).
        const bool in_order = group.ordered == entries.size() &&
                              (entries.empty() || compare_(entries.back(), entry) < 0);
        entries.push_back(entry);
        if (in_order) group.ordered = entries.size();
        ++count_;
    }

    bool Contains(const char* key) const override {
        std::shared_lock lock(mutex_);
        const auto found = groups_.find(group_of(UserKey(key)));
        if (found == groups_.end()) return false;
        return std::any_of(found->second.entries.begin(), found->second.entries.end(),
                           [&](const char* entry) { return compare_(entry, key) == 0; });
    }

    std::size_t ApproximateMemoryUsage() override {
        std::shared_lock lock(mutex_);
        return bookkeeping_bytes_;
    }

    rocksdb::MemTableRep::Iterator* GetIterator(rocksdb::Arena* arena) override;
    rocksdb::MemTableRep::Iterator* GetDynamicPrefixIterator(rocksdb::Arena* arena) override;
    // A point lookup (DB::Get). RocksDB's own MemTableRep::Get seeks a prefix iterator it
    // asks for and never deletes it (every RocksDB release so far: its own memtables
    // override Get); this one lets it and deletes that iterator afterwards.
    void Get(const rocksdb::LookupKey& key, void* callback_args,
             bool (*callback_func)(void* arg, const char* entry)) override;

    // Every entry, ordered (a read across groups, a flush). Each group is ordered, and the
    // groups are disjoint key ranges (every key of a group starts with its name), so the
    // groups in the order of their first keys are the whole order: one sort of the groups,
    // not of every entry. Should a key outside the schema break that (a group's name the
    // prefix of another's), the check below sees the overlap and everything is sorted.
    Entries all_ordered() {
        std::unique_lock lock(mutex_);
        std::vector<const Entries*> lists;
        lists.reserve(groups_.size());
        for (auto& [name, group] : groups_) {
            order_group(group);
            if (!group.entries.empty()) lists.push_back(&group.entries);
        }
        std::sort(lists.begin(), lists.end(), [this](const Entries* a, const Entries* b) {
            return compare_(a->front(), b->front()) < 0;
        });
        Entries all;
        all.reserve(count_);
        bool disjoint = true;
        for (const Entries* list : lists) {
            if (!all.empty() && compare_(all.back(), list->front()) >= 0) disjoint = false;
            all.insert(all.end(), list->begin(), list->end());
        }
        lock.unlock();
        if (!disjoint) order(all);
        return all;
    }

    // The entries of the group `internal_key` belongs to, ordered. The group itself is
    // ordered (see order_group), so the next read of a queue that only grew in order since
    // copies without sorting.
    Entries group_ordered(const rocksdb::Slice& internal_key) {
        std::unique_lock lock(mutex_);
        const auto found = groups_.find(group_of(user_key_of(internal_key)));
        if (found == groups_.end()) return {};
        order_group(found->second);
        return found->second.entries;
    }

    const KeyComparator& compare() const { return compare_; }

    // RocksDB places an iterator in its arena when it passes one, and then only runs its
    // destructor; the arena's interface is not public, so such iterators live in slots of
    // this memtable instead (which outlives them: an iterator pins its memtable). A slot is
    // reused by the thread that released it only: its iterator's destructor has then
    // finished, which another thread could not know.
    struct alignas(std::max_align_t) IteratorSlot {
        std::byte bytes[kIteratorSlotBytes];
    };
    IteratorSlot* take_slot() {
        const std::thread::id self = std::this_thread::get_id();
        std::lock_guard lock(slots_mutex_);
        for (auto it = free_slots_.begin(); it != free_slots_.end(); ++it) {
            if (it->released_by != self) continue;
            IteratorSlot* slot = it->slot;
            *it = free_slots_.back();
            free_slots_.pop_back();
            return slot;
        }
        slots_.push_back(std::make_unique<IteratorSlot>());
        return slots_.back().get();
    }
    // The last thing the iterator's destructor does.
    void return_slot(IteratorSlot* slot) {
        std::lock_guard lock(slots_mutex_);
        free_slots_.push_back({slot, std::this_thread::get_id()});
    }

  private:
    // Roughly what a group costs besides its entries: the hash node and the vector header.
    static constexpr std::size_t kGroupOverhead = 64;

    static rocksdb::Slice user_key_of(const rocksdb::Slice& internal_key) {
        return {internal_key.data(), internal_key.size() - 8};  // without seqno and type
    }
    std::string_view group_of(const rocksdb::Slice& user_key) const {
        const rocksdb::Slice group = transform_->Transform(user_key);
        return {group.data(), group.size()};
    }
    struct Less {
        const KeyComparator& compare;
        bool operator()(const char* a, const char* b) const { return compare(a, b) < 0; }
    };
    Less less() const { return Less{compare_}; }
    void order(Entries::iterator begin, Entries::iterator end) const {
        if (entries_ordered_) entries_ordered_->fetch_add(static_cast<std::uint64_t>(end - begin));
        std::sort(begin, end, less());
    }
    void order(Entries& entries) const { order(entries.begin(), entries.end()); }

    struct Group {
        Entries entries;
        std::size_t ordered = 0;  // entries[0, ordered) are in order
    };
    // Sorts the group's unordered end and merges it in. Requires mutex_ held exclusively.
    void order_group(Group& group) const {
        Entries& entries = group.entries;
        if (group.ordered == entries.size()) return;
        const auto middle = entries.begin() + static_cast<std::ptrdiff_t>(group.ordered);
        order(middle, entries.end());
        std::inplace_merge(entries.begin(), middle, entries.end(), less());
        group.ordered = entries.size();
    }

    const KeyComparator& compare_;
    const rocksdb::SliceTransform* const transform_;
    std::atomic<std::uint64_t>* const entries_ordered_;
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string_view, Group> groups_;  // guarded by mutex_
    std::size_t count_ = 0;                               // guarded by mutex_
    std::size_t bookkeeping_bytes_ = 0;                   // guarded by mutex_
    std::mutex slots_mutex_;
    std::vector<std::unique_ptr<IteratorSlot>> slots_;  // guarded by slots_mutex_
    struct FreeSlot {
        IteratorSlot* slot;
        std::thread::id released_by;
    };
    std::vector<FreeSlot> free_slots_;  // guarded by slots_mutex_
};

// An ordered copy of entries, taken when created (total order) or at each seek (one group).
class OrderedIterator final : public rocksdb::MemTableRep::Iterator {
  public:
    // `slot`: where it lives when RocksDB destroys it without freeing it (see IteratorSlot).
    OrderedIterator(GroupedMemtable& table, bool whole_table, GroupedMemtable::IteratorSlot* slot)
        : table_(table), whole_table_(whole_table), slot_(slot) {
        if (whole_table_) entries_ = table_.all_ordered();
        position_ = entries_.size();
    }
    ~OrderedIterator() override {
        if (slot_) table_.return_slot(slot_);
    }

    bool Valid() const override { return position_ < entries_.size(); }
    const char* key() const override { return entries_[position_]; }
    void Next() override { ++position_; }
    void Prev() override { position_ = position_ == 0 ? entries_.size() : position_ - 1; }

    void Seek(const rocksdb::Slice& internal_key, const char*) override {
        load_group(internal_key);
        position_ = lower_bound(internal_key);
    }
    void SeekForPrev(const rocksdb::Slice& internal_key, const char*) override {
        load_group(internal_key);
        // The last entry at or before the key.
        std::size_t after = lower_bound(internal_key);
        if (after < entries_.size() && table_.compare()(entries_[after], internal_key) == 0) {
            position_ = after;
        } else {
            position_ = after == 0 ? entries_.size() : after - 1;
        }
    }
    void SeekToFirst() override {
        if (!whole_table_) load_all();
        position_ = 0;
    }
    void SeekToLast() override {
        if (!whole_table_) load_all();
        position_ = entries_.empty() ? 0 : entries_.size() - 1;
    }

  private:
    void load_group(const rocksdb::Slice& internal_key) {
        if (!whole_table_) entries_ = table_.group_ordered(internal_key);
    }
    // A prefix iterator asked to start at an end: RocksDB leaves the result unspecified
    // across prefixes; the whole table is the safe answer.
    void load_all() { entries_ = table_.all_ordered(); }
    std::size_t lower_bound(const rocksdb::Slice& internal_key) const {
        const auto& compare = table_.compare();
        const auto it = std::lower_bound(
            entries_.begin(), entries_.end(), internal_key,
            [&](const char* entry, const rocksdb::Slice& key) { return compare(entry, key) < 0; });
        return static_cast<std::size_t>(it - entries_.begin());
    }

    GroupedMemtable& table_;
    const bool whole_table_;
    GroupedMemtable::IteratorSlot* const slot_;
    Entries entries_;
    std::size_t position_ = 0;
};

static_assert(sizeof(OrderedIterator) <= kIteratorSlotBytes);

rocksdb::MemTableRep::Iterator* make_iterator(GroupedMemtable& table, bool whole_table,
                                              rocksdb::Arena* arena) {
    if (!arena) return new OrderedIterator(table, whole_table, nullptr);  // deleted by RocksDB
    GroupedMemtable::IteratorSlot* slot = table.take_slot();
    return new (slot->bytes) OrderedIterator(table, whole_table, slot);
}

rocksdb::MemTableRep::Iterator* GroupedMemtable::GetIterator(rocksdb::Arena* arena) {
    return make_iterator(*this, /*whole_table=*/true, arena);
}

// The point lookup under way on this thread (GroupedMemtable::Get), which owns the iterator
// RocksDB's MemTableRep::Get asks for.
struct PointLookup {
    const GroupedMemtable* table = nullptr;
    std::unique_ptr<rocksdb::MemTableRep::Iterator> iterator;
};
thread_local PointLookup* t_point_lookup = nullptr;

rocksdb::MemTableRep::Iterator* GroupedMemtable::GetDynamicPrefixIterator(rocksdb::Arena* arena) {
    rocksdb::MemTableRep::Iterator* it = make_iterator(*this, /*whole_table=*/false, arena);
    if (!arena && t_point_lookup && t_point_lookup->table == this && !t_point_lookup->iterator)
        t_point_lookup->iterator.reset(it);
    return it;
}

void GroupedMemtable::Get(const rocksdb::LookupKey& key, void* callback_args,
                          bool (*callback_func)(void* arg, const char* entry)) {
    PointLookup lookup{this, nullptr};
    PointLookup* const outer = std::exchange(t_point_lookup, &lookup);
    MemTableRep::Get(key, callback_args, callback_func);
    t_point_lookup = outer;
}  // the iterator it left behind goes with `lookup`

}  // namespace

rocksdb::MemTableRep* GroupedMemtableFactory::CreateMemTableRep(
    const rocksdb::MemTableRep::KeyComparator& compare, rocksdb::Allocator* allocator,
    const rocksdb::SliceTransform* transform, rocksdb::Logger*) {
    return new GroupedMemtable(compare, allocator, transform, entries_ordered_);
}

std::shared_ptr<const rocksdb::SliceTransform> make_key_group_extractor() {
    return std::make_shared<KeyGroupTransform>();
}

}  // namespace akasa::store
