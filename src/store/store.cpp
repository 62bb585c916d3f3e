#include "store/store.h"

#include <utility>

namespace akasa::store {
namespace {

class CollectingVisitor final : public RecoveryVisitor {
  public:
    explicit CollectingVisitor(StoredState* out) : out_(out) {}
    void on_retained(MessageRecord&& message) override {
        out_->retained.push_back(std::move(message));
    }
    void on_session(SessionState&& session) override {
        out_->sessions.push_back(std::move(session));
    }

  private:
    StoredState* out_;
};

template <typename Fill>
Status write_one(Store& store, Fill fill) {
    StoreBatch batch;
    fill(batch);
    return store.write(batch);
}

}  // namespace

Status Store::load(StoredState* out) {
    *out = StoredState{};
    CollectingVisitor visitor(out);
    return recover(visitor, &out->stats);
}

Status Store::put_retained(const MessageRecord& message) {
    return write_one(*this, [&](StoreBatch& b) { b.put_retained(message); });
}
Status Store::erase_retained(std::string_view topic) {
    return write_one(*this, [&](StoreBatch& b) { b.erase_retained(topic); });
}
Status Store::put_session(const SessionRecord& session) {
    return write_one(*this, [&](StoreBatch& b) { b.put_session(session); });
}
Status Store::erase_session(std::string_view client_id) {
    return write_one(*this, [&](StoreBatch& b) { b.erase_session(client_id); });
}
Status Store::put_subscription(std::string_view client_id, const SubscriptionRecord& subscription) {
    return write_one(*this, [&](StoreBatch& b) { b.put_subscription(client_id, subscription); });
}
Status Store::erase_subscription(std::string_view client_id, std::string_view filter) {
    return write_one(*this, [&](StoreBatch& b) { b.erase_subscription(client_id, filter); });
}
Status Store::append_queued(std::string_view client_id, std::uint64_t seq,
                            const MessageRecord& message) {
    return write_one(*this, [&](StoreBatch& b) { b.append_queued(client_id, seq, message); });
}
Status Store::remove_queued(std::string_view client_id, std::uint64_t seq) {
    return write_one(*this, [&](StoreBatch& b) { b.remove_queued(client_id, seq); });
}
Status Store::put_inflight(std::string_view client_id, const InflightRecord& inflight) {
    return write_one(*this, [&](StoreBatch& b) { b.put_inflight(client_id, inflight); });
}
Status Store::erase_inflight(std::string_view client_id, std::uint16_t packet_id) {
    return write_one(*this, [&](StoreBatch& b) { b.erase_inflight(client_id, packet_id); });
}
Status Store::set_qos2_received(std::string_view client_id, std::uint16_t packet_id) {
    return write_one(*this, [&](StoreBatch& b) { b.set_qos2_received(client_id, packet_id); });
}
Status Store::clear_qos2_received(std::string_view client_id, std::uint16_t packet_id) {
    return write_one(*this, [&](StoreBatch& b) { b.clear_qos2_received(client_id, packet_id); });
}

}  // namespace akasa::store
