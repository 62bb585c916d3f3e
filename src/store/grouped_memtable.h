// The store's in-memory write buffer (RocksDB memtable): entries appended to one list per key
// group (key_group(): one client's records, all retained messages, ...) and ordered only when
// read. Writing costs an append, like RocksDB's vector memtable; reading one client's queue
// back (a prefix seek) orders that client's entries only, not the whole buffer; a read across
// groups (recovery, a flush) orders everything once. docs/persistence.md, "The write buffer".
//
//   options.prefix_extractor = make_key_group_extractor();
//   options.memtable_factory = std::make_shared<GroupedMemtableFactory>();
#pragma once

#include <rocksdb/memtablerep.h>

#include <atomic>
#include <cstdint>
#include <memory>

namespace ROCKSDB_NAMESPACE {
class SliceTransform;
}

namespace akasa::store {

class GroupedMemtableFactory final : public rocksdb::MemTableRepFactory {
  public:
    // `entries_ordered`, when set, counts every entry a read puts in order (a test's view of
    // what reads cost); it must outlive the memtables.
    explicit GroupedMemtableFactory(std::atomic<std::uint64_t>* entries_ordered = nullptr)
        : entries_ordered_(entries_ordered) {}

    using rocksdb::MemTableRepFactory::CreateMemTableRep;
    // `transform` is the column family's prefix extractor: it must be set (it names the
    // groups), and reads across groups must ask for total_order_seek.
    rocksdb::MemTableRep* CreateMemTableRep(const rocksdb::MemTableRep::KeyComparator& compare,
                                            rocksdb::Allocator* allocator,
                                            const rocksdb::SliceTransform* transform,
                                            rocksdb::Logger* logger) override;
    const char* Name() const override { return "akasa.GroupedMemtable"; }

  private:
    std::atomic<std::uint64_t>* const entries_ordered_;
};

// key_group() as a RocksDB prefix extractor.
std::shared_ptr<const rocksdb::SliceTransform> make_key_group_extractor();

}  // namespace akasa::store
