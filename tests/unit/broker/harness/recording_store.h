// A store::Store that writes through to a real one and lets a test watch the writes: how
// many batches, what each held, and a callback at the moment of each write (to check what
// a client had received by then: no acknowledgement may leave before its write).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "store/store.h"

namespace akasa::broker::harness {

class RecordingStore final : public store::Store {
  public:
    explicit RecordingStore(std::unique_ptr<store::Store> inner) : inner_(std::move(inner)) {}

    store::Status write(const store::StoreBatch& batch) override {
        ++writes_;
        operations_ += batch.size();
        if (on_write) on_write(batch);
        return inner_->write(batch);
    }
    store::Status recover(store::RecoveryVisitor& visitor,
                          store::RecoveryStats* stats = nullptr) override {
        return inner_->recover(visitor, stats);
    }
    store::Status read_queued(std::string_view client_id, std::uint64_t from_seq,
                              std::uint64_t below_seq, std::size_t max_count,
                              std::vector<store::QueuedMessage>* out, bool* exhausted) override {
        ++reads_;
        return inner_->read_queued(client_id, from_seq, below_seq, max_count, out, exhausted);
    }
    store::Status sync() override { return inner_->sync(); }
    store::StoreStats stats() const override { return inner_->stats(); }
    const std::string& dir() const override { return inner_->dir(); }

    // write() calls so far, and the operations they carried (cancelled ones not counted).
    std::size_t writes() const { return writes_; }
    std::size_t operations() const { return operations_; }
    // read_queued() calls so far.
    std::size_t reads() const { return reads_; }
    // Called by each write() before the batch goes to the real store.
    std::function<void(const store::StoreBatch&)> on_write;

  private:
    std::unique_ptr<store::Store> inner_;
    std::size_t writes_ = 0;
    std::size_t operations_ = 0;
    std::size_t reads_ = 0;
};

}  // namespace akasa::broker::harness
