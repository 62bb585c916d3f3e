// The grouped memtable (grouped_memtable.h) against RocksDB's MemTableRep contract, driven
// directly: the iterators (Seek, SeekForPrev, Prev, SeekToFirst/Last) against a sorted
// reference, versions of one user key newest first, Contains(), a read across groups whose key
// ranges interleave (keys outside the store's schema), and iterators taken while another
// thread inserts. Through RocksDB itself: grouped_memtable_db_test.cpp.
#include <gtest/gtest.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/slice_transform.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "keys_outside_schema.h"
#include "store/grouped_memtable.h"

namespace akasa::store {
namespace {

constexpr std::uint8_t kDeletion = 0x0;  // RocksDB's kTypeDeletion
constexpr std::uint8_t kValue = 0x1;     // RocksDB's kTypeValue
// A seek target's type: largest, so a target (key, seq) sorts before every version of key
// with that seq or an older one.
constexpr std::uint8_t kForSeek = 0xff;

// An internal key as RocksDB lays it out: the user key, then 8 little-endian bytes of
// seq << 8 | type.
std::string internal_key(std::string_view user_key, std::uint64_t seq, std::uint8_t type) {
    std::string key(user_key);
    const std::uint64_t tag = (seq << 8) | type;
    for (int i = 0; i < 8; ++i)
        key.push_back(static_cast<char>((tag >> (8 * i)) & 0xff));
    return key;
}

void put_varint32(std::string& out, std::uint32_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7f) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

rocksdb::Slice length_prefixed(const char* p) {
    std::uint32_t length = 0;
    int shift = 0;
    while (true) {
        const auto byte = static_cast<std::uint8_t>(*p++);
        length |= static_cast<std::uint32_t>(byte & 0x7f) << shift;
        if (byte < 0x80) break;
        shift += 7;
    }
    return {p, length};
}

// RocksDB's internal key order: user key ascending (bytewise), then seq and type descending.
int compare_internal(const rocksdb::Slice& a, const rocksdb::Slice& b) {
    const rocksdb::Slice ua(a.data(), a.size() - 8);
    const rocksdb::Slice ub(b.data(), b.size() - 8);
    if (const int c = ua.compare(ub); c != 0) return c;
    std::uint64_t ta = 0;
    std::uint64_t tb = 0;
    std::memcpy(&ta, a.data() + a.size() - 8, 8);  // little-endian host, as RocksDB's tests
    std::memcpy(&tb, b.data() + b.size() - 8, 8);
    if (ta > tb) return -1;
    if (ta < tb) return 1;
    return 0;
}

class InternalOrder final : public rocksdb::MemTableRep::KeyComparator {
  public:
    int operator()(const char* a, const char* b) const override {
        return compare_internal(length_prefixed(a), length_prefixed(b));
    }
    int operator()(const char* a, const rocksdb::Slice& b) const override {
        return compare_internal(length_prefixed(a), b);
    }
};

// Memtable entries (length-prefixed internal key, then length-prefixed value), kept alive for
// the test like the arena keeps them for a memtable.
class EntryPool {
  public:
    const char* make(std::string_view user_key, std::uint64_t seq, std::uint8_t type,
                     std::string_view value = "v") {
        const std::string key = internal_key(user_key, seq, type);
        std::string& entry = storage_.emplace_back();
        put_varint32(entry, static_cast<std::uint32_t>(key.size()));
        entry += key;
        put_varint32(entry, static_cast<std::uint32_t>(value.size()));
        entry += value;
        return entry.data();
    }

  private:
    std::deque<std::string> storage_;  // a deque: elements never move
};

// A client's group in the store's schema: 'S' len16 client id, then a kind byte and more.
std::string session_key(std::string_view client_id, char kind, std::string_view rest = {}) {
    std::string key(1, 'S');
    key.push_back(static_cast<char>(client_id.size() >> 8));
    key.push_back(static_cast<char>(client_id.size() & 0xff));
    key.append(client_id);
    key.push_back(kind);
    key.append(rest);
    return key;
}

std::string queued(std::string_view client_id, std::uint64_t seq) {
    std::string be(8, '\0');
    for (int i = 0; i < 8; ++i)
        be[static_cast<std::size_t>(i)] = static_cast<char>((seq >> (8 * (7 - i))) & 0xff);
    return session_key(client_id, 0x03, be);
}

// The memtable as RocksDB creates it: the store's factory and prefix extractor.
struct Table {
    explicit Table(std::atomic<std::uint64_t>* ordered = nullptr)
        : factory(ordered),
          extractor(make_key_group_extractor()),
          rep(factory.CreateMemTableRep(order, nullptr, extractor.get(), nullptr)) {}

    InternalOrder order;
    GroupedMemtableFactory factory;
    std::shared_ptr<const rocksdb::SliceTransform> extractor;
    std::unique_ptr<rocksdb::MemTableRep> rep;
};

// RocksDB passes an arena and destroys such iterators without freeing them; the memtable
// never uses the arena itself (grouped_memtable.cpp, IteratorSlot), so any address will do.
rocksdb::Arena* fake_arena() {
    static char byte;
    return reinterpret_cast<rocksdb::Arena*>(&byte);
}

struct ArenaIteratorDeleter {
    void operator()(rocksdb::MemTableRep::Iterator* it) const { it->~Iterator(); }
};
using ArenaIterator = std::unique_ptr<rocksdb::MemTableRep::Iterator, ArenaIteratorDeleter>;

std::vector<const char*> walk_forward(rocksdb::MemTableRep::Iterator& it) {
    std::vector<const char*> out;
    for (; it.Valid(); it.Next())
        out.push_back(it.key());
    return out;
}

std::vector<const char*> sorted(std::vector<const char*> entries, const InternalOrder& order) {
    std::sort(entries.begin(), entries.end(),
              [&](const char* a, const char* b) { return order(a, b) < 0; });
    return entries;
}

std::string user_key_of(const char* entry) {
    const rocksdb::Slice key = length_prefixed(entry);
    return std::string(key.data(), key.size() - 8);
}

// User keys of every kind the store writes, and keys outside its schema.
std::vector<std::string> mixed_user_keys() {
    std::vector<std::string> keys = testing::keys_outside_the_schema();
    for (std::string key :
         {std::string("Mformat_version"), std::string("Rsensors/1"), std::string("Rsensors/2"),
          session_key("a", 0x01), session_key("a", 0x02, "t/#"), queued("a", 7), queued("a", 300),
          session_key("ab", 0x01), queued("ab", 1), queued("ab", 9),
          session_key("b", 0x04, std::string("\x00\x01", 2))})
        keys.push_back(std::move(key));
    return keys;
}

// The memtable and the entries of a test.
class GroupedMemtableRep : public ::testing::Test {
  protected:
    std::atomic<std::uint64_t> ordered{0};  // entries reads put in order
    Table table{&ordered};
    EntryPool pool;
};

TEST_F(GroupedMemtableRep, ReadAcrossInterleavingGroupsIsInFullOrder) {
    std::vector<const char*> entries;
    std::uint64_t seq = 1;
    for (const std::string& key : mixed_user_keys()) {
        entries.push_back(pool.make(key, seq++, kValue));
        entries.push_back(pool.make(key, seq++, kValue));  // a second version of each
    }
    std::vector<const char*> shuffled = entries;
    std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(42));
    for (const char* entry : shuffled)
        table.rep->Insert(const_cast<char*>(entry));

    // A seek in each group orders that group (as a queue read does).
    std::unique_ptr<rocksdb::MemTableRep::Iterator> seeker(table.rep->GetDynamicPrefixIterator());
    for (const std::string& key : mixed_user_keys())
        seeker->Seek(internal_key(key, UINT64_MAX >> 8, kForSeek), nullptr);
    ordered = 0;

    const auto expected = sorted(entries, table.order);
    std::unique_ptr<rocksdb::MemTableRep::Iterator> it(table.rep->GetIterator());
    it->SeekToFirst();
    EXPECT_EQ(walk_forward(*it), expected);
    // The group "S" ("S", "S\x01", "S\xff") spans the client groups: the ordered groups
    // concatenated would be out of order, so every entry was sorted once more.
    EXPECT_EQ(ordered.load(), entries.size());

    // The same from a prefix iterator asked for the whole table, and in an arena.
    std::unique_ptr<rocksdb::MemTableRep::Iterator> prefix(table.rep->GetDynamicPrefixIterator());
    prefix->SeekToFirst();
    EXPECT_EQ(walk_forward(*prefix), expected);
    ArenaIterator in_arena(table.rep->GetIterator(fake_arena()));
    in_arena->SeekToFirst();
    EXPECT_EQ(walk_forward(*in_arena), expected);
}

TEST_F(GroupedMemtableRep, DisjointGroupsAreConcatenatedWithoutSortingAgain) {
    std::vector<const char*> entries;
    std::uint64_t seq = 1;
    // Every client's queue in seq order, the clients interleaved: each group stays ordered.
    for (std::uint64_t n = 1; n <= 50; ++n) {
        for (const char* id : {"c", "a", "b"})
            entries.push_back(pool.make(queued(id, n), seq++, kValue));
    }
    for (const char* entry : entries)
        table.rep->Insert(const_cast<char*>(entry));
    std::unique_ptr<rocksdb::MemTableRep::Iterator> it(table.rep->GetIterator());
    it->SeekToFirst();
    EXPECT_EQ(walk_forward(*it), sorted(entries, table.order));
    EXPECT_EQ(ordered.load(), 0u);
}

TEST_F(GroupedMemtableRep, VersionsOfOneKeyComeNewestFirstAndSeekFindsTheVisibleOne) {
    // A queued record written, removed (its PUBACK) and written again, with other records of
    // the client and of another client between the versions.
    const std::string record = queued("a", 5);
    const char* put1 = pool.make(record, 10, kValue, "first");
    const char* other1 = pool.make(queued("a", 6), 11, kValue);
    const char* removed = pool.make(record, 12, kDeletion, "");
    const char* elsewhere = pool.make(queued("b", 1), 13, kValue);
    const char* put2 = pool.make(record, 14, kValue, "second");
    for (const char* entry : {put1, other1, removed, elsewhere, put2})
        table.rep->Insert(const_cast<char*>(entry));

    for (bool prefix : {false, true}) {
        SCOPED_TRACE(prefix ? "prefix iterator" : "whole-table iterator");
        std::unique_ptr<rocksdb::MemTableRep::Iterator> it(
            prefix ? table.rep->GetDynamicPrefixIterator() : table.rep->GetIterator());
        // What a read at each snapshot sees first for the key (MemTableRep::Get seeks so).
        auto visible_at = [&](std::uint64_t snapshot) -> const char* {
            const std::string target = internal_key(record, snapshot, kForSeek);
            it->Seek(target, nullptr);
            if (!it->Valid() || user_key_of(it->key()) != record) return nullptr;
            return it->key();
        };
        EXPECT_EQ(visible_at(9), nullptr);  // before the first write: the next key
        EXPECT_EQ(visible_at(10), put1);
        EXPECT_EQ(visible_at(11), put1);
        EXPECT_EQ(visible_at(12), removed);  // the deletion shadows the first put
        EXPECT_EQ(visible_at(13), removed);
        EXPECT_EQ(visible_at(14), put2);
        EXPECT_EQ(visible_at(UINT64_MAX >> 8), put2);

        // All three versions, newest first, then the client's next record.
        it->Seek(internal_key(record, UINT64_MAX >> 8, kForSeek), nullptr);
        std::vector<const char*> run;
        for (int i = 0; i < 4 && it->Valid(); ++i, it->Next())
            run.push_back(it->key());
        EXPECT_EQ(run, (std::vector<const char*>{put2, removed, put1, other1}));
    }
}

TEST_F(GroupedMemtableRep, SeeksAndStepsMatchTheSortedEntries) {
    std::vector<const char*> entries;
    std::uint64_t seq = 1;
    for (const std::string& key : mixed_user_keys())
        entries.push_back(pool.make(key, seq++, kValue));
    // Out of order within a group too: a removal after the records.
    entries.push_back(pool.make(queued("a", 7), seq++, kDeletion, ""));
    for (const char* entry : entries)
        table.rep->Insert(const_cast<char*>(entry));
    const auto all = sorted(entries, table.order);
    const rocksdb::SliceTransform& extractor = *table.extractor;

    // Targets: every entry's key, and between each pair of versions and keys.
    std::vector<std::string> targets;
    for (const std::string& key : mixed_user_keys()) {
        targets.push_back(internal_key(key, UINT64_MAX >> 8, kForSeek));  // before all versions
        targets.push_back(internal_key(key, 0, kDeletion));               // after all versions
        targets.push_back(internal_key(key + '\x00', 1, kValue));         // just after the key
    }
    for (const char* entry : entries) {
        const rocksdb::Slice key = length_prefixed(entry);
        targets.emplace_back(key.data(), key.size());
    }

    for (bool prefix : {false, true}) {
        SCOPED_TRACE(prefix ? "prefix iterator" : "whole-table iterator");
        std::unique_ptr<rocksdb::MemTableRep::Iterator> it(
            prefix ? table.rep->GetDynamicPrefixIterator() : table.rep->GetIterator());
        for (const std::string& target : targets) {
            SCOPED_TRACE(::testing::PrintToString(target));
            const rocksdb::Slice target_slice(target);
            // A prefix iterator's seek may see its target's group only (RocksDB's prefix
            // seek semantics); the whole-table iterator sees everything.
            const rocksdb::Slice target_user(target.data(), target.size() - 8);
            const std::string group = extractor.Transform(target_user).ToString();
            std::vector<const char*> visible;
            for (const char* entry : all) {
                if (!prefix || extractor.Transform(user_key_of(entry)).ToString() == group)
                    visible.push_back(entry);
            }
            const auto first_at_or_after =
                std::find_if(visible.begin(), visible.end(),
                             [&](auto e) { return table.order(e, target_slice) >= 0; });

            it->Seek(target_slice, nullptr);
            if (first_at_or_after == visible.end()) {
                EXPECT_FALSE(it->Valid());
            } else {
                ASSERT_TRUE(it->Valid());
                EXPECT_EQ(it->key(), *first_at_or_after);
                // Forward to the end of what it sees.
                EXPECT_EQ(walk_forward(*it),
                          std::vector<const char*>(first_at_or_after, visible.end()));
            }

            it->SeekForPrev(target_slice, nullptr);
            if (first_at_or_after != visible.end() &&
                table.order(*first_at_or_after, target_slice) == 0) {
                ASSERT_TRUE(it->Valid());
                EXPECT_EQ(it->key(), *first_at_or_after);
                it->Prev();
            }
            // Backward from the last entry before the target to the start of what it sees.
            std::vector<const char*> backward;
            for (; it->Valid(); it->Prev())
                backward.push_back(it->key());
            std::vector<const char*> expected(visible.begin(), first_at_or_after);
            std::reverse(expected.begin(), expected.end());
            EXPECT_EQ(backward, expected);
        }

        it->SeekToLast();
        std::vector<const char*> backward;
        for (; it->Valid(); it->Prev())
            backward.push_back(it->key());
        EXPECT_EQ(backward, std::vector<const char*>(all.rbegin(), all.rend()));
    }
}

TEST_F(GroupedMemtableRep, AnEmptyTableHasNothingToSeek) {
    for (bool prefix : {false, true}) {
        std::unique_ptr<rocksdb::MemTableRep::Iterator> it(
            prefix ? table.rep->GetDynamicPrefixIterator() : table.rep->GetIterator());
        EXPECT_FALSE(it->Valid());
        it->SeekToFirst();
        EXPECT_FALSE(it->Valid());
        it->SeekToLast();
        EXPECT_FALSE(it->Valid());
        const std::string target = internal_key(queued("a", 1), 5, kForSeek);
        it->Seek(target, nullptr);
        EXPECT_FALSE(it->Valid());
        it->SeekForPrev(target, nullptr);
        EXPECT_FALSE(it->Valid());
    }
}

TEST_F(GroupedMemtableRep, ContainsMatchesKeyAndVersion) {
    const char* stored = pool.make(queued("a", 1), 3, kValue);
    table.rep->Insert(const_cast<char*>(stored));
    table.rep->Insert(const_cast<char*>(pool.make("Rtopic", 4, kValue)));
    EXPECT_TRUE(table.rep->Contains(pool.make(queued("a", 1), 3, kValue, "other value")));
    EXPECT_FALSE(table.rep->Contains(pool.make(queued("a", 1), 2, kValue)));     // other seq
    EXPECT_FALSE(table.rep->Contains(pool.make(queued("a", 1), 3, kDeletion)));  // other type
    EXPECT_FALSE(table.rep->Contains(pool.make(queued("a", 2), 3, kValue)));     // same group
    EXPECT_FALSE(table.rep->Contains(pool.make(queued("zz", 1), 3, kValue)));    // no group
    EXPECT_TRUE(table.rep->Contains(pool.make("Rtopic", 4, kValue)));
}

TEST_F(GroupedMemtableRep, MemoryUsageGrowsWithGroupsAndEntries) {
    const std::size_t empty = table.rep->ApproximateMemoryUsage();
    std::uint64_t seq = 1;
    for (int client = 0; client < 100; ++client) {
        for (std::uint64_t n = 1; n <= 20; ++n)
            table.rep->Insert(const_cast<char*>(
                pool.make(queued("client" + std::to_string(client), n), seq++, kValue)));
    }
    // At least the list of 2,000 entry pointers (the entries themselves are the arena's).
    EXPECT_GE(table.rep->ApproximateMemoryUsage(), empty + 2000 * sizeof(char*));
}

// RocksDB reads a memtable (a queue read back, a flush of another) while its write thread
// inserts: what an iterator shows is ordered and holds at least every entry inserted before
// it was made (later ones carry newer seqs, which its reader does not see anyway).
TEST_F(GroupedMemtableRep, IteratorsTakenWhileInsertsContinueAreOrderedAndComplete) {
    constexpr std::uint64_t kEntries = 6000;
    const char* groups[] = {"a", "ab", "b", "c"};
    std::vector<const char*> entries;
    std::vector<std::string> group_of;
    for (std::uint64_t n = 0; n < kEntries; ++n) {
        const char* id = groups[n % 4];
        // Every 7th entry is a removal of an earlier seq: out of order in its group.
        const bool removal = n % 7 == 6;
        const std::uint64_t record = removal ? n / 8 : n;
        entries.push_back(pool.make(queued(id, record), n + 1, removal ? kDeletion : kValue));
        group_of.emplace_back(id);
    }
    // The writer stays at most a chunk ahead of the reader, so every read overlaps inserts.
    constexpr std::uint64_t kChunk = 500;
    constexpr std::uint64_t kChunks = kEntries / kChunk;
    std::atomic<std::uint64_t> inserted{0};
    std::atomic<std::uint64_t> reads_done{0};
    std::thread writer([&] {
        for (std::uint64_t chunk = 0; chunk < kChunks; ++chunk) {
            for (std::uint64_t n = chunk * kChunk; n < (chunk + 1) * kChunk; ++n) {
                table.rep->Insert(const_cast<char*>(entries[n]));
                inserted.store(n + 1, std::memory_order_release);
            }
            while (reads_done.load(std::memory_order_acquire) < chunk)
                std::this_thread::yield();
        }
    });

    // What an iterator shows is ordered and holds every entry inserted before it was made.
    auto check = [&](const std::vector<const char*>& seen, std::uint64_t before,
                     const std::string* only_group) {
        for (std::size_t i = 1; i < seen.size(); ++i)
            ASSERT_LT(table.order(seen[i - 1], seen[i]), 0) << "out of order at " << i;
        std::vector<const char*> sorted_seen = sorted(seen, table.order);
        for (std::uint64_t n = 0; n < before; ++n) {
            if (only_group && group_of[n] != *only_group) continue;
            ASSERT_TRUE(std::binary_search(
                sorted_seen.begin(), sorted_seen.end(), entries[n],
                [&](const char* a, const char* b) { return table.order(a, b) < 0; }))
                << "entry " << n << " inserted before the iterator is missing";
        }
    };
    for (std::uint64_t round = 0; round < kChunks && !::testing::Test::HasFatalFailure(); ++round) {
        while (inserted.load(std::memory_order_acquire) < (round + 1) * kChunk)
            std::this_thread::yield();
        const std::uint64_t before = inserted.load(std::memory_order_acquire);
        (void)table.rep->ApproximateMemoryUsage();  // RocksDB asks after every insert
        {
            ArenaIterator it(table.rep->GetIterator(fake_arena()));
            it->SeekToFirst();
            check(walk_forward(*it), before, nullptr);
        }
        const std::string group = groups[round % 4];
        const std::uint64_t before_prefix = inserted.load(std::memory_order_acquire);
        std::unique_ptr<rocksdb::MemTableRep::Iterator> prefix(
            table.rep->GetDynamicPrefixIterator());
        prefix->Seek(internal_key(queued(group, 0), UINT64_MAX >> 8, kForSeek), nullptr);
        check(walk_forward(*prefix), before_prefix, &group);
        reads_done.store(round + 1, std::memory_order_release);
    }
    reads_done.store(kChunks, std::memory_order_release);  // also after a failure
    writer.join();
}

// Iterators RocksDB places in its arena live in slots of the memtable: many at once, and
// destroyed on threads other than the one that made them, before the memtable goes.
TEST_F(GroupedMemtableRep, ArenaIteratorsOutliveNothingAndMayEndOnAnyThread) {
    for (std::uint64_t n = 1; n <= 100; ++n)
        table.rep->Insert(const_cast<char*>(pool.make(queued("a", n), n, kValue)));
    std::vector<ArenaIterator> live;
    for (int i = 0; i < 20; ++i) {
        live.emplace_back(i % 2 ? table.rep->GetIterator(fake_arena())
                                : table.rep->GetDynamicPrefixIterator(fake_arena()));
        live.back()->SeekToFirst();
        ASSERT_TRUE(live.back()->Valid());
    }
    std::thread other([&] { live.resize(10); });
    other.join();
    for (int i = 0; i < 10; ++i) {  // new ones alongside the survivors
        live.emplace_back(table.rep->GetIterator(fake_arena()));
        live.back()->SeekToLast();
        ASSERT_TRUE(live.back()->Valid());
    }
    for (auto& it : live) {
        std::size_t count = 0;
        for (it->SeekToFirst(); it->Valid(); it->Next())
            ++count;
        EXPECT_EQ(count, 100u);
    }
    live.clear();
    table.rep.reset();  // the slots go with the memtable
}

}  // namespace
}  // namespace akasa::store
