#include "broker/session/session_table.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace akasa::broker {
namespace {

TEST(SessionTable, FindsByIdAndByClientId) {
    SessionTable table;
    Session& a = table.add(std::make_unique<Session>(1, "alpha"));
    Session& b = table.add(std::make_unique<Session>(2, "beta"));
    EXPECT_EQ(table.size(), 2u);
    EXPECT_EQ(table.find(SessionId{1}), &a);
    EXPECT_EQ(table.find(SessionId{2}), &b);
    EXPECT_EQ(table.find(std::string_view("alpha")), &a);
    EXPECT_EQ(table.find(std::string_view("beta")), &b);
    EXPECT_EQ(table.find(SessionId{3}), nullptr);
    EXPECT_EQ(table.find(std::string_view("gamma")), nullptr);
    EXPECT_EQ(table.find(std::string_view("")), nullptr);
}

TEST(SessionTable, EraseRemovesBothIndexes) {
    SessionTable table;
    Session& a = table.add(std::make_unique<Session>(1, "alpha"));
    table.add(std::make_unique<Session>(2, "beta"));
    table.erase(a);
    EXPECT_EQ(table.size(), 1u);
    EXPECT_EQ(table.find(SessionId{1}), nullptr);
    EXPECT_EQ(table.find(std::string_view("alpha")), nullptr);
    ASSERT_NE(table.find(std::string_view("beta")), nullptr);
    // The client id can come back with a new session (Clean Start, expiry).
    Session& again = table.add(std::make_unique<Session>(3, "alpha"));
    EXPECT_EQ(table.find(std::string_view("alpha")), &again);
    EXPECT_EQ(table.find(SessionId{3}), &again);
}

TEST(SessionTable, IteratesEverySessionOnceThroughGrowth) {
    SessionTable table;
    for (SessionId id = 1; id <= 5000; ++id)
        table.add(std::make_unique<Session>(id, "client-" + std::to_string(id)));
    std::set<SessionId> seen;
    for (const auto& session : table) {
        EXPECT_TRUE(seen.insert(session->id()).second);
        EXPECT_EQ(table.find(std::string_view(session->client_id())), session.get());
    }
    EXPECT_EQ(seen.size(), 5000u);
    for (SessionId id = 1; id <= 5000; id += 2)
        table.erase(*table.find(id));
    EXPECT_EQ(table.size(), 2500u);
    EXPECT_EQ(table.find(std::string_view("client-4999")), nullptr);
    ASSERT_NE(table.find(std::string_view("client-5000")), nullptr);
    EXPECT_EQ(table.find(std::string_view("client-5000"))->id(), 5000u);
}

}  // namespace
}  // namespace akasa::broker
