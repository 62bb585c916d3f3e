#include "broker/routing/subscription_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "topic_match_reference.h"

namespace akasa::broker {
namespace {

// Subscriptions in these tests carry a tag in `identifier`, so a match says which filter hit.
Subscription sub(SessionId session, std::uint32_t tag = 0, std::uint8_t qos = 0) {
    Subscription s;
    s.session = session;
    s.identifier = tag;
    s.qos = qos;
    return s;
}

struct Matches {
    std::vector<std::uint32_t> tags;  // non-shared matches, sorted
    std::map<std::string, std::vector<std::vector<SessionId>>> groups;  // group -> member lists

    int group_visits() const {
        int n = 0;
        for (const auto& [name, lists] : groups)
            n += static_cast<int>(lists.size());
        return n;
    }
};

Matches match(const SubscriptionIndex& index, std::string_view topic) {
    Matches m;
    index.match(
        topic, [&](const Subscription& s) { m.tags.push_back(s.identifier); },
        [&](std::string_view group, std::span<const Subscription> members) {
            std::vector<SessionId> sessions;
            for (const auto& s : members)
                sessions.push_back(s.session);
            std::sort(sessions.begin(), sessions.end());
            m.groups[std::string(group)].push_back(sessions);
        });
    std::sort(m.tags.begin(), m.tags.end());
    for (auto& [name, lists] : m.groups)
        std::sort(lists.begin(), lists.end());
    return m;
}

std::vector<std::uint32_t> tags(const SubscriptionIndex& index, std::string_view topic) {
    return match(index, topic).tags;
}

using Tags = std::vector<std::uint32_t>;

// §4.7.1.2 example: "sport/tennis/player1/#" [MQTT-4.7.1-2]
TEST(SubscriptionIndex, MultiLevelWildcardMatchesParentAndDescendants_MQTT_4_7_1_2) {
    SubscriptionIndex index;
    index.subscribe("sport/tennis/player1/#", sub(1, 1));
    EXPECT_EQ(tags(index, "sport/tennis/player1"), Tags{1});
    EXPECT_EQ(tags(index, "sport/tennis/player1/ranking"), Tags{1});
    EXPECT_EQ(tags(index, "sport/tennis/player1/score/wimbledon"), Tags{1});
    EXPECT_EQ(tags(index, "sport/tennis/player2"), Tags{});
    EXPECT_EQ(tags(index, "sport/tennis"), Tags{});
}

TEST(SubscriptionIndex, SportHashMatchesSport_MQTT_4_7_1_2) {
    SubscriptionIndex index;
    index.subscribe("sport/#", sub(1, 1));
    index.subscribe("#", sub(2, 2));
    EXPECT_EQ(tags(index, "sport"), (Tags{1, 2}));
    EXPECT_EQ(tags(index, "sport/"), (Tags{1, 2}));
    EXPECT_EQ(tags(index, "sports"), Tags{2});
    EXPECT_EQ(tags(index, "/sport"), Tags{2});
}

// §4.7.1.3 examples [MQTT-4.7.1-3]
TEST(SubscriptionIndex, SingleLevelWildcardMatchesExactlyOneLevel_MQTT_4_7_1_3) {
    SubscriptionIndex index;
    index.subscribe("sport/tennis/+", sub(1, 1));
    EXPECT_EQ(tags(index, "sport/tennis/player1"), Tags{1});
    EXPECT_EQ(tags(index, "sport/tennis/player2"), Tags{1});
    EXPECT_EQ(tags(index, "sport/tennis/player1/ranking"), Tags{});
    EXPECT_EQ(tags(index, "sport/tennis"), Tags{});
}

TEST(SubscriptionIndex, SportPlusDoesNotMatchSportButMatchesSportSlash_MQTT_4_7_1_3) {
    SubscriptionIndex index;
    index.subscribe("sport/+", sub(1, 1));
    EXPECT_EQ(tags(index, "sport"), Tags{});
    EXPECT_EQ(tags(index, "sport/"), Tags{1});
}

TEST(SubscriptionIndex, LeadingSlashMakesAnEmptyFirstLevel_MQTT_4_7_1_3) {
    SubscriptionIndex index;
    index.subscribe("+/+", sub(1, 1));
    index.subscribe("/+", sub(2, 2));
    index.subscribe("+", sub(3, 3));
    EXPECT_EQ(tags(index, "/finance"), (Tags{1, 2}));
    EXPECT_EQ(tags(index, "finance"), Tags{3});
}

TEST(SubscriptionIndex, WildcardsCombine) {
    SubscriptionIndex index;
    index.subscribe("+/tennis/#", sub(1, 1));
    index.subscribe("sport/+/player1", sub(2, 2));
    index.subscribe("+/+/+", sub(3, 3));
    EXPECT_EQ(tags(index, "sport/tennis/player1"), (Tags{1, 2, 3}));
    EXPECT_EQ(tags(index, "sport/tennis"), Tags{1});
    EXPECT_EQ(tags(index, "sport/golf/player1"), (Tags{2, 3}));
}

TEST(SubscriptionIndex, EmptyLevelsAreLevels) {
    SubscriptionIndex index;
    index.subscribe("a//b", sub(1, 1));
    index.subscribe("a/+/b", sub(2, 2));
    index.subscribe("a/b", sub(3, 3));
    index.subscribe("a/#", sub(4, 4));
    index.subscribe("a/", sub(5, 5));
    EXPECT_EQ(tags(index, "a//b"), (Tags{1, 2, 4}));
    EXPECT_EQ(tags(index, "a/b"), (Tags{3, 4}));
    EXPECT_EQ(tags(index, "a/"), (Tags{4, 5}));
    EXPECT_EQ(tags(index, "a"), Tags{4});
}

// §4.7.2 [MQTT-4.7.2-1]: a filter starting with a wildcard does not match `$` topics.
TEST(SubscriptionIndex, WildcardFirstLevelDoesNotMatchDollarTopics_MQTT_4_7_2_1) {
    SubscriptionIndex index;
    index.subscribe("#", sub(1, 1));
    index.subscribe("+/monitor/Clients", sub(2, 2));
    index.subscribe("$SYS/#", sub(3, 3));
    index.subscribe("$SYS/monitor/+", sub(4, 4));
    index.subscribe("+/#", sub(5, 5));
    index.subscribe("$share/g/#", sub(6, 6));
    index.subscribe("$share/h/+/monitor/Clients", sub(7, 7));
    const auto m = match(index, "$SYS/monitor/Clients");
    EXPECT_EQ(m.tags, (Tags{3, 4}));
    EXPECT_TRUE(m.groups.empty());
    // Only the first level counts: `$` further down is an ordinary character.
    const auto plain = match(index, "x/monitor/Clients");
    EXPECT_EQ(plain.tags, (Tags{1, 2, 5}));
    EXPECT_EQ(plain.group_visits(), 2);
    EXPECT_EQ(tags(index, "a/$b"), (Tags{1, 5}));
}

// [MQTT-4.7.3-4]: no normalisation; topics are case sensitive, spaces are characters.
TEST(SubscriptionIndex, NoNormalisation_MQTT_4_7_3_4) {
    SubscriptionIndex index;
    index.subscribe("ACCOUNTS", sub(1, 1));
    index.subscribe("Accounts payable", sub(2, 2));
    EXPECT_EQ(tags(index, "accounts"), Tags{});
    EXPECT_EQ(tags(index, "ACCOUNTS"), Tags{1});
    EXPECT_EQ(tags(index, "Accounts payable"), Tags{2});
    EXPECT_EQ(tags(index, "Accountspayable"), Tags{});
}

// [MQTT-3.8.4-3]: a second SUBSCRIBE to the same filter replaces the subscription.
TEST(SubscriptionIndex, ResubscribeReplacesOptions_MQTT_3_8_4_3) {
    SubscriptionIndex index;
    EXPECT_EQ(index.subscribe("a/+", sub(1, 10, 0)), SubscribeResult::kAdded);
    EXPECT_EQ(index.subscribe("a/+", sub(1, 20, 2)), SubscribeResult::kReplaced);
    EXPECT_EQ(index.size(), 1u);
    std::vector<Subscription> seen;
    index.match(
        "a/b", [&](const Subscription& s) { seen.push_back(s); },
        [](std::string_view, std::span<const Subscription>) {});
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].identifier, 20u);
    EXPECT_EQ(seen[0].qos, 2);
}

TEST(SubscriptionIndex, SameSessionSeveralFiltersIsVisitedOncePerFilter) {
    SubscriptionIndex index;
    index.subscribe("a/b", sub(1, 1));
    index.subscribe("a/+", sub(1, 2));
    index.subscribe("a/#", sub(1, 3));
    index.subscribe("a/b", sub(2, 4));
    EXPECT_EQ(tags(index, "a/b"), (Tags{1, 2, 3, 4}));
    EXPECT_EQ(index.size(), 4u);
}

TEST(SubscriptionIndex, UnsubscribeReportsWhetherItExisted) {
    SubscriptionIndex index;
    index.subscribe("a/b", sub(1, 1));
    index.subscribe("a/b", sub(2, 2));
    EXPECT_FALSE(index.unsubscribe("a/c", 1));
    EXPECT_FALSE(index.unsubscribe("a/b", 3));
    EXPECT_FALSE(index.unsubscribe("a/+", 1));
    EXPECT_FALSE(index.unsubscribe("a/b/c", 1));
    EXPECT_TRUE(index.unsubscribe("a/b", 1));
    EXPECT_FALSE(index.unsubscribe("a/b", 1));
    EXPECT_EQ(tags(index, "a/b"), Tags{2});
    EXPECT_EQ(index.size(), 1u);
    EXPECT_TRUE(index.unsubscribe("a/b", 2));
    EXPECT_EQ(tags(index, "a/b"), Tags{});
    EXPECT_EQ(index.size(), 0u);
}

TEST(SubscriptionIndex, UnsubscribeFreesTheNodesItAloneUsed) {
    SubscriptionIndex index;
    index.subscribe("keep/this", sub(1, 1));
    const std::size_t baseline = index.allocated_bytes();
    for (int i = 0; i < 200; ++i) {
        const std::string n = std::to_string(i);
        index.subscribe("keep/" + n + "/+/x", sub(2, 2));
        index.subscribe("keep/" + n + "/#", sub(3, 3));
        index.subscribe("$share/g" + n + "/keep/+", sub(4, 4));
        index.subscribe("#", sub(5 + i, 5));
    }
    EXPECT_GT(index.allocated_bytes(), baseline);
    for (int i = 0; i < 200; ++i) {
        const std::string n = std::to_string(i);
        EXPECT_TRUE(index.unsubscribe("keep/" + n + "/+/x", 2));
        EXPECT_TRUE(index.unsubscribe("keep/" + n + "/#", 3));
        EXPECT_TRUE(index.unsubscribe("$share/g" + n + "/keep/+", 4));
        EXPECT_TRUE(index.unsubscribe("#", 5 + i));
    }
    EXPECT_EQ(index.allocated_bytes(), baseline);
    EXPECT_EQ(index.size(), 1u);
    EXPECT_EQ(tags(index, "keep/this"), Tags{1});
}

TEST(SubscriptionIndex, UnsubscribeAllRemovesEveryListedFilter) {
    SubscriptionIndex index;
    const std::vector<std::string> filters = {"a", "a/+", "#", "$share/g/a", "not/subscribed"};
    for (std::size_t i = 0; i + 1 < filters.size(); ++i)
        index.subscribe(filters[i], sub(1, 1));
    index.subscribe("a", sub(2, 2));
    EXPECT_EQ(index.unsubscribe_all(filters, 1), 4u);
    const auto m = match(index, "a");
    EXPECT_EQ(m.tags, Tags{2});
    EXPECT_TRUE(m.groups.empty());
    EXPECT_EQ(index.size(), 1u);
}

TEST(SubscriptionIndex, SharedGroupIsVisitedOnceWithAllMembers) {
    SubscriptionIndex index;
    index.subscribe("$share/workers/jobs/+", sub(1));
    index.subscribe("$share/workers/jobs/+", sub(2));
    index.subscribe("$share/workers/jobs/+", sub(3));
    const auto m = match(index, "jobs/1");
    EXPECT_TRUE(m.tags.empty());
    ASSERT_EQ(m.groups.size(), 1u);
    EXPECT_EQ(m.groups.at("workers"), (std::vector<std::vector<SessionId>>{{1, 2, 3}}));
    EXPECT_EQ(index.size(), 3u);
}

TEST(SubscriptionIndex, SeveralGroupsOnOneFilterAndPlainSubscribersAreSeparate) {
    SubscriptionIndex index;
    index.subscribe("$share/a/t", sub(1));
    index.subscribe("$share/b/t", sub(1));
    index.subscribe("$share/b/t", sub(2));
    index.subscribe("t", sub(1, 7));
    const auto m = match(index, "t");
    EXPECT_EQ(m.tags, Tags{7});
    EXPECT_EQ(m.groups.at("a"), (std::vector<std::vector<SessionId>>{{1}}));
    EXPECT_EQ(m.groups.at("b"), (std::vector<std::vector<SessionId>>{{1, 2}}));

    // Unsubscribing the shared filter leaves the plain one, and vice versa.
    EXPECT_TRUE(index.unsubscribe("$share/a/t", 1));
    EXPECT_FALSE(index.unsubscribe("$share/a/t", 1));
    EXPECT_FALSE(index.unsubscribe("$share/c/t", 2));
    EXPECT_TRUE(index.unsubscribe("t", 1));
    const auto after = match(index, "t");
    EXPECT_TRUE(after.tags.empty());
    EXPECT_EQ(after.groups.size(), 1u);
    EXPECT_EQ(after.groups.at("b"), (std::vector<std::vector<SessionId>>{{1, 2}}));
}

TEST(SubscriptionIndex, OneGroupOnSeveralFiltersIsVisitedPerFilter) {
    SubscriptionIndex index;
    index.subscribe("$share/g/a/+", sub(1));
    index.subscribe("$share/g/a/#", sub(2));
    index.subscribe("$share/g/a/b", sub(3));
    const auto m = match(index, "a/b");
    EXPECT_EQ(m.groups.at("g"), (std::vector<std::vector<SessionId>>{{1}, {2}, {3}}));
    EXPECT_EQ(match(index, "a").groups.at("g"), (std::vector<std::vector<SessionId>>{{2}}));
}

TEST(SubscriptionIndex, SharedResubscribeReplacesOptions_MQTT_3_8_4_3) {
    SubscriptionIndex index;
    EXPECT_EQ(index.subscribe("$share/g/t", sub(1, 1, 0)), SubscribeResult::kAdded);
    EXPECT_EQ(index.subscribe("$share/g/t", sub(1, 2, 1)), SubscribeResult::kReplaced);
    // The same filter in another group, or unshared, is another subscription.
    EXPECT_EQ(index.subscribe("$share/h/t", sub(1, 3, 1)), SubscribeResult::kAdded);
    EXPECT_EQ(index.subscribe("t", sub(1, 4, 1)), SubscribeResult::kAdded);
    EXPECT_EQ(index.size(), 3u);
    std::vector<Subscription> members;
    index.match(
        "t", [](const Subscription&) {},
        [&](std::string_view group, std::span<const Subscription> m) {
            if (group == "g") members.assign(m.begin(), m.end());
        });
    ASSERT_EQ(members.size(), 1u);
    EXPECT_EQ(members[0].identifier, 2u);
    EXPECT_EQ(members[0].qos, 1);
}

TEST(SubscriptionIndex, OptionsAreStoredAsGiven) {
    SubscriptionIndex index;
    Subscription s;
    s.session = 42;
    s.qos = 2;
    s.no_local = true;
    s.retain_as_published = true;
    s.retain_handling = 2;
    s.identifier = 268435455;
    index.subscribe("x", s);
    int visits = 0;
    index.match(
        "x",
        [&](const Subscription& got) {
            ++visits;
            EXPECT_EQ(got, s);
        },
        [](std::string_view, std::span<const Subscription>) {});
    EXPECT_EQ(visits, 1);
}

// A node with thousands of children switches to its hash table; erasing from the middle of
// probe runs must keep every other child reachable.
TEST(SubscriptionIndex, WideNodeSurvivesChurn) {
    SubscriptionIndex index;
    constexpr int kWidth = 3000;
    for (int i = 0; i < kWidth; ++i)
        index.subscribe("dev/" + std::to_string(i), sub(i, i));
    for (int i = 0; i < kWidth; i += 3)
        EXPECT_TRUE(index.unsubscribe("dev/" + std::to_string(i), i));
    for (int i = 0; i < kWidth; ++i) {
        const auto got = tags(index, "dev/" + std::to_string(i));
        if (i % 3 == 0) {
            EXPECT_TRUE(got.empty()) << i;
        } else {
            EXPECT_EQ(got, Tags{static_cast<std::uint32_t>(i)}) << i;
        }
    }
    for (int i = 0; i < kWidth; ++i) {
        if (i % 3 != 0) {
            EXPECT_TRUE(index.unsubscribe("dev/" + std::to_string(i), i));
        }
    }
    EXPECT_EQ(index.size(), 0u);
    index.subscribe("dev/1", sub(1, 1));
    EXPECT_EQ(tags(index, "dev/1"), Tags{1});
}

// Many subscribers on one filter: the subscriber array grows and shrinks.
TEST(SubscriptionIndex, FanOutGrowsAndShrinks) {
    SubscriptionIndex index;
    for (SessionId s = 0; s < 1000; ++s)
        index.subscribe("t", sub(s, 1));
    EXPECT_EQ(tags(index, "t").size(), 1000u);
    for (SessionId s = 0; s < 1000; s += 2)
        EXPECT_TRUE(index.unsubscribe("t", s));
    std::vector<SessionId> sessions;
    index.match(
        "t", [&](const Subscription& s) { sessions.push_back(s.session); },
        [](std::string_view, std::span<const Subscription>) {});
    std::sort(sessions.begin(), sessions.end());
    ASSERT_EQ(sessions.size(), 500u);
    for (std::size_t i = 0; i < sessions.size(); ++i)
        EXPECT_EQ(sessions[i], 2 * i + 1);
}

// The attack of security issue 2 on the index: a topic of 100,001 levels ("x" and 100,000
// '/') against filters with a `+` at every level. The recursive walk used a stack frame per
// `+` level and crashed; the index must survive any depth by itself (the broker's
// max_topic_levels is not applied here).
TEST(SubscriptionIndex, TopicOf100000LevelsIsMatchedWithoutRecursion) {
    const std::string deep = "x" + std::string(100000, '/');
    std::string pluses = "x";  // matches `deep` level for level
    for (int i = 0; i < 100000; ++i)
        pluses += "/+";
    // Literal and `+` children at every level: each `+` leaves a literal branch waiting.
    std::string mixed = "x";
    for (int i = 0; i < 100000; ++i)
        mixed += i % 2 == 0 ? "/+" : "/";
    SubscriptionIndex index;
    index.subscribe(pluses, sub(1, 1));
    index.subscribe(deep, sub(2, 2));
    index.subscribe(mixed, sub(3, 3));
    index.subscribe("x/#", sub(4, 4));
    index.subscribe("$share/g/" + pluses, sub(5, 5));
    const Matches m = match(index, deep);
    EXPECT_EQ(m.tags, (Tags{1, 2, 3, 4}));
    EXPECT_EQ(m.group_visits(), 1);
    EXPECT_EQ(tags(index, deep + "/"), Tags{4});
    EXPECT_TRUE(index.unsubscribe(pluses, 1));
    EXPECT_TRUE(index.unsubscribe(deep, 2));
    EXPECT_EQ(tags(index, deep), (Tags{3, 4}));
    // `mixed` and the shared filter are left for the destructor, which must not recurse either.
}

// More branches waiting at once than the walk keeps in place (it spills to the heap): with
// filters `+/.../+/a/+/.../+` (the `a` at level k) and `+/.../+`, every `+` node of the
// topic's path also has a literal child, so each level leaves a branch waiting. Every filter
// matches the topic and must be visited exactly once.
TEST(SubscriptionIndex, ManyWaitingBranchesAreAllVisited) {
    constexpr int kLevels = 80;
    SubscriptionIndex index;
    Tags expected;
    for (int k = 0; k <= kLevels; ++k) {  // k == kLevels: no `a`, only `+`
        std::string filter;
        for (int level = 0; level < kLevels; ++level)
            filter += std::string(level == 0 ? "" : "/") + (level == k ? "a" : "+");
        index.subscribe(filter, sub(static_cast<SessionId>(k), static_cast<std::uint32_t>(k + 1)));
        expected.push_back(static_cast<std::uint32_t>(k + 1));
    }
    std::string topic = "a";
    for (int level = 1; level < kLevels; ++level)
        topic += "/a";
    EXPECT_EQ(tags(index, topic), expected);
    EXPECT_EQ(tags(index, topic + "/a"), Tags{});
}

// The trie against the brute-force matcher, with subscribes, resubscribes and unsubscribes.
TEST(SubscriptionIndex, RandomizedAgainstReferenceMatcher) {
    testing::RandomTopics random(20261125);
    SubscriptionIndex index;
    std::map<std::pair<std::string, SessionId>, std::uint32_t> model;  // (filter, session)->tag
    std::uint32_t next_tag = 1;
    for (int round = 0; round < 25; ++round) {
        for (int i = 0; i < 60; ++i) {
            const std::string filter = random.filter();
            const SessionId session = random.pick(5);
            const bool existed = model.count({filter, session}) > 0;
            if (random.pick(4) == 0) {
                EXPECT_EQ(index.unsubscribe(filter, session), existed) << filter;
                model.erase({filter, session});
            } else {
                const auto result = index.subscribe(filter, sub(session, next_tag));
                EXPECT_EQ(result, existed ? SubscribeResult::kReplaced : SubscribeResult::kAdded);
                model[{filter, session}] = next_tag++;
            }
        }
        ASSERT_EQ(index.size(), model.size());
        for (int t = 0; t < 40; ++t) {
            const std::string topic = random.topic();
            Tags expected;
            for (const auto& [key, tag] : model) {
                if (testing::reference_match(key.first, topic)) expected.push_back(tag);
            }
            std::sort(expected.begin(), expected.end());
            ASSERT_EQ(tags(index, topic), expected) << "topic '" << topic << "' round " << round;
        }
    }
}

// Readers match while a writer churns other subscriptions: readers must always see the
// stable subscriptions, exactly once each (run under ASan/TSan to catch races).
TEST(SubscriptionIndex, ConcurrentReadersAndWriter) {
    SubscriptionIndex index;
    index.subscribe("stable/+/x", sub(1, 1));
    index.subscribe("stable/#", sub(2, 2));
    index.subscribe("$share/g/stable/a/x", sub(3, 3));
    std::atomic<bool> writer_done{false};
    std::atomic<int> failures{0};
    std::atomic<long> reads{0};

    auto reader = [&] {
        do {
            int stable = 0;
            int groups = 0;
            index.match(
                "stable/a/x",
                [&](const Subscription& s) {
                    if (s.session == 1 || s.session == 2) ++stable;
                },
                [&](std::string_view group, std::span<const Subscription> members) {
                    if (group == "g" && members.size() == 1 && members[0].session == 3) ++groups;
                });
            if (stable != 2 || groups != 1) failures.fetch_add(1);
            reads.fetch_add(1);
        } while (!writer_done.load());
    };
    std::vector<std::thread> readers;
    for (int i = 0; i < 3; ++i)
        readers.emplace_back(reader);

    for (int i = 0; i < 5000; ++i) {
        const std::string n = std::to_string(i % 97);
        const SessionId session = 100 + i % 13;
        index.subscribe("stable/" + n + "/x", sub(session, 9));
        index.subscribe("stable/a/+", sub(session, 9));
        index.subscribe("$share/g" + n + "/stable/#", sub(session, 9));
        index.unsubscribe("stable/" + std::to_string((i + 50) % 97) + "/x", session);
        if (i % 2 == 0) index.unsubscribe("stable/a/+", session);
    }
    writer_done.store(true);
    for (auto& t : readers)
        t.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_GE(reads.load(), 3);
}

}  // namespace
}  // namespace akasa::broker
