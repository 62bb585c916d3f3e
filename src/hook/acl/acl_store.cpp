#include "hook/acl/acl_store.h"

#include <utility>

namespace akasa::hook::acl {

AclStore::AclStore(AclRules rules, std::string path)
    : rules_(std::make_shared<const AclRules>(std::move(rules))), path_(std::move(path)) {}

std::optional<std::string> AclStore::reload() {
    try {
        replace(AclRules::load(path_));
        return std::nullopt;
    } catch (const AclFileError& error) {
        return std::string(error.what()) + " (keeping the previous ACL rules)";
    }
}

void AclStore::replace(AclRules rules) {
    rules_.store(std::make_shared<const AclRules>(std::move(rules)), std::memory_order_release);
    generation_.fetch_add(1, std::memory_order_acq_rel);
}

void AclStore::replace(AclRules rules, std::string path) {
    replace(std::move(rules));
    path_ = std::move(path);
}

}  // namespace akasa::hook::acl
