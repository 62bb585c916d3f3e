// Record builders and an open-or-fail helper shared by the store tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/rocksdb_store.h"

namespace akasa::store::testing {

inline MessageRecord message(std::string topic, std::string payload, std::uint8_t qos = 1) {
    MessageRecord m;
    m.topic = std::move(topic);
    m.payload = std::move(payload);
    m.qos = qos;
    return m;
}

// A session record with a client id, protocol 5 and a 2-minute expiry, nothing else.
inline SessionRecord session_record(std::string client_id) {
    SessionRecord s;
    s.client_id = std::move(client_id);
    s.protocol_version = 5;
    s.expiry_interval_s = 120;
    return s;
}

inline std::unique_ptr<Store> open_store(const std::string& dir, SyncPolicy sync = SyncPolicy::None,
                                         const RocksDbTestHooks& hooks = {}) {
    std::unique_ptr<Store> store;
    StoreOptions options;
    options.dir = dir;
    options.sync = sync;
    options.sync_interval = std::chrono::milliseconds(5);
    const Status s = RocksDbStore::open(options, &store, hooks);
    EXPECT_TRUE(s.ok()) << s.to_string();
    return store;
}

inline StoredState load_all(Store& store) {
    StoredState state;
    const Status s = store.load(&state);
    EXPECT_TRUE(s.ok()) << s.to_string();
    return state;
}

}  // namespace akasa::store::testing
