#include "hook/acl/acl_rules.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace akasa::hook::acl {
namespace {

using std::nullopt;

AclRules parse(std::string_view text) {
    return AclRules::parse(text, "acl");
}

// Expects `text` to fail on `line` with a message containing `part`.
void expect_error(std::string_view text, std::size_t line, std::string_view part) {
    try {
        parse(text);
        ADD_FAILURE() << "no error for:\n" << text;
    } catch (const AclFileError& e) {
        EXPECT_EQ(e.line(), line) << e.what();
        const std::string message = e.what();
        EXPECT_EQ(message.rfind("acl:" + std::to_string(line) + ": ", 0), 0u) << message;
        EXPECT_NE(message.find(part), std::string::npos) << message;
    }
}

// ---- Parser ----------------------------------------------------------------------------

TEST(AclParseTest, EveryDirective) {
    const AclRules rules = parse(
        "# a comment\n"
        "\n"
        "topic read public/#\n"
        "user alice\n"
        "topic write alice/in\n"
        "topic readwrite alice/#\n"
        "topic deny alice/secret\n"
        "topic shared/+\n"
        "pattern read devices/%c/#\n"
        "user bob\n"
        "pattern deny users/%u/locked\n");
    ASSERT_EQ(rules.anonymous_rules().size(), 1u);
    EXPECT_EQ(rules.anonymous_rules()[0], (AclRule{Permission::Read, "public/#", 3}));
    const auto* alice = rules.user_rules("alice");
    ASSERT_NE(alice, nullptr);
    ASSERT_EQ(alice->size(), 4u);
    EXPECT_EQ((*alice)[0], (AclRule{Permission::Write, "alice/in", 5}));
    EXPECT_EQ((*alice)[1], (AclRule{Permission::ReadWrite, "alice/#", 6}));
    EXPECT_EQ((*alice)[2], (AclRule{Permission::Deny, "alice/secret", 7}));
    EXPECT_EQ((*alice)[3], (AclRule{Permission::ReadWrite, "shared/+", 8}));  // default access
    ASSERT_NE(rules.user_rules("bob"), nullptr);
    EXPECT_TRUE(rules.user_rules("bob")->empty());
    EXPECT_EQ(rules.user_rules("carol"), nullptr);
    ASSERT_EQ(rules.patterns().size(), 2u);
    EXPECT_EQ(rules.patterns()[0], (AclRule{Permission::Read, "devices/%c/#", 9}));
    EXPECT_EQ(rules.patterns()[1], (AclRule{Permission::Deny, "users/%u/locked", 11}));
    EXPECT_EQ(rules.rule_count(), 7u);
}

TEST(AclParseTest, WhitespaceCommentsAndLineEndings) {
    const AclRules rules = parse(
        "   # indented comment\r\n"
        "\t\r\n"
        "  topic\tread   a/b  \r\n"
        "user   name with spaces  \n"
        "topic write x y\n");  // a filter may contain spaces
    ASSERT_EQ(rules.anonymous_rules().size(), 1u);
    EXPECT_EQ(rules.anonymous_rules()[0].filter, "a/b");
    const auto* user = rules.user_rules("name with spaces");
    ASSERT_NE(user, nullptr);
    EXPECT_EQ((*user)[0], (AclRule{Permission::Write, "x y", 5}));
}

TEST(AclParseTest, ALoneAccessWordIsATopic) {
    // As in Mosquitto: with a single word after `topic`, that word is the topic.
    const AclRules rules = parse("topic read\n");
    EXPECT_EQ(rules.anonymous_rules()[0], (AclRule{Permission::ReadWrite, "read", 1}));
}

TEST(AclParseTest, RepeatedUserSectionsAccumulate) {
    const AclRules rules = parse("user a\ntopic x\nuser b\ntopic y\nuser a\ntopic z\n");
    ASSERT_NE(rules.user_rules("a"), nullptr);
    EXPECT_EQ(rules.user_rules("a")->size(), 2u);
}

TEST(AclParseTest, EmptyFileHasNoRules) {
    EXPECT_EQ(parse("").rule_count(), 0u);
    EXPECT_EQ(parse("\n# only comments\n").rule_count(), 0u);
}

TEST(AclParseTest, MalformedLinesNameTheirLine) {
    expect_error("topic read a\nbogus a/b\n", 2, "unknown directive \"bogus\"");
    expect_error("user\n", 1, "`user` needs a username");
    expect_error("\n\ntopic\n", 3, "`topic` needs a topic filter");
    expect_error("pattern   \n", 1, "`pattern` needs a topic filter");
    expect_error("topic rw a/b\n", 1, "unknown access type \"rw\"");
    expect_error("pattern full a/%u\n", 1, "unknown access type \"full\"");
    expect_error("topic read a/#/b\n", 1, "\"a/#/b\" is not a valid topic filter");
    expect_error("topic read a+/b\n", 1, "not a valid topic filter");
    expect_error("user x\ntopic deny $share/\n", 2, "not a valid topic filter");
    expect_error(std::string_view("topic a\0b\n", 10), 1, "NUL");
    expect_error("TOPIC read a\n", 1, "unknown directive");  // keywords are lower case
}

TEST(AclParseTest, LoadReadsAFileAndReportsAMissingOne) {
    const std::string path = ::testing::TempDir() + "acl_rules_test.acl";
    {
        std::ofstream out(path);
        out << "user u\ntopic read a/#\n";
    }
    const AclRules rules = AclRules::load(path);
    ASSERT_NE(rules.user_rules("u"), nullptr);
    std::remove(path.c_str());
    try {
        AclRules::load(path);
        ADD_FAILURE() << "missing file loaded";
    } catch (const AclFileError& e) {
        EXPECT_FALSE(e.line().has_value());
        EXPECT_NE(std::string(e.what()).find(path + ": cannot open the ACL file"),
                  std::string::npos)
            << e.what();
    }
}

// ---- Matcher ---------------------------------------------------------------------------

TEST(AclCheckTest, AnonymousSectionAppliesOnlyWithoutUsername) {
    const AclRules rules = parse("topic read public/#\nuser alice\ntopic read alice/#\n");
    EXPECT_TRUE(rules.check(nullopt, "c", "public/news", Access::Read));
    EXPECT_FALSE(rules.check("alice", "c", "public/news", Access::Read));
    EXPECT_TRUE(rules.check("alice", "c", "alice/x", Access::Read));
    EXPECT_FALSE(rules.check(nullopt, "c", "alice/x", Access::Read));
    // A username with no section gets only the patterns (none here).
    EXPECT_FALSE(rules.check("mallory", "c", "public/news", Access::Read));
}

TEST(AclCheckTest, AccessTypes) {
    const AclRules rules = parse("topic read r\ntopic write w\ntopic readwrite rw\ntopic both\n");
    EXPECT_TRUE(rules.check(nullopt, "c", "r", Access::Read));
    EXPECT_FALSE(rules.check(nullopt, "c", "r", Access::Write));
    EXPECT_FALSE(rules.check(nullopt, "c", "w", Access::Read));
    EXPECT_TRUE(rules.check(nullopt, "c", "w", Access::Write));
    EXPECT_TRUE(rules.check(nullopt, "c", "rw", Access::Read));
    EXPECT_TRUE(rules.check(nullopt, "c", "rw", Access::Write));
    EXPECT_TRUE(rules.check(nullopt, "c", "both", Access::Write));
    EXPECT_FALSE(rules.check(nullopt, "c", "unlisted", Access::Read));
}

TEST(AclCheckTest, DenyWinsOverBroaderGrantsWhateverTheOrder) {
    const AclRules rules = parse(
        "user u\n"
        "topic readwrite house/#\n"
        "topic deny house/safe/#\n");
    EXPECT_TRUE(rules.check("u", "c", "house/kitchen", Access::Write));
    EXPECT_FALSE(rules.check("u", "c", "house/safe/code", Access::Write));
    EXPECT_FALSE(rules.check("u", "c", "house/safe", Access::Read));
}

// mosquitto's order: the user's section first; the patterns only when it decided nothing.
TEST(AclCheckTest, ASectionGrantWinsOverADenyPattern) {
    const AclRules rules = parse("user u\ntopic readwrite #\npattern deny locked/%u\n");
    EXPECT_TRUE(rules.check("u", "c", "locked/u", Access::Write));
    EXPECT_TRUE(rules.check("u", "c", "locked/u", Access::Subscribe));
    // A user whose section does not grant it meets the deny pattern.
    EXPECT_FALSE(rules.check("v", "c", "locked/v", Access::Write));
}

TEST(AclCheckTest, ASectionDenyWinsOverAGrantingPattern) {
    const AclRules rules = parse("user u\ntopic deny devices/#\npattern readwrite devices/%c\n");
    EXPECT_FALSE(rules.check("u", "d1", "devices/d1", Access::Write));
    EXPECT_FALSE(rules.check("u", "d1", "devices/d1", Access::Subscribe));
    EXPECT_TRUE(rules.check("v", "d1", "devices/d1", Access::Write));
}

TEST(AclCheckTest, ASectionRuleForTheOtherAccessLeavesItToThePatterns) {
    const AclRules rules = parse(
        "user u\n"
        "topic read status/#\n"
        "pattern write status/%c\n"
        "pattern deny status/%c/locked\n");
    EXPECT_TRUE(rules.check("u", "d1", "status/d1", Access::Write));   // by the pattern
    EXPECT_FALSE(rules.check("u", "d1", "status/d2", Access::Write));  // nothing grants it
    EXPECT_TRUE(rules.check("u", "d1", "status/d2", Access::Read));    // by the section
    EXPECT_TRUE(rules.check("u", "d1", "status/d1/locked", Access::Read));
    EXPECT_FALSE(rules.check("u", "d1", "status/d1/locked", Access::Write));
}

TEST(AclCheckTest, AnEmptyUsernameIsAnonymous) {
    const AclRules rules =
        parse("topic read public/#\nuser x\ntopic read x/#\npattern read users/%u/#\n");
    EXPECT_TRUE(rules.check(std::string_view(""), "c", "public/a", Access::Read));
    EXPECT_FALSE(rules.check(std::string_view(""), "c", "users//a", Access::Read));
}

TEST(AclCheckTest, WildcardsInRules) {
    const AclRules rules = parse("topic read sensors/+/temp\ntopic write cmd/#\n");
    EXPECT_TRUE(rules.check(nullopt, "c", "sensors/7/temp", Access::Read));
    EXPECT_FALSE(rules.check(nullopt, "c", "sensors/7/8/temp", Access::Read));
    EXPECT_TRUE(rules.check(nullopt, "c", "cmd", Access::Write));  // '#' matches the parent
    EXPECT_TRUE(rules.check(nullopt, "c", "cmd/a/b/c", Access::Write));
}

TEST(AclCheckTest, PatternsSubstituteUsernameAndClientIdForEveryUser) {
    const AclRules rules = parse(
        "user alice\n"
        "topic read nothing\n"
        "pattern readwrite users/%u/#\n"  // after a `user` line, still applies to everyone
        "pattern write devices/%c/state\n");
    EXPECT_TRUE(rules.check("alice", "dev1", "users/alice/x", Access::Write));
    EXPECT_FALSE(rules.check("alice", "dev1", "users/bob/x", Access::Write));
    EXPECT_TRUE(rules.check("bob", "dev2", "users/bob/x", Access::Read));
    EXPECT_TRUE(rules.check("bob", "dev2", "devices/dev2/state", Access::Write));
    EXPECT_FALSE(rules.check("bob", "dev2", "devices/dev1/state", Access::Write));
    // Anonymous clients: %c patterns apply, %u patterns do not.
    EXPECT_TRUE(rules.check(nullopt, "dev3", "devices/dev3/state", Access::Write));
    EXPECT_FALSE(rules.check(nullopt, "dev3", "users/%u/x", Access::Write));
}

TEST(AclCheckTest, WildcardCharactersInNamesRefuseThePatterns) {
    const AclRules rules = parse(
        "topic readwrite open/#\n"
        "user a#\n"
        "topic read a/#\n"
        "pattern readwrite users/%u/#\n"
        "pattern readwrite devices/%c\n");
    EXPECT_FALSE(rules.check("+", "c", "users/x/y", Access::Write));
    EXPECT_FALSE(rules.check("a#", "c", "users/a#/y", Access::Write));
    EXPECT_FALSE(rules.check(nullopt, "c+", "devices/c", Access::Write));
    EXPECT_FALSE(rules.check(nullopt, "c+", "devices/+", Access::Subscribe));
    // The section is decided first, as in mosquitto: it still applies.
    EXPECT_TRUE(rules.check(nullopt, "c+", "open/x", Access::Write));
    EXPECT_TRUE(rules.check("a#", "c", "a/b", Access::Read));
    EXPECT_TRUE(rules.check("a#", "c", "a/+", Access::Subscribe));
    const AclRules no_patterns = parse("topic readwrite open/#\n");
    EXPECT_TRUE(no_patterns.check(nullopt, "c+", "open/x", Access::Write));
}

// A substituted name is one level: `a/cmd` must not reach into client `a`'s topics (the one
// deliberate difference from mosquitto, which grants it).
TEST(AclCheckTest, NamesSpanningLevelsNeverMatchAGrantingPattern) {
    const AclRules rules = parse(
        "user alice\n"
        "topic readwrite own/#\n"
        "pattern readwrite devices/%c/#\n"
        "pattern read users/%u/#\n"
        "pattern readwrite %c/own\n"
        "pattern deny locks/%c\n"
        "pattern readwrite locks/#\n");
    EXPECT_TRUE(rules.check(nullopt, "a", "devices/a/cmd/x", Access::Write));
    EXPECT_FALSE(rules.check(nullopt, "a/cmd", "devices/a/cmd/x", Access::Write));
    EXPECT_FALSE(rules.check(nullopt, "a/cmd", "devices/a/cmd/#", Access::Subscribe));
    EXPECT_FALSE(rules.check(nullopt, "a/cmd", "devices/a/cmd", Access::Read));
    EXPECT_FALSE(rules.check("alice/x", "c1", "users/alice/x/y", Access::Read));
    // Only the patterns that substitute the unsafe name are skipped: the section still
    // applies, and so does the %u pattern for a client whose client id has a `/`.
    EXPECT_TRUE(rules.check("alice", "a/cmd", "own/1", Access::Write));
    EXPECT_TRUE(rules.check("alice", "a/cmd", "users/alice/1", Access::Read));
    EXPECT_FALSE(rules.check("alice", "a/cmd", "a/cmd/own", Access::Write));
    // A deny pattern still applies with the name as it is: it can only take access away.
    EXPECT_FALSE(rules.check("alice", "x/y", "locks/x/y", Access::Write));
    EXPECT_TRUE(rules.check("alice", "x/y", "locks/x/z", Access::Write));
}

// [MQTT-4.7.2-1] rules starting with a wildcard do not reach $SYS.
TEST(AclCheckTest, DollarTopicsNeedRulesThatNameThem) {
    const AclRules rules = parse("topic readwrite #\nuser admin\ntopic read $SYS/#\n");
    EXPECT_FALSE(rules.check(nullopt, "c", "$SYS/broker/uptime", Access::Read));
    EXPECT_FALSE(rules.check(nullopt, "c", "$SYS/#", Access::Subscribe));
    EXPECT_TRUE(rules.check("admin", "c", "$SYS/broker/uptime", Access::Read));
    EXPECT_TRUE(rules.check("admin", "c", "$SYS/#", Access::Subscribe));
    EXPECT_TRUE(rules.check(nullopt, "c", "a/b", Access::Read));
}

TEST(AclCheckTest, SubscribeNeedsAReadGrantThatSharesTopics) {
    const AclRules rules = parse("topic read sensors/#\ntopic write cmd/#\n");
    EXPECT_TRUE(rules.check(nullopt, "c", "sensors/+/temp", Access::Subscribe));
    EXPECT_TRUE(rules.check(nullopt, "c", "sensors/#", Access::Subscribe));
    // Broader than the grant: accepted; deliveries are filtered by Read one by one.
    EXPECT_TRUE(rules.check(nullopt, "c", "#", Access::Subscribe));
    EXPECT_FALSE(rules.check(nullopt, "c", "cmd/#", Access::Subscribe));  // write only
    EXPECT_FALSE(rules.check(nullopt, "c", "other/x", Access::Subscribe));
}

TEST(AclCheckTest, SubscribeIsDeniedWhenADenyCoversTheWholeFilter) {
    const AclRules rules = parse("topic read #\ntopic deny secret/#\n");
    EXPECT_FALSE(rules.check(nullopt, "c", "secret/#", Access::Subscribe));
    EXPECT_FALSE(rules.check(nullopt, "c", "secret/+/x", Access::Subscribe));
    EXPECT_TRUE(rules.check(nullopt, "c", "#", Access::Subscribe));
    EXPECT_FALSE(rules.check(nullopt, "c", "secret/a", Access::Read));
}

// For a filter without wildcards, Subscribe and Read decide the same, in every step: the
// section, its precedence over the patterns, refused names, the deliberate difference.
TEST(AclCheckTest, SubscribingToATopicIsDecidedAsReadingIt) {
    const AclRules rules = parse(
        "topic read public/#\n"
        "topic deny public/secret\n"
        "user u\n"
        "topic readwrite #\n"
        "topic deny +/secret\n"
        "topic write w/#\n"
        "user r\n"
        "topic read devices/#\n"
        "pattern readwrite devices/%c/#\n"
        "pattern deny devices/locked/#\n"
        "pattern read users/%u/#\n"
        "pattern read w/#\n");
    const std::optional<std::string_view> users[] = {nullopt, "", "u", "r", "x", "a/b", "a+"};
    const std::string_view client_ids[] = {"c", "locked", "c/d", "c#"};
    const std::string_view topics[] = {
        "public/a",    "public/secret", "x/secret",       "w/1",
        "devices/c/1", "devices/c/d/1", "devices/locked", "devices/locked/1",
        "users/x/1",   "users/a/b/1",   "users/u/1",      "$SYS/x",
    };
    int allowed = 0;
    for (const auto& user : users) {
        for (const auto client_id : client_ids) {
            for (const auto topic : topics) {
                const bool read = rules.check(user, client_id, topic, Access::Read);
                EXPECT_EQ(rules.check(user, client_id, topic, Access::Subscribe), read)
                    << (user ? *user : "(none)") << " " << client_id << " " << topic;
                allowed += read ? 1 : 0;
            }
        }
    }
    EXPECT_GT(allowed, 0);
}

TEST(AclCheckTest, SharedSubscriptionsAreCheckedByTheirFilter) {
    const AclRules rules = parse("topic read jobs/#\n");
    EXPECT_TRUE(rules.check(nullopt, "c", "$share/workers/jobs/+", Access::Subscribe));
    EXPECT_FALSE(rules.check(nullopt, "c", "$share/workers/other", Access::Subscribe));
}

TEST(AclCheckTest, NoRulesDenyEverything) {
    const AclRules rules = parse("");
    EXPECT_FALSE(rules.check(nullopt, "c", "a", Access::Read));
    EXPECT_FALSE(rules.check("u", "c", "a", Access::Write));
    EXPECT_FALSE(rules.check("u", "c", "a", Access::Subscribe));
}

}  // namespace
}  // namespace akasa::hook::acl
