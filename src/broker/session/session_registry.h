// Which worker thread owns the session of each client id. Touched only when a client
// connects and when a session ends, never on the message path.
//
// A session never moves between workers: a client that reconnects on another thread has its
// connection handed to the owner (see docs/architecture.md, "Takeover"). So the registry is
// only "client id -> worker index", claimed by the first worker that sees the id.
//
//   std::uint32_t owner = registry.claim("sensor-7", my_index);  // me, or who owns it
//   ...
//   registry.release("sensor-7", my_index);   // when the session ends
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace akasa::broker {

class SessionRegistry {
  public:
    // Returns the owner of `client_id`, making `worker` the owner when there is none.
    std::uint32_t claim(std::string_view client_id, std::uint32_t worker);

    // Forgets `client_id` if `worker` owns it (a later claim by someone else is kept).
    void release(std::string_view client_id, std::uint32_t worker);

    std::size_t size() const;

  private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> owners_;  // guarded
};

}  // namespace akasa::broker
