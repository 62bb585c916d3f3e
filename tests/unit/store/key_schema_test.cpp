#include "store/key_schema.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace akasa::store {
namespace {

bool in_range(const KeyRange& range, const std::string& key) {
    return key >= range.begin && key < range.end;
}

TEST(KeySchema, SessionKeysAreLengthPrefixed) {
    EXPECT_EQ(session_key("ab"), std::string("S\x00\x02"
                                             "ab\x01",
                                             6));
    EXPECT_EQ(queued_key("c", 0x0102), std::string("S\x00\x01"
                                                   "c\x03\0\0\0\0\0\0\x01\x02",
                                                   13));
    EXPECT_EQ(inflight_key("c", 0xabcd), std::string("S\x00\x01"
                                                     "c\x04\xab\xcd",
                                                     7));
    EXPECT_EQ(retained_key("a/b"), "Ra/b");
}

// A client id that is a prefix of another never captures the other's records.
TEST(KeySchema, SessionRangeHoldsOneClientOnly) {
    const KeyRange a = session_range("a");
    for (const std::string& key :
         {session_key("a"), subscription_key("a", "#"), queued_key("a", ~0ull),
          inflight_key("a", 65535), qos2_received_key("a", 1)}) {
        EXPECT_TRUE(in_range(a, key)) << describe_key(key);
    }
    const std::string a_nul("a\0", 2);
    for (const std::string& key :
         {session_key("ab"), session_key(a_nul), subscription_key("ab", "x"),
          queued_key(std::string(257, 'a'), 1), session_key(""), session_key("b"),
          retained_key("a")}) {
        EXPECT_FALSE(in_range(a, key)) << describe_key(key);
    }
}

TEST(KeySchema, QueuedKeysSortBySeq) {
    std::vector<std::uint64_t> seqs = {256, 1, 0x1'0000'0000ull, 255, 2, 65536, 0};
    std::vector<std::string> keys;
    for (auto seq : seqs)
        keys.push_back(queued_key("client", seq));
    std::sort(keys.begin(), keys.end());
    std::sort(seqs.begin(), seqs.end());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        ParsedKey parsed;
        ASSERT_TRUE(parse_key(keys[i], &parsed).ok());
        EXPECT_EQ(parsed.seq, seqs[i]);
    }
}

TEST(KeySchema, SessionRecordSortsBeforeItsSubRecords) {
    EXPECT_LT(session_key("c"), subscription_key("c", ""));
    EXPECT_LT(subscription_key("c", "\xff\xff"), queued_key("c", 0));
    EXPECT_LT(queued_key("c", ~0ull), inflight_key("c", 0));
    EXPECT_LT(inflight_key("c", 65535), qos2_received_key("c", 0));
}

TEST(KeySchema, ParseRoundTrips) {
    // ParsedKey views into the key: the keys must outlive it.
    const std::string retained = retained_key("t/1");
    const std::string subscription = subscription_key("id", "$share/g/a/+");
    const std::string qos2 = qos2_received_key("", 42);
    const std::string meta = format_version_key();
    ParsedKey p;
    ASSERT_TRUE(parse_key(retained, &p).ok());
    EXPECT_EQ(p.kind, ParsedKey::Kind::Retained);
    EXPECT_EQ(p.name, "t/1");

    ASSERT_TRUE(parse_key(subscription, &p).ok());
    EXPECT_EQ(p.kind, ParsedKey::Kind::Session);
    EXPECT_EQ(p.client_id, "id");
    EXPECT_EQ(p.session_kind, SessionKeyKind::Subscription);
    EXPECT_EQ(p.filter, "$share/g/a/+");

    ASSERT_TRUE(parse_key(qos2, &p).ok());
    EXPECT_EQ(p.client_id, "");
    EXPECT_EQ(p.session_kind, SessionKeyKind::Qos2Received);
    EXPECT_EQ(p.packet_id, 42);

    ASSERT_TRUE(parse_key(meta, &p).ok());
    EXPECT_EQ(p.kind, ParsedKey::Kind::Meta);
}

TEST(KeySchema, MalformedKeysAreCorruption) {
    ParsedKey p;
    for (const std::string& key : {std::string(), std::string("X"), std::string("S\x00", 2),
                                   std::string("S\x00\x05"
                                               "ab",
                                               5),
                                   std::string("S\x00\x01"
                                               "a\x09",
                                               5),
                                   std::string("S\x00\x01"
                                               "a\x01z",
                                               6),
                                   std::string("S\x00\x01"
                                               "a\x03\x01",
                                               6),
                                   std::string("S\x00\x01"
                                               "a\x04\x01",
                                               6)}) {
        Status s = parse_key(key, &p);
        EXPECT_EQ(s.code(), Status::Code::Corruption) << describe_key(key);
    }
}

TEST(KeySchema, DescribeKeyEscapes) {
    EXPECT_EQ(describe_key(std::string("S\x00\x01"
                                       "a",
                                       4)),
              "\"S\\x00\\x01a\"");
}

}  // namespace
}  // namespace akasa::store

namespace akasa::store {
namespace {

TEST(KeySchema, KeyGroupIsOneClientsRecordsOrTheKindByte) {
    // key_group() views into its key: the keys live here.
    const std::string session = session_key("a");
    const std::string queued = queued_key("a", 7);
    const std::string inflight = inflight_key("a", 3);
    const std::string subscription = subscription_key("a", "t/#");
    const std::string other = queued_key("ab", 7);
    const std::string retained = retained_key("x/y");
    const std::string meta = format_version_key();
    const std::string_view group = key_group(session);
    EXPECT_EQ(group, std::string_view("S\x00\x01"
                                      "a",
                                      4));
    EXPECT_EQ(key_group(queued), group);
    EXPECT_EQ(key_group(inflight), group);
    EXPECT_EQ(key_group(subscription), group);
    EXPECT_NE(key_group(other), group);  // "a" is a prefix of "ab", not its group
    EXPECT_EQ(key_group(retained), "R");
    EXPECT_EQ(key_group(meta), "M");
    const std::string_view short_key(
        "S\x00\x09"
        "ab",
        5);  // its length field says more than there is
    EXPECT_EQ(key_group(short_key), short_key);
    EXPECT_EQ(key_group(""), "");
}

}  // namespace
}  // namespace akasa::store
