// ClientAcl: the engine's per-client cache of bound ACL rules. It must answer exactly as
// AclRules::check does, and see a reload (AclStore::replace) at its next check.
#include "hook/acl/acl_client.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace akasa::hook::acl {
namespace {

constexpr const char* kRules =
    "topic read public/#\n"
    "user alice\n"
    "topic readwrite alice/#\n"
    "topic deny alice/private/#\n"
    "pattern write devices/%c/status\n"
    "pattern read users/%u/inbox/#\n"
    "pattern deny users/%u/inbox/spam\n";

TEST(ClientAclTest, AnswersLikeAclRulesCheck) {
    const AclStore store(AclRules::parse(kRules, "acl"), "acl");
    const auto rules = store.rules();
    const std::vector<std::tuple<std::optional<std::string>, std::string>> clients = {
        {std::nullopt, "dev1"},
        {"alice", "dev2"},
        {"bob", "dev3"},
        {"al+ce", "dev4"},
        {std::nullopt, "dev#"}};
    const std::vector<std::string> targets = {"public/a",
                                              "alice/x",
                                              "alice/private/y",
                                              "devices/dev1/status",
                                              "devices/dev2/status",
                                              "users/alice/inbox/1",
                                              "users/bob/inbox/1",
                                              "users/alice/inbox/spam",
                                              "alice/#",
                                              "users/+/inbox/#",
                                              "#"};
    for (const auto& [username, client_id] : clients) {
        ClientAcl cache;
        std::optional<std::string_view> user;
        if (username) user = *username;
        for (const auto& target : targets) {
            for (const Access access : {Access::Read, Access::Write, Access::Subscribe}) {
                if (access != Access::Subscribe && target.find_first_of("+#") != std::string::npos)
                    continue;  // Read and Write take topic names
                EXPECT_EQ(cache.check(store, user, client_id, target, access),
                          rules->check(user, client_id, target, access))
                    << (username ? *username : "(anonymous)") << " " << client_id << " " << target
                    << " access " << static_cast<int>(access);
            }
        }
    }
}

TEST(ClientAclTest, SeesAReloadAtItsNextCheck) {
    AclStore store(AclRules::parse("user alice\ntopic read a/#\n", "acl"), "acl");
    ClientAcl cache;
    EXPECT_TRUE(cache.check(store, std::string_view("alice"), "c", "a/1", Access::Read));
    EXPECT_FALSE(cache.check(store, std::string_view("alice"), "c", "b/1", Access::Read));
    store.replace(AclRules::parse("user alice\ntopic read b/#\n", "acl"));
    EXPECT_FALSE(cache.check(store, std::string_view("alice"), "c", "a/1", Access::Read));
    EXPECT_TRUE(cache.check(store, std::string_view("alice"), "c", "b/1", Access::Read));
}

TEST(ClientAclTest, BindSubstitutesPatternsOnce) {
    const AclRules rules = AclRules::parse(kRules, "acl");
    const BoundRules bound = rules.bind(std::string_view("alice"), "dev2");
    ASSERT_EQ(bound.patterns.size(), 3u);
    EXPECT_EQ(bound.patterns[0].filter, "devices/dev2/status");
    EXPECT_EQ(bound.patterns[1].filter, "users/alice/inbox/#");
    EXPECT_EQ(bound.patterns[2].filter, "users/alice/inbox/spam");
    // Without a username the %u patterns do not apply at all.
    EXPECT_EQ(rules.bind(std::nullopt, "dev1").patterns.size(), 1u);
    // A wildcard in the client id could widen a pattern: no pattern applies, and what the
    // section does not decide is denied.
    const BoundRules refused = rules.bind(std::nullopt, "dev+");
    EXPECT_TRUE(refused.patterns_refused);
    EXPECT_TRUE(refused.patterns.empty());
    EXPECT_EQ(refused.section, &rules.anonymous_rules());
}

}  // namespace
}  // namespace akasa::hook::acl
