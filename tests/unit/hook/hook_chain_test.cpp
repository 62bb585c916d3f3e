#include "hook/hook_chain.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "hook_test_util.h"

namespace akasa::hook {
namespace {

using mqtt::ReasonCode;
using testing::Site;

// A hook whose behaviour each test plugs in.
class FakeHook : public Hook {
  public:
    FakeHook(std::string name, HookPointSet points) : name_(std::move(name)), points_(points) {}

    std::string_view name() const override { return name_; }
    HookPointSet points() const override { return points_; }

    std::function<Outcome(HookCall&, mqtt::Connect&)> on_before_connect;
    std::function<Outcome(HookCall&, mqtt::Publish&)> on_before_publish;
    std::function<Outcome(HookCall&, mqtt::Subscribe&, std::span<ReasonCode>)> on_before_subscribe;
    std::function<Outcome(HookCall&)> on_after;
    std::vector<std::string> events;

    Outcome before_connect(HookCall& c, mqtt::Connect& p) override {
        events.push_back("before_connect");
        return on_before_connect ? on_before_connect(c, p) : Outcome{};
    }
    Outcome after_connect(HookCall& c, bool) override {
        events.push_back("after_connect");
        return on_after ? on_after(c) : Outcome{};
    }
    Outcome before_publish(HookCall& c, mqtt::Publish& p) override {
        events.push_back("before_publish");
        return on_before_publish ? on_before_publish(c, p) : Outcome{};
    }
    Outcome after_publish(HookCall& c, const mqtt::Publish&, bool) override {
        events.push_back("after_publish");
        return on_after ? on_after(c) : Outcome{};
    }
    Outcome before_subscribe(HookCall& c, mqtt::Subscribe& s,
                             std::span<ReasonCode> reasons) override {
        events.push_back("before_subscribe");
        return on_before_subscribe ? on_before_subscribe(c, s, reasons) : Outcome{};
    }
    Outcome before_unsubscribe(HookCall&, mqtt::Unsubscribe&, std::span<ReasonCode>) override {
        events.push_back("before_unsubscribe");
        return {};
    }
    void after_disconnect(const SessionInfo& s, bool taken_over) override {
        events.push_back(std::string("after_disconnect ") + std::string(s.client_id) +
                         (taken_over ? " taken_over" : ""));
    }
    void on_worker_start(unsigned worker) override {
        events.push_back("start " + std::to_string(worker));
    }
    void on_worker_stop(unsigned worker) override {
        events.push_back("stop " + std::to_string(worker));
    }

  private:
    std::string name_;
    HookPointSet points_;
};

std::shared_ptr<FakeHook> fake(std::string name, HookPointSet points = kAllHookPoints) {
    return std::make_shared<FakeHook>(std::move(name), points);
}

mqtt::Publish publish_to(std::string_view topic) {
    mqtt::Publish p;
    p.topic = topic;
    p.payload = "payload";
    return p;
}

TEST(HookChainTest, EmptyChainHasNoHookAtAnyPoint) {
    HookChain chain;
    for (std::size_t i = 0; i < kHookPointCount; ++i) {
        EXPECT_FALSE(chain.any_for(static_cast<HookPoint>(i))) << i;
    }
}

TEST(HookChainTest, AnyForReflectsOnlyThePointsAHookImplements) {
    HookChain chain;
    chain.add(fake("a", bit(HookPoint::BeforePublish)));
    EXPECT_TRUE(chain.any_for(HookPoint::BeforePublish));
    EXPECT_FALSE(chain.any_for(HookPoint::AfterPublish));
    EXPECT_FALSE(chain.any_for(HookPoint::BeforeConnect));
}

TEST(HookChainTest, APolicyHookIgnoresTheSwitches) {
    config::HookConfig flags;
    flags.enable_publish = false;
    flags.enable_subscribe = false;
    HookChain chain(flags);
    auto acl_like = fake("acl");
    chain.add(acl_like, HookChain::Switches::Ignore);
    EXPECT_TRUE(chain.any_for(HookPoint::BeforePublish));
    EXPECT_TRUE(chain.any_for(HookPoint::BeforeSubscribe));
    Site s;
    auto p = publish_to("a/b");
    chain.before_publish(s.site(), p);
    EXPECT_FALSE(acl_like->events.empty());
}

TEST(HookChainTest, DisabledFlagsTurnPointsOff) {
    config::HookConfig flags;
    flags.enable_publish = false;
    flags.enable_before_connect = false;
    HookChain chain(flags);
    auto hook = fake("a");
    chain.add(hook);
    EXPECT_FALSE(chain.any_for(HookPoint::BeforePublish));
    EXPECT_FALSE(chain.any_for(HookPoint::AfterPublish));
    EXPECT_FALSE(chain.any_for(HookPoint::BeforeConnect));
    EXPECT_TRUE(chain.any_for(HookPoint::AfterConnect));
    EXPECT_TRUE(chain.any_for(HookPoint::BeforeSubscribe));

    // Even when the engine calls anyway, a disabled point runs no hook.
    Site s;
    auto p = publish_to("a/b");
    chain.before_publish(s.site(), p);
    EXPECT_TRUE(hook->events.empty());
}

TEST(HookChainTest, EachFlagControlsItsPoints) {
    const std::pair<bool config::HookConfig::*, HookPointSet> cases[] = {
        {&config::HookConfig::enable_before_connect, bit(HookPoint::BeforeConnect)},
        {&config::HookConfig::enable_after_connect, bit(HookPoint::AfterConnect)},
        {&config::HookConfig::enable_after_disconnect, bit(HookPoint::AfterDisconnect)},
        {&config::HookConfig::enable_publish,
         bit(HookPoint::BeforePublish) | bit(HookPoint::AfterPublish)},
        {&config::HookConfig::enable_subscribe,
         bit(HookPoint::BeforeSubscribe) | bit(HookPoint::AfterSubscribe)},
        {&config::HookConfig::enable_unsubscribe,
         bit(HookPoint::BeforeUnsubscribe) | bit(HookPoint::AfterUnsubscribe)},
    };
    EXPECT_EQ(enabled_points(config::HookConfig{}), kAllHookPoints);
    for (const auto& [flag, points] : cases) {
        config::HookConfig flags;
        flags.*flag = false;
        EXPECT_EQ(enabled_points(flags), kAllHookPoints & ~points);
    }
}

TEST(HookChainTest, HooksRunInRegistrationOrder) {
    HookChain chain;
    std::vector<std::string> order;
    for (const char* name : {"first", "second", "third"}) {
        auto hook = fake(name);
        hook->on_before_connect = [&order, name](HookCall&, mqtt::Connect&) {
            order.push_back(name);
            return Outcome{};
        };
        chain.add(hook);
    }
    Site s;
    mqtt::Connect connect;
    const ChainResult r = chain.before_connect(s.site(), connect);
    EXPECT_FALSE(r.pending);
    EXPECT_FALSE(r.decision.refuses());
    EXPECT_EQ(order, (std::vector<std::string>{"first", "second", "third"}));
}

TEST(HookChainTest, ARefusalStopsTheChain) {
    HookChain chain;
    auto refuser = fake("refuser");
    refuser->on_before_connect = [](HookCall&, mqtt::Connect&) {
        return Outcome(Decision::refuse(ReasonCode::BadUserNameOrPassword, "nope"));
    };
    auto after = fake("after");
    chain.add(refuser);
    chain.add(after);
    Site s;
    mqtt::Connect connect;
    const ChainResult r = chain.before_connect(s.site(), connect);
    EXPECT_TRUE(r.decision.refuses());
    EXPECT_EQ(r.decision.reason, ReasonCode::BadUserNameOrPassword);
    EXPECT_EQ(r.decision.reason_string, "nope");
    EXPECT_TRUE(after->events.empty());
}

TEST(HookChainTest, ARewriteIsSeenByLaterHooksAndReportedAsChanged) {
    HookChain chain;
    auto rewriter = fake("rewriter");
    rewriter->on_before_publish = [](HookCall&, mqtt::Publish&) {
        Decision d;
        d.publish_topic = "v2/x";
        return Outcome(std::move(d));
    };
    auto observer = fake("observer");
    std::string seen;
    observer->on_before_publish = [&](HookCall&, mqtt::Publish& p) {
        seen = std::string(p.topic);
        return Outcome{};
    };
    chain.add(rewriter);
    chain.add(observer);
    Site s;
    auto p = publish_to("legacy/x");
    const ChainResult r = chain.before_publish(s.site(), p);
    EXPECT_TRUE(r.changed);
    EXPECT_EQ(p.topic, "v2/x");
    EXPECT_EQ(seen, "v2/x");
}

TEST(HookChainTest, AnInPlaceEditThroughTheArenaCounts) {
    HookChain chain;
    auto editor = fake("editor");
    editor->on_before_publish = [](HookCall& call, mqtt::Publish& p) {
        p.payload = call.arena().copy("edited");
        return Outcome{};
    };
    chain.add(editor);
    Site s;
    auto p = publish_to("a");
    EXPECT_TRUE(chain.before_publish(s.site(), p).changed);
    EXPECT_EQ(p.payload, "edited");

    HookChain untouched;
    untouched.add(fake("noop"));
    auto q = publish_to("a");
    EXPECT_FALSE(untouched.before_publish(s.site(), q).changed);
}

TEST(HookChainTest, SubscribeIsRefusedPerFilter) {
    HookChain chain;
    auto by_span = fake("by-span");
    by_span->on_before_subscribe = [](HookCall&, mqtt::Subscribe&, std::span<ReasonCode> r) {
        r[0] = ReasonCode::NotAuthorized;
        return Outcome{};
    };
    auto by_decision = fake("by-decision");
    by_decision->on_before_subscribe = [](HookCall&, mqtt::Subscribe&, std::span<ReasonCode>) {
        Decision d;
        d.filter_reasons = {ReasonCode::Success, ReasonCode::Success,
                            ReasonCode::TopicFilterInvalid};
        return Outcome(std::move(d));
    };
    chain.add(by_span);
    chain.add(by_decision);
    mqtt::Subscribe sub;
    sub.topics = {{"a", {}}, {"b", {}}, {"c", {}}};
    std::vector<ReasonCode> reasons(3, ReasonCode::Success);
    Site s;
    chain.before_subscribe(s.site(), sub, reasons);
    EXPECT_EQ(reasons, (std::vector<ReasonCode>{ReasonCode::NotAuthorized, ReasonCode::Success,
                                                ReasonCode::TopicFilterInvalid}));
}

TEST(HookChainTest, AfterHooksActionsAccumulateInOrder) {
    HookChain chain;
    auto one = fake("one");
    one->on_after = [](HookCall&) {
        Decision d;
        d.actions.push_back(SubscribeAction{"inbox/1", {}});
        return Outcome(std::move(d));
    };
    auto two = fake("two");
    two->on_after = [](HookCall& call) {
        Decision d;
        d.actions.push_back(
            PublishAction{"hello/" + std::string(call.session().client_id), "hi", {}, false});
        d.actions.push_back(UnsubscribeAction{"old/#"});
        return Outcome(std::move(d));
    };
    chain.add(one);
    chain.add(two);
    Site s;
    const ChainResult r = chain.after_connect(s.site(), false);
    ASSERT_EQ(r.decision.actions.size(), 3u);
    EXPECT_EQ(std::get<SubscribeAction>(r.decision.actions[0]).filter, "inbox/1");
    EXPECT_EQ(std::get<PublishAction>(r.decision.actions[1]).topic, "hello/client-1");
    EXPECT_EQ(std::get<UnsubscribeAction>(r.decision.actions[2]).filter, "old/#");
}

TEST(HookChainTest, AsyncAnswerFromAnotherThreadResumesTheChain) {
    HookChain chain;
    std::thread worker;
    auto async = fake("async");
    async->on_before_connect = [&](HookCall& call, mqtt::Connect&) {
        Completion completion = call.defer();
        worker = std::thread([completion] {
            Decision d;  // accept
            EXPECT_TRUE(completion.complete(std::move(d)));
        });
        return Outcome::deferred();
    };
    auto second = fake("second");
    chain.add(async);
    chain.add(second);

    Site s;
    mqtt::Connect connect;
    ChainResult r = chain.before_connect(s.site(42), connect);
    ASSERT_TRUE(r.pending);
    EXPECT_EQ(r.resume_from, 1u);
    EXPECT_TRUE(second->events.empty());

    CompletedCall done = s.poster->wait();
    worker.join();
    EXPECT_EQ(done.call_id, 42u);
    EXPECT_EQ(done.point, HookPoint::BeforeConnect);
    EXPECT_EQ(done.resume_from, 1u);
    EXPECT_FALSE(done.decision.refuses());

    r = chain.before_connect(s.site(42), connect, done.resume_from);
    EXPECT_FALSE(r.pending);
    EXPECT_FALSE(r.decision.refuses());
    EXPECT_EQ(second->events, std::vector<std::string>{"before_connect"});
}

TEST(HookChainTest, AsyncRefusalCarriesTheReason) {
    HookChain chain;
    std::thread worker;
    auto async = fake("async");
    async->on_before_publish = [&](HookCall& call, mqtt::Publish&) {
        worker = std::thread([completion = call.defer()] {
            completion.complete(Decision::refuse(ReasonCode::QuotaExceeded));
        });
        return Outcome::deferred();
    };
    chain.add(async);
    Site s;
    auto p = publish_to("a");
    ASSERT_TRUE(chain.before_publish(s.site(), p).pending);
    CompletedCall done = s.poster->wait();
    worker.join();
    EXPECT_EQ(done.decision.reason, ReasonCode::QuotaExceeded);
}

TEST(HookChainTest, AsyncRewriteIsAppliedOnTheOwningThread) {
    Decision d;
    d.publish_topic = "v2/a";
    d.publish_payload = "new";
    PacketArena arena;
    auto p = publish_to("legacy/a");
    EXPECT_TRUE(HookChain::apply(d, p, arena));
    EXPECT_EQ(p.topic, "v2/a");
    EXPECT_EQ(p.payload, "new");
    EXPECT_FALSE(HookChain::apply(Decision{}, p, arena));
}

TEST(HookChainTest, ADroppedCompletionRefusesAtOnce) {
    HookChain chain;
    auto dropper = fake("dropper");
    dropper->on_before_connect = [](HookCall& call, mqtt::Connect&) {
        Completion lost = call.defer();  // destroyed at the end of this lambda
        return Outcome::deferred();
    };
    chain.add(dropper);
    Site s;
    mqtt::Connect connect;
    ASSERT_TRUE(chain.before_connect(s.site(), connect).pending);
    ASSERT_EQ(s.poster->size(), 1u);
    CompletedCall done = s.poster->wait();
    EXPECT_EQ(done.decision.reason, ReasonCode::ImplementationSpecificError);
}

TEST(HookChainTest, PendingWithoutDeferringIsRefused) {
    HookChain chain;
    auto liar = fake("liar");
    liar->on_before_connect = [](HookCall&, mqtt::Connect&) { return Outcome::deferred(); };
    chain.add(liar);
    Site s;
    mqtt::Connect connect;
    const ChainResult r = chain.before_connect(s.site(), connect);
    EXPECT_FALSE(r.pending);
    EXPECT_EQ(r.decision.reason, ReasonCode::ImplementationSpecificError);
}

TEST(HookChainTest, WithoutAPosterDeferGivesAnInvalidHandleAndTheCallIsRefused) {
    HookChain chain;
    bool handle_valid = true;
    auto async = fake("async");
    async->on_before_connect = [&](HookCall& call, mqtt::Connect&) {
        handle_valid = call.defer().valid();
        return Outcome::deferred();
    };
    chain.add(async);
    Site s;
    s.poster.reset();
    mqtt::Connect connect;
    const ChainResult r = chain.before_connect(CallSite{s.session, s.arena, nullptr, 1}, connect);
    EXPECT_FALSE(handle_valid);
    EXPECT_EQ(r.decision.reason, ReasonCode::ImplementationSpecificError);
}

TEST(HookChainTest, OnlyTheFirstCompletionCounts) {
    HookChain chain;
    Completion kept;
    auto async = fake("async");
    async->on_before_connect = [&](HookCall& call, mqtt::Connect&) {
        kept = call.defer();
        return Outcome::deferred();
    };
    chain.add(async);
    Site s;
    mqtt::Connect connect;
    ASSERT_TRUE(chain.before_connect(s.site(), connect).pending);
    EXPECT_TRUE(kept.complete(Decision{}));
    EXPECT_FALSE(kept.complete(Decision::refuse(ReasonCode::NotAuthorized)));
    kept = Completion{};
    EXPECT_EQ(s.poster->size(), 1u);
}

TEST(HookChainTest, DeferringThenAnsweringNowIgnoresTheLaterCompletion) {
    HookChain chain;
    Completion kept;
    auto fickle = fake("fickle");
    fickle->on_before_connect = [&](HookCall& call, mqtt::Connect&) {
        kept = call.defer();
        return Outcome(Decision::refuse(ReasonCode::NotAuthorized));
    };
    chain.add(fickle);
    Site s;
    mqtt::Connect connect;
    const ChainResult r = chain.before_connect(s.site(), connect);
    EXPECT_FALSE(r.pending);
    EXPECT_EQ(r.decision.reason, ReasonCode::NotAuthorized);
    EXPECT_FALSE(kept.complete(Decision{}));
    kept = Completion{};
    EXPECT_EQ(s.poster->size(), 0u);
}

TEST(HookChainTest, AfterDisconnectReportsTakeOver) {
    HookChain chain;
    auto hook = fake("observer");
    chain.add(hook);
    chain.after_disconnect(testing::make_session("c9"), true);
    chain.after_disconnect(testing::make_session("c8"), false);
    EXPECT_EQ(hook->events,
              (std::vector<std::string>{"after_disconnect c9 taken_over", "after_disconnect c8"}));
}

TEST(HookChainTest, WorkerStartAndStopReachEveryHook) {
    HookChain chain;
    auto a = fake("a", bit(HookPoint::BeforePublish));
    auto b = fake("b", 0);
    chain.add(a);
    chain.add(b);
    chain.on_worker_start(3);
    chain.on_worker_stop(3);
    EXPECT_EQ(a->events, (std::vector<std::string>{"start 3", "stop 3"}));
    EXPECT_EQ(b->events, (std::vector<std::string>{"start 3", "stop 3"}));
}

TEST(HookChainTest, SameInterfaceForV3Sessions) {
    HookChain chain;
    auto refuser = fake("refuser");
    refuser->on_before_publish = [](HookCall& call, mqtt::Publish&) {
        // The hook decides in v5 terms; the engine maps it for 3.x sessions.
        EXPECT_EQ(call.session().version, mqtt::ProtocolVersion::V311);
        return Outcome(Decision::refuse(ReasonCode::NotAuthorized));
    };
    chain.add(refuser);
    Site s;
    s.session.version = mqtt::ProtocolVersion::V311;
    auto p = publish_to("a");
    EXPECT_TRUE(chain.before_publish(s.site(), p).decision.refuses());
}

}  // namespace
}  // namespace akasa::hook
