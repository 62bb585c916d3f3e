// The sessions one worker owns, found by id (deliveries, tasks from other workers) or by
// client id (CONNECT). Two open-addressing tables of pointers (Abseil): a session costs two
// 8-byte slots here rather than two node allocations and a second copy of its client id,
// which matters at 10,000s of idle connections (docs/benchmarks.md, scenario e).
//
//   Session& s = table.add(std::make_unique<Session>(id, client_id));
//   if (Session* found = table.find(client_id)) ...
//   for (const auto& session : table) ...   // any order
//   table.erase(s);                          // destroys it
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include <absl/container/flat_hash_set.h>
#include <absl/hash/hash.h>

#include "broker/session/session.h"

namespace akasa::broker {

class SessionTable {
    // Both tables hash and compare their sessions by one key, and accept the bare key in
    // find() (transparent functors).
    struct ById {
        using is_transparent = void;
        static SessionId key(SessionId id) { return id; }
        static SessionId key(const std::unique_ptr<Session>& s) { return s->id(); }
        template <class A>
        std::size_t operator()(const A& a) const {
            return absl::Hash<SessionId>{}(key(a));
        }
        template <class A, class B>
        bool operator()(const A& a, const B& b) const {
            return key(a) == key(b);
        }
    };
    struct ByClientId {
        using is_transparent = void;
        static std::string_view key(std::string_view id) { return id; }
        static std::string_view key(const Session* s) { return s->client_id(); }
        template <class A>
        std::size_t operator()(const A& a) const {
            return absl::Hash<std::string_view>{}(key(a));
        }
        template <class A, class B>
        bool operator()(const A& a, const B& b) const {
            return key(a) == key(b);
        }
    };
    using ByIdSet = absl::flat_hash_set<std::unique_ptr<Session>, ById, ById>;

  public:
    Session* find(SessionId id) const {
        auto it = by_id_.find(id);
        return it == by_id_.end() ? nullptr : it->get();
    }
    Session* find(std::string_view client_id) const {
        auto it = by_client_.find(client_id);
        return it == by_client_.end() ? nullptr : *it;
    }
    // The session's id and client id must be new to this table.
    Session& add(std::unique_ptr<Session> session) {
        Session& added = *session;
        by_client_.insert(&added);
        by_id_.insert(std::move(session));
        return added;
    }
    // Removes and destroys it.
    void erase(Session& session) {
        by_client_.erase(session.client_id());
        by_id_.erase(session.id());
    }
    std::size_t size() const { return by_id_.size(); }
    ByIdSet::const_iterator begin() const { return by_id_.begin(); }
    ByIdSet::const_iterator end() const { return by_id_.end(); }

  private:
    ByIdSet by_id_;
    absl::flat_hash_set<Session*, ByClientId, ByClientId> by_client_;
};

}  // namespace akasa::broker
