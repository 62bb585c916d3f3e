// A damaged store is an error that names its directory, never a silent (partial) start.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <filesystem>
#include <fstream>

#include "store/key_schema.h"
#include "store/record_codec.h"
#include "store/rocksdb_store.h"
#include "store_test_support.h"
#include "temp_dir.h"

namespace akasa::store {
namespace {

using testing::message;
using testing::open_store;
using testing::TempDir;

std::string payload(int i) {
    std::string p(200, '\0');
    for (std::size_t j = 0; j < p.size(); ++j)
        p[j] = static_cast<char>((i * 131 + j * 7) & 0xff);
    return p;
}

void fill(const std::string& dir, SyncPolicy policy, int count) {
    auto store = open_store(dir, policy);
    ASSERT_TRUE(store);
    for (int i = 0; i < count; ++i) {
        ASSERT_TRUE(store->put_retained(message("t/" + std::to_string(i), payload(i))).ok());
    }
}

std::string find_file(const std::string& dir, std::string_view prefix, std::string_view suffix) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with(prefix) && name.ends_with(suffix)) return entry.path().string();
    }
    return {};
}

// XORs `count` bytes starting at the middle of the file.
void flip_middle(const std::string& path, int count) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(file) << path;
    file.seekg(0, std::ios::end);
    const auto size = static_cast<std::streamoff>(file.tellg());
    ASSERT_GT(size, count * 2) << path;
    for (int i = 0; i < count; ++i) {
        const std::streamoff at = size / 2 + i;
        file.seekg(at);
        char c = 0;
        file.read(&c, 1);
        file.seekp(at);
        c = static_cast<char>(c ^ 0x5a);
        file.write(&c, 1);
    }
}

// Opening, then loading: the first that fails must fail with the directory in its message.
Status open_and_load(const std::string& dir) {
    std::unique_ptr<Store> store;
    Status s = open_rocksdb_store({dir}, &store);
    if (!s.ok()) return s;
    StoredState state;
    return store->load(&state);
}

void expect_error_naming(const Status& s, const std::string& dir) {
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find(dir), std::string::npos) << s.to_string();
}

TEST(StoreCorruption, GarbageInCurrent) {
    TempDir tmp;
    fill(tmp.path(), SyncPolicy::None, 10);
    std::ofstream(tmp.sub("CURRENT"), std::ios::trunc) << "not a manifest name\n";
    const Status s = open_and_load(tmp.path());
    expect_error_naming(s, tmp.path());
}

TEST(StoreCorruption, FlippedBytesInManifest) {
    TempDir tmp;
    fill(tmp.path(), SyncPolicy::None, 10);
    const std::string manifest = find_file(tmp.path(), "MANIFEST-", "");
    ASSERT_FALSE(manifest.empty());
    flip_middle(manifest, 4);
    const Status s = open_and_load(tmp.path());
    expect_error_naming(s, tmp.path());
}

TEST(StoreCorruption, FlippedBytesInTableFile) {
    TempDir tmp;
    fill(tmp.path(), SyncPolicy::None, 2000);
    { auto reopened = open_store(tmp.path()); }  // replays the WAL into a table file
    const std::string table = find_file(tmp.path(), "", ".sst");
    ASSERT_FALSE(table.empty());
    flip_middle(table, 4);
    const Status s = open_and_load(tmp.path());
    expect_error_naming(s, tmp.path());
    EXPECT_EQ(s.code(), Status::Code::Corruption) << s.to_string();
}

// A damaged record in the middle of the write-ahead log fails the open: the default recovery
// mode of RocksDB would stop replay there and drop everything after it without a word.
TEST(StoreCorruption, FlippedBytesInWriteAheadLog) {
    TempDir tmp;
    fill(tmp.path(), SyncPolicy::Always, 500);
    const std::string wal = find_file(tmp.path(), "", ".log");
    ASSERT_FALSE(wal.empty());
    flip_middle(wal, 4);
    const Status s = open_and_load(tmp.path());
    expect_error_naming(s, tmp.path());
    EXPECT_EQ(s.code(), Status::Code::Corruption) << s.to_string();
}

void raw_put(const std::string& dir, const std::string& key, const std::string& value) {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), key, value).ok());
}

TEST(StoreCorruption, UnknownFormatVersionIsNotSupported) {
    TempDir tmp;
    fill(tmp.path(), SyncPolicy::None, 1);
    raw_put(tmp.path(), format_version_key(), encode_format_version(2));
    std::unique_ptr<Store> store;
    const Status s = open_rocksdb_store({tmp.path()}, &store);
    EXPECT_EQ(s.code(), Status::Code::NotSupported);
    EXPECT_EQ(s.message(),
              "the store at '" + tmp.path() + "' has format version 2; this build reads version 1");
}

TEST(StoreCorruption, UnknownRecordVersionIsNotSupportedAndNamesTheKey) {
    TempDir tmp;
    fill(tmp.path(), SyncPolicy::None, 1);
    std::string value = encode_retained(message("", "x"));
    value[0] = 7;
    raw_put(tmp.path(), retained_key("future"), value);
    const Status s = open_and_load(tmp.path());
    EXPECT_EQ(s.code(), Status::Code::NotSupported);
    EXPECT_NE(s.message().find(tmp.path()), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("\"Rfuture\""), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("retained record version 7"), std::string::npos) << s.message();
}

TEST(StoreCorruption, UnknownKeyPrefixIsCorruption) {
    TempDir tmp;
    fill(tmp.path(), SyncPolicy::None, 1);
    raw_put(tmp.path(), "Zstray", "x");
    const Status s = open_and_load(tmp.path());
    EXPECT_EQ(s.code(), Status::Code::Corruption);
    expect_error_naming(s, tmp.path());
}

TEST(StoreCorruption, DataWithoutFormatVersionIsNotOurs) {
    TempDir tmp;
    raw_put(tmp.path(), "someone else's key", "x");
    std::unique_ptr<Store> store;
    const Status s = open_rocksdb_store({tmp.path()}, &store);
    EXPECT_EQ(s.code(), Status::Code::Corruption);
    expect_error_naming(s, tmp.path());
}

}  // namespace
}  // namespace akasa::store
