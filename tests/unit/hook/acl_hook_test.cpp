#include "hook/acl/acl_hook.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "hook/hook_chain.h"
#include "hook_test_util.h"

namespace akasa::hook::acl {
namespace {

using mqtt::ReasonCode;

std::shared_ptr<AclStore> store_of(std::string_view text, std::string path = "acl") {
    return std::make_shared<AclStore>(AclRules::parse(text, path), path);
}

class AclHookTest : public ::testing::Test {
  protected:
    void use(std::string_view text) {
        hook = std::make_shared<AclHook>(store_of(text));
        chain = HookChain{};
        chain.add(hook);
    }

    HookChain chain;
    std::shared_ptr<AclHook> hook;
    testing::Site s;
};

TEST_F(AclHookTest, PublishToAForbiddenTopicIsRefusedWithNotAuthorized) {
    use("user alice\ntopic write alice/#\n");
    s.session.username = "alice";
    mqtt::Publish allowed;
    allowed.topic = "alice/x";
    EXPECT_FALSE(chain.before_publish(s.site(), allowed).decision.refuses());
    mqtt::Publish denied;
    denied.topic = "bob/x";
    const ChainResult r = chain.before_publish(s.site(), denied);
    EXPECT_EQ(r.decision.reason, ReasonCode::NotAuthorized);  // 0x87 in PUBACK/PUBREC
    EXPECT_EQ(static_cast<int>(r.decision.reason), 0x87);
}

TEST_F(AclHookTest, SubscribeIsRefusedPerFilter) {
    use("pattern read users/%u/#\ntopic read public/#\n");
    s.session.username = std::nullopt;
    s.session.client_id = "anon-1";
    mqtt::Subscribe sub;
    sub.topics = {{"public/news", {}}, {"users/alice/#", {}}, {"public/#", {}}};
    std::vector<ReasonCode> reasons(3, ReasonCode::Success);
    chain.before_subscribe(s.site(), sub, reasons);
    EXPECT_EQ(reasons, (std::vector<ReasonCode>{ReasonCode::Success, ReasonCode::NotAuthorized,
                                                ReasonCode::Success}));
}

TEST_F(AclHookTest, AFilterAlreadyRefusedStaysRefused) {
    use("topic read #\n");
    mqtt::Subscribe sub;
    sub.topics = {{"a", {}}};
    std::vector<ReasonCode> reasons{ReasonCode::TopicFilterInvalid};
    chain.before_subscribe(s.site(), sub, reasons);
    EXPECT_EQ(reasons[0], ReasonCode::TopicFilterInvalid);
}

TEST_F(AclHookTest, AWillToAForbiddenTopicRefusesTheConnect) {
    use("user u\ntopic write status/%c\npattern write status/%c\n");
    s.session.username = "u";
    s.session.client_id = "dev1";
    mqtt::Connect connect;
    connect.will = mqtt::Will{};
    connect.will->topic = "status/dev1";
    EXPECT_FALSE(chain.before_connect(s.site(), connect).decision.refuses());
    connect.will->topic = "status/dev2";
    EXPECT_EQ(chain.before_connect(s.site(), connect).decision.reason, ReasonCode::NotAuthorized);
    connect.will.reset();
    EXPECT_FALSE(chain.before_connect(s.site(), connect).decision.refuses());
}

TEST_F(AclHookTest, CanDeliverChecksReadForRetainedAndQueuedMessages) {
    use("user u\ntopic read news/#\ntopic deny news/internal/#\npattern read to/%c\n");
    s.session.username = "u";
    s.session.client_id = "c7";
    EXPECT_TRUE(hook->can_deliver(s.session, "news/today"));
    EXPECT_FALSE(hook->can_deliver(s.session, "news/internal/pay"));
    EXPECT_TRUE(hook->can_deliver(s.session, "to/c7"));
    EXPECT_FALSE(hook->can_deliver(s.session, "to/c8"));
}

TEST(AclStoreTest, ReloadSwapsRulesAndABadFileKeepsTheOldOnes) {
    const std::string path = ::testing::TempDir() + "acl_store_test.acl";
    auto write = [&](std::string_view text) {
        std::ofstream out(path, std::ios::trunc);
        out << text;
    };
    write("topic read a\n");
    AclStore store(AclRules::load(path), path);
    const auto before = store.rules();
    EXPECT_TRUE(before->check(std::nullopt, "c", "a", Access::Read));

    write("topic read b\n");
    EXPECT_EQ(store.reload(), std::nullopt);
    EXPECT_FALSE(store.rules()->check(std::nullopt, "c", "a", Access::Read));
    EXPECT_TRUE(store.rules()->check(std::nullopt, "c", "b", Access::Read));
    // A snapshot taken before the reload is still usable.
    EXPECT_TRUE(before->check(std::nullopt, "c", "a", Access::Read));

    write("topic read c\ntopic sometimes d\n");
    const auto error = store.reload();
    ASSERT_TRUE(error.has_value());
    EXPECT_NE(error->find(path + ":2: unknown access type \"sometimes\""), std::string::npos)
        << *error;
    EXPECT_NE(error->find("keeping the previous ACL rules"), std::string::npos);
    EXPECT_TRUE(store.rules()->check(std::nullopt, "c", "b", Access::Read));

    std::remove(path.c_str());
    ASSERT_TRUE(store.reload().has_value());
    EXPECT_TRUE(store.rules()->check(std::nullopt, "c", "b", Access::Read));
}

}  // namespace
}  // namespace akasa::hook::acl
