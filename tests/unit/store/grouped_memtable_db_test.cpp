// The grouped memtable (grouped_memtable.h) under RocksDB itself, set up as the store sets it
// up: one key written, deleted and written again in one memtable (the newest version wins,
// snapshots see theirs, before and after a flush); keys outside the store's schema (their
// groups interleave) read, sought by prefix and flushed in order (RocksDB checks a flush's
// key order); and a store written by the build before, without the prefix extractor and with
// RocksDB's own memtable, opening as it was. Under ASan the point lookups (DB::Get) here also
// check that the memtable frees the iterator RocksDB's MemTableRep::Get leaves behind.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "keys_outside_schema.h"
#include "store/grouped_memtable.h"
#include "store/key_schema.h"
#include "store/record_codec.h"
#include "store/rocksdb_store.h"
#include "store_test_support.h"
#include "temp_dir.h"

namespace akasa::store {
namespace {

using testing::message;
using testing::TempDir;

// The memtable and prefix extractor options of RocksDbStore::open.
rocksdb::Options grouped_options() {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.prefix_extractor = make_key_group_extractor();
    options.memtable_factory = std::make_shared<GroupedMemtableFactory>();
    options.allow_concurrent_memtable_write = false;
    return options;
}

std::unique_ptr<rocksdb::DB> open_db(const std::string& dir, const rocksdb::Options& options) {
    rocksdb::DB* db = nullptr;
    const rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return std::unique_ptr<rocksdb::DB>(db);
}

std::string get(rocksdb::DB& db, const std::string& key, const rocksdb::Snapshot* at = nullptr) {
    rocksdb::ReadOptions read_options;
    read_options.snapshot = at;
    std::string value;
    const rocksdb::Status s = db.Get(read_options, key, &value);
    if (s.IsNotFound()) return "(none)";
    EXPECT_TRUE(s.ok()) << s.ToString();
    return value;
}

// Every key and value in total order.
std::vector<std::pair<std::string, std::string>> scan(rocksdb::DB& db) {
    rocksdb::ReadOptions read_options;
    read_options.total_order_seek = true;
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options));
    std::vector<std::pair<std::string, std::string>> out;
    for (it->SeekToFirst(); it->Valid(); it->Next())
        out.emplace_back(it->key().ToString(), it->value().ToString());
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return out;
}

// The keys of `key`'s group from `key` on, as read_queued reads (prefix seek, same prefix).
std::vector<std::string> group_from(rocksdb::DB& db, const std::string& key) {
    rocksdb::ReadOptions read_options;
    read_options.prefix_same_as_start = true;
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options));
    std::vector<std::string> out;
    for (it->Seek(key); it->Valid(); it->Next())
        out.push_back(it->key().ToString());
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return out;
}

TEST(GroupedMemtableDb, AKeyWrittenDeletedAndWrittenAgainShowsItsNewestVersion) {
    TempDir tmp;
    auto db = open_db(tmp.path(), grouped_options());
    ASSERT_TRUE(db);
    const std::string record = queued_key("a", 5);
    const std::string next = queued_key("a", 6);
    const rocksdb::WriteOptions w;
    ASSERT_TRUE(db->Put(w, record, "first").ok());
    ASSERT_TRUE(db->Put(w, next, "six").ok());
    const rocksdb::Snapshot* after_first = db->GetSnapshot();
    ASSERT_TRUE(db->Delete(w, record).ok());  // its PUBACK
    const rocksdb::Snapshot* after_delete = db->GetSnapshot();
    EXPECT_EQ(get(*db, record), "(none)");
    EXPECT_EQ(group_from(*db, queued_key("a", 0)), (std::vector<std::string>{next}));
    ASSERT_TRUE(db->Put(w, record, "second").ok());
    ASSERT_TRUE(db->Put(w, queued_key("b", 5), "other client").ok());

    auto check = [&] {
        EXPECT_EQ(get(*db, record), "second");
        EXPECT_EQ(get(*db, record, after_first), "first");
        EXPECT_EQ(get(*db, record, after_delete), "(none)");
        EXPECT_EQ(group_from(*db, queued_key("a", 0)), (std::vector<std::string>{record, next}));
        const auto all = scan(*db);
        ASSERT_EQ(all.size(), 3u);
        EXPECT_EQ(all[0], std::make_pair(record, std::string("second")));
        EXPECT_EQ(all[1].first, next);
    };
    check();
    ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());  // the versions go to a file
    check();
    db->ReleaseSnapshot(after_first);
    db->ReleaseSnapshot(after_delete);

    // A record deleted in the memtable it was written to stays deleted through a flush.
    ASSERT_TRUE(db->Put(w, queued_key("c", 1), "queued").ok());
    ASSERT_TRUE(db->Delete(w, queued_key("c", 1)).ok());
    EXPECT_EQ(get(*db, queued_key("c", 1)), "(none)");
    ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());
    EXPECT_EQ(get(*db, queued_key("c", 1)), "(none)");
    EXPECT_TRUE(group_from(*db, queued_key("c", 0)).empty());
}

// Keys the store never writes, next to the ones it does: whatever group they fall into, reads
// see them, a prefix seek finds each in its group, and a flush writes them in order.
TEST(GroupedMemtableDb, KeysOutsideTheSchemaAreReadSoughtAndFlushedInOrder) {
    TempDir tmp;
    std::vector<std::string> keys = testing::keys_outside_the_schema();
    for (std::string key : {format_version_key(), retained_key("sensors/1"), session_key("a"),
                            subscription_key("a", "t/#"), queued_key("a", 7), session_key("ab"),
                            queued_key("ab", 1), inflight_key("b", 3)})
        keys.push_back(std::move(key));
    std::map<std::string, std::string> expected;
    {
        auto db = open_db(tmp.path(), grouped_options());
        ASSERT_TRUE(db);
        std::vector<std::string> order = keys;
        std::shuffle(order.begin(), order.end(), std::mt19937(7));
        for (const std::string& key : order)
            ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), key, "old").ok());
        for (const std::string& key : keys) {
            ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), key, "new " + key).ok());
            expected[key] = "new " + key;
        }
        const std::vector<std::pair<std::string, std::string>> in_order(expected.begin(),
                                                                        expected.end());
        auto check = [&] {
            EXPECT_EQ(scan(*db), in_order);
            for (const std::string& key : keys) {
                EXPECT_EQ(get(*db, key), "new " + key);
                const auto found = group_from(*db, key);
                ASSERT_FALSE(found.empty()) << describe_key(key);
                EXPECT_EQ(found.front(), key);
            }
        };
        check();
        // RocksDB checks the key order of what a flush writes
        // (check_flush_compaction_key_order): an unordered read fails the flush.
        const rocksdb::Status flushed = db->Flush(rocksdb::FlushOptions());
        ASSERT_TRUE(flushed.ok()) << flushed.ToString();
        check();
    }
    auto db = open_db(tmp.path(), grouped_options());
    ASSERT_TRUE(db);
    EXPECT_EQ(scan(*db),
              (std::vector<std::pair<std::string, std::string>>(expected.begin(), expected.end())));
}

// A store the build before wrote (RocksDB's default memtable, no prefix extractor): its files
// and its WAL open under the grouped memtable and read as before.
TEST(GroupedMemtableDb, AStoreWrittenWithoutTheExtractorOpensAsItWas) {
    TempDir tmp;
    {
        rocksdb::Options plain;
        plain.create_if_missing = true;
        auto db = open_db(tmp.path(), plain);
        ASSERT_TRUE(db);
        const rocksdb::WriteOptions w;
        ASSERT_TRUE(
            db->Put(w, format_version_key(), encode_format_version(kStoreFormatVersion)).ok());
        for (const char* id : {"a", "ab"}) {
            ASSERT_TRUE(
                db->Put(w, session_key(id), encode_session(testing::session_record(id))).ok());
        }
        for (std::uint64_t seq = 1; seq <= 40; ++seq) {
            const char* id = seq % 2 ? "a" : "ab";
            ASSERT_TRUE(
                db->Put(w, queued_key(id, seq), encode_queued(message("t", std::to_string(seq))))
                    .ok());
            if (seq == 20) {
                ASSERT_TRUE(db->Flush(rocksdb::FlushOptions()).ok());  // 1-20: a file
            }
        }
        ASSERT_TRUE(db->Delete(w, queued_key("a", 3)).ok());   // in the file
        ASSERT_TRUE(db->Delete(w, queued_key("a", 25)).ok());  // in the WAL
    }
    auto store = testing::open_store(tmp.path());
    ASSERT_TRUE(store);
    auto seqs_of = [&](std::string_view id, std::uint64_t from) {
        std::vector<QueuedMessage> out;
        bool exhausted = false;
        EXPECT_TRUE(store->read_queued(id, from, UINT64_MAX, 100, &out, &exhausted).ok());
        EXPECT_TRUE(exhausted);
        std::vector<std::uint64_t> seqs;
        for (const QueuedMessage& m : out) {
            EXPECT_EQ(m.message.payload, std::to_string(m.seq));
            seqs.push_back(m.seq);
        }
        return seqs;
    };
    std::vector<std::uint64_t> a;
    for (std::uint64_t seq = 1; seq <= 40; seq += 2) {
        if (seq != 3 && seq != 25) a.push_back(seq);
    }
    EXPECT_EQ(seqs_of("a", 0), a);
    EXPECT_EQ(seqs_of("ab", 30), (std::vector<std::uint64_t>{30, 32, 34, 36, 38, 40}));
    const StoredState state = testing::load_all(*store);
    ASSERT_EQ(state.sessions.size(), 2u);
    EXPECT_EQ(state.sessions[0].queue.size(), a.size());
    EXPECT_EQ(state.sessions[1].queue.size(), 20u);

    // And it goes on: new records and removals, in the grouped memtable.
    ASSERT_TRUE(store->append_queued("a", 41, message("t", "41")).ok());
    ASSERT_TRUE(store->remove_queued("a", 1).ok());
    a.erase(a.begin());
    a.push_back(41);
    EXPECT_EQ(seqs_of("a", 0), a);
}

}  // namespace
}  // namespace akasa::store
