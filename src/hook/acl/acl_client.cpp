#include "hook/acl/acl_client.h"

namespace akasa::hook::acl {

bool ClientAcl::check(const AclStore& store, std::optional<std::string_view> username,
                      std::string_view client_id, std::string_view target, Access access) {
    const std::uint64_t generation = store.generation();
    if (!rules_ || generation != generation_) {
        // The generation is read before the rules: a reload in between leaves us with newer
        // rules under an older generation, which only means one more rebind next time.
        generation_ = generation;
        rules_ = store.rules();
        bound_ = rules_->bind(username, client_id);
    }
    return AclRules::check(bound_, target, access);
}

}  // namespace akasa::hook::acl
