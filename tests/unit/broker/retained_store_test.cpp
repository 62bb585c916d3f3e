#include "broker/routing/retained_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "topic_match_reference.h"

namespace akasa::broker {
namespace {

// Stands in for the engine's immutable message.
struct Message {
    std::string topic;
    int version = 0;
};

using Store = RetainedStore<Message>;

std::shared_ptr<const Message> msg(std::string topic, int version = 0) {
    return std::make_shared<const Message>(Message{std::move(topic), version});
}

template <class AnyStore>
std::vector<std::string> topics(const AnyStore& store, std::string_view filter) {
    std::vector<std::string> out;
    store.match(filter, [&](const std::shared_ptr<const Message>& m) { out.push_back(m->topic); });
    std::sort(out.begin(), out.end());
    return out;
}

using Topics = std::vector<std::string>;

Store& fill(Store& store, const Topics& names) {
    for (const auto& t : names)
        store.set(t, msg(t));
    return store;
}

TEST(RetainedStore, SetReplacesAndEraseRemoves) {
    Store store;
    store.set("a/b", msg("a/b", 1));
    store.set("a/b", msg("a/b", 2));
    EXPECT_EQ(store.size(), 1u);
    int version = 0;
    store.match("a/b", [&](const auto& m) { version = m->version; });
    EXPECT_EQ(version, 2);
    EXPECT_FALSE(store.erase("a"));
    EXPECT_FALSE(store.erase("a/b/c"));
    EXPECT_TRUE(store.erase("a/b"));
    EXPECT_FALSE(store.erase("a/b"));
    EXPECT_EQ(store.size(), 0u);
    EXPECT_EQ(topics(store, "#"), Topics{});
}

TEST(RetainedStore, SetNullErases) {
    Store store;
    store.set("a", msg("a"));
    store.set("a", nullptr);
    EXPECT_EQ(store.size(), 0u);
    EXPECT_EQ(topics(store, "a"), Topics{});
}

TEST(RetainedStore, EraseKeepsTopicsAboveAndBelow) {
    Store store;
    fill(store, {"a", "a/b", "a/b/c"});
    EXPECT_TRUE(store.erase("a/b"));
    EXPECT_EQ(topics(store, "#"), (Topics{"a", "a/b/c"}));
    EXPECT_TRUE(store.erase("a/b/c"));
    EXPECT_EQ(topics(store, "#"), Topics{"a"});
    EXPECT_EQ(topics(store, "a/+"), Topics{});
}

TEST(RetainedStore, ReleasesTheReplacedMessage) {
    Store store;
    auto first = msg("t", 1);
    std::weak_ptr<const Message> watch = first;
    store.set("t", std::move(first));
    store.set("t", msg("t", 2));
    EXPECT_TRUE(watch.expired());
}

TEST(RetainedStore, ExactFilterMatchesOnlyItsTopic) {
    Store store;
    fill(store, {"sport/tennis", "sport/tennis/player1", "sport"});
    EXPECT_EQ(topics(store, "sport/tennis"), Topics{"sport/tennis"});
    EXPECT_EQ(topics(store, "sport/golf"), Topics{});
}

// [MQTT-4.7.1-2]
TEST(RetainedStore, MultiLevelWildcardMatchesParentAndDescendants_MQTT_4_7_1_2) {
    Store store;
    fill(store, {"sport", "sport/tennis/player1", "sport/tennis/player1/ranking",
                 "sport/tennis/player1/score/wimbledon", "sport/tennis/player2", "sports"});
    EXPECT_EQ(topics(store, "sport/tennis/player1/#"),
              (Topics{"sport/tennis/player1", "sport/tennis/player1/ranking",
                      "sport/tennis/player1/score/wimbledon"}));
    EXPECT_EQ(topics(store, "sport/#").size(), 5u);
    EXPECT_EQ(topics(store, "#").size(), 6u);
}

// [MQTT-4.7.1-3]
TEST(RetainedStore, SingleLevelWildcardMatchesOneLevel_MQTT_4_7_1_3) {
    Store store;
    fill(store, {"sport", "sport/", "sport/tennis/player1", "sport/tennis/player1/ranking",
                 "/finance", "finance"});
    EXPECT_EQ(topics(store, "sport/tennis/+"), Topics{"sport/tennis/player1"});
    EXPECT_EQ(topics(store, "sport/+"), Topics{"sport/"});
    EXPECT_EQ(topics(store, "+/+"), (Topics{"/finance", "sport/"}));
    EXPECT_EQ(topics(store, "/+"), Topics{"/finance"});
    EXPECT_EQ(topics(store, "+"), (Topics{"finance", "sport"}));
    EXPECT_EQ(topics(store, "+/tennis/#"),
              (Topics{"sport/tennis/player1", "sport/tennis/player1/ranking"}));
}

TEST(RetainedStore, EmptyLevelsAreLevels) {
    Store store;
    fill(store, {"a//b", "a/b", "a/"});
    EXPECT_EQ(topics(store, "a//b"), Topics{"a//b"});
    EXPECT_EQ(topics(store, "a/+/b"), (Topics{"a//b"}));
    EXPECT_EQ(topics(store, "a/+"), (Topics{"a/", "a/b"}));
    EXPECT_EQ(topics(store, "a/"), Topics{"a/"});
}

// [MQTT-4.7.2-1]
TEST(RetainedStore, WildcardFirstLevelDoesNotMatchDollarTopics_MQTT_4_7_2_1) {
    Store store;
    fill(store, {"$SYS/monitor/Clients", "$SYS", "x/monitor/Clients", "x/$y"});
    EXPECT_EQ(topics(store, "#"), (Topics{"x/$y", "x/monitor/Clients"}));
    EXPECT_EQ(topics(store, "+/monitor/Clients"), Topics{"x/monitor/Clients"});
    EXPECT_EQ(topics(store, "+"), Topics{});
    EXPECT_EQ(topics(store, "$SYS/#"), (Topics{"$SYS", "$SYS/monitor/Clients"}));
    EXPECT_EQ(topics(store, "$SYS/monitor/+"), Topics{"$SYS/monitor/Clients"});
    EXPECT_EQ(topics(store, "x/+"), Topics{"x/$y"});
}

// [MQTT-4.7.3-4]
TEST(RetainedStore, NoNormalisation_MQTT_4_7_3_4) {
    Store store;
    fill(store, {"ACCOUNTS", "Accounts payable"});
    EXPECT_EQ(topics(store, "accounts"), Topics{});
    EXPECT_EQ(topics(store, "Accounts payable"), Topics{"Accounts payable"});
}

TEST(RetainedStore, ManyTopicsUnderOneLevel) {
    Store store;
    for (int i = 0; i < 2000; ++i)
        store.set("dev/" + std::to_string(i) + "/temp", msg("d"));
    for (int i = 0; i < 2000; i += 2)
        EXPECT_TRUE(store.erase("dev/" + std::to_string(i) + "/temp"));
    EXPECT_EQ(topics(store, "dev/+/temp").size(), 1000u);
    EXPECT_EQ(topics(store, "dev/#").size(), 1000u);
    EXPECT_EQ(topics(store, "dev/7/temp").size(), 1u);
    EXPECT_EQ(topics(store, "dev/8/temp").size(), 0u);
}

// The attack of security issue 2: a topic of 100,001 levels ("x" and 100,000 '/'), then
// wildcard filters over it. Recursive walks used a stack frame per level and crashed; the
// store must survive any depth by itself (the broker's max_topic_levels is not applied here).
TEST(RetainedStore, TopicOf100000LevelsIsMatchedWithoutRecursion) {
    const std::string deep = "x" + std::string(100000, '/');
    std::string pluses = "x";  // matches `deep` level for level
    for (int i = 0; i < 100000; ++i)
        pluses += "/+";
    Store store;
    fill(store, {deep, "x", "y"});
    EXPECT_EQ(topics(store, "#"), (Topics{"x", deep, "y"}));
    EXPECT_EQ(topics(store, "x/#"), (Topics{"x", deep}));
    EXPECT_EQ(topics(store, pluses), Topics{deep});
    EXPECT_EQ(topics(store, pluses + "/#"), Topics{deep});
    EXPECT_EQ(topics(store, deep), Topics{deep});
    EXPECT_TRUE(store.erase(deep));
    EXPECT_EQ(topics(store, "#"), (Topics{"x", "y"}));
    store.set(deep, msg(deep));  // left for the destructor, which must not recurse either
}

// Many pending `+` branches at once (more than the walk keeps in place): every one is visited.
TEST(RetainedStore, WideAndDeepWildcardWalksVisitEveryMatch) {
    Store store;
    Topics expected;
    for (int depth = 1; depth <= 80; ++depth) {
        std::string topic = "t";
        for (int level = 0; level < depth; ++level)
            topic += "/" + std::to_string(level % 3);
        store.set(topic, msg(topic));
        if (depth == 40) expected.push_back(topic);
    }
    std::string filter = "t";
    for (int level = 0; level < 40; ++level)
        filter += "/+";
    EXPECT_EQ(topics(store, filter), expected);
    EXPECT_EQ(topics(store, "+/#").size(), 80u);
}

TEST(RetainedStore, RandomizedAgainstReferenceMatcher) {
    testing::RandomTopics random(7);
    Store store;
    std::map<std::string, int> model;  // topic -> version
    for (int round = 0; round < 25; ++round) {
        for (int i = 0; i < 40; ++i) {
            const std::string topic = random.topic();
            if (random.pick(3) == 0) {
                EXPECT_EQ(store.erase(topic), model.erase(topic) > 0) << topic;
            } else {
                store.set(topic, msg(topic, round * 100 + i));
                model[topic] = round * 100 + i;
            }
        }
        ASSERT_EQ(store.size(), model.size());
        for (int f = 0; f < 40; ++f) {
            const std::string filter = random.filter();
            std::vector<std::pair<std::string, int>> expected;
            for (const auto& [topic, version] : model) {
                if (testing::reference_match(filter, topic)) expected.emplace_back(topic, version);
            }
            std::vector<std::pair<std::string, int>> got;
            store.match(filter, [&](const auto& m) { got.emplace_back(m->topic, m->version); });
            std::sort(got.begin(), got.end());
            ASSERT_EQ(got, expected) << "filter '" << filter << "' round " << round;
        }
    }
}

TEST(RetainedStore, ConcurrentReadersAndWriter) {
    Store store;
    fill(store, {"stable/a", "stable/b/c"});
    std::atomic<bool> writer_done{false};
    std::atomic<int> failures{0};
    auto reader = [&] {
        do {
            int stable = 0;
            store.match("stable/#", [&](const auto& m) {
                if (m->topic == "stable/a" || m->topic == "stable/b/c") ++stable;
            });
            if (stable != 2) failures.fetch_add(1);
        } while (!writer_done.load());
    };
    std::vector<std::thread> readers;
    for (int i = 0; i < 3; ++i)
        readers.emplace_back(reader);
    for (int i = 0; i < 5000; ++i) {
        const std::string t = "stable/x/" + std::to_string(i % 101);
        store.set(t, msg(t, i));
        store.erase("stable/x/" + std::to_string((i + 40) % 101));
    }
    writer_done.store(true);
    for (auto& t : readers)
        t.join();
    EXPECT_EQ(failures.load(), 0);
}

// --- Limits (max_retained_messages, max_retained_bytes) ---

// A cost of its own for the test: the topic's length.
struct TopicLength {
    std::size_t operator()(const Message& m) const { return m.topic.size(); }
};
using CountedStore = RetainedStore<Message, TopicLength>;

TEST(RetainedStore, CountLimitRefusesNewTopicsOnly) {
    CountedStore store;
    const RetainedLimits limits{.max_messages = 2};
    EXPECT_EQ(store.set("a", msg("a"), limits), CountedStore::SetResult::Stored);
    EXPECT_EQ(store.set("b/c", msg("b/c"), limits), CountedStore::SetResult::Stored);
    EXPECT_EQ(store.set("d/e/f", msg("d/e/f"), limits), CountedStore::SetResult::OverCount);
    // Refused without a trace: no node was created for it.
    EXPECT_EQ(topics(store, "#"), (Topics{"a", "b/c"}));
    // Replacing a stored topic still works at the limit.
    EXPECT_EQ(store.set("a", msg("a", 2), limits), CountedStore::SetResult::Stored);
    EXPECT_EQ(store.size(), 2u);
    // A topic whose path exists (b) but holds no message counts as new.
    EXPECT_EQ(store.set("b", msg("b"), limits), CountedStore::SetResult::OverCount);
    store.erase("a");
    EXPECT_EQ(store.set("b", msg("b"), limits), CountedStore::SetResult::Stored);
}

TEST(RetainedStore, BytesFollowSetReplaceAndErase) {
    CountedStore store;
    store.set("ab", msg("ab"));
    store.set("cde", msg("cde"));
    EXPECT_EQ(store.bytes(), 5u);
    store.set("ab", msg("ab", 1));  // same cost
    EXPECT_EQ(store.bytes(), 5u);
    EXPECT_TRUE(store.erase("cde"));
    EXPECT_EQ(store.bytes(), 2u);
    EXPECT_FALSE(store.erase("cde"));
    EXPECT_EQ(store.bytes(), 2u);
    store.set("ab", nullptr);  // a null message erases
    EXPECT_EQ(store.bytes(), 0u);
    EXPECT_EQ(store.size(), 0u);
}

TEST(RetainedStore, ByteLimitRefusesWhatWouldPassIt) {
    CountedStore store;
    const RetainedLimits limits{.max_bytes = 10};
    EXPECT_EQ(store.set("aaaa", msg("aaaa"), limits), CountedStore::SetResult::Stored);
    EXPECT_EQ(store.set("bbbbbb", msg("bbbbbb"), limits), CountedStore::SetResult::Stored);
    EXPECT_EQ(store.set("c", msg("c"), limits), CountedStore::SetResult::OverBytes);
    EXPECT_EQ(store.bytes(), 10u);
    EXPECT_EQ(store.size(), 2u);
    // One larger than the whole limit is refused even into an empty store.
    CountedStore empty;
    EXPECT_EQ(empty.set("elevenbytes", msg("elevenbytes"), limits),
              CountedStore::SetResult::OverBytes);
}

// Replacements are refused only when they grow the total past the limit.
struct VersionCost {
    std::size_t operator()(const Message& m) const { return static_cast<std::size_t>(m.version); }
};

TEST(RetainedStore, ReplacementIsRefusedOnlyWhenItGrowsPastTheLimit) {
    RetainedStore<Message, VersionCost> store;
    using Result = RetainedStore<Message, VersionCost>::SetResult;
    const RetainedLimits limits{.max_bytes = 10};
    EXPECT_EQ(store.set("t", msg("t", 8), limits), Result::Stored);
    EXPECT_EQ(store.set("t", msg("t", 10), limits), Result::Stored);     // grows to the limit
    EXPECT_EQ(store.set("t", msg("t", 11), limits), Result::OverBytes);  // past it
    EXPECT_EQ(store.set("u", msg("u", 0), limits), Result::Stored);
    EXPECT_EQ(store.set("t", msg("t", 3), limits), Result::Stored);  // shrinking always works
    EXPECT_EQ(store.bytes(), 3u);
}

}  // namespace
}  // namespace akasa::broker
