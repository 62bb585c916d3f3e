#include "broker/persist/persist_store.h"

#include <mutex>
#include <stdexcept>

namespace akasa::broker {

std::unique_ptr<Persistence> Persistence::open(const config::PersistenceConfig& config) {
    store::StoreOptions options;
    options.dir = config.dir;
    options.sync_interval = config.sync_interval;
    options.sync = config.sync;
    std::unique_ptr<store::Store> store;
    if (store::Status s = store::open_rocksdb_store(options, &store); !s.ok()) {
        throw std::runtime_error("persistence: " + s.to_string());
    }
    return std::make_unique<Persistence>(std::move(store));
}

void Persistence::add_session(SessionId session, const std::string& client_id) {
    std::unique_lock lock(mutex_);
    clients_[session] = &client_id;
}

void Persistence::remove_session(SessionId session) {
    std::unique_lock lock(mutex_);
    clients_.erase(session);
}

bool Persistence::stored_client(SessionId session, std::string& client_id) const {
    std::shared_lock lock(mutex_);
    auto it = clients_.find(session);
    if (it == clients_.end()) return false;
    client_id = *it->second;
    return true;
}

void Persistence::continue_after(std::uint64_t seq) {
    std::uint64_t current = next_seq_.load(std::memory_order_relaxed);
    while (current <= seq &&
           !next_seq_.compare_exchange_weak(current, seq + 1, std::memory_order_relaxed)) {
    }
}

}  // namespace akasa::broker
