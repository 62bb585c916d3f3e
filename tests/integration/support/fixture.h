// A GoogleTest fixture that starts one server per test (default config plus `extra`) and
// checks that it exits with status 0 on SIGTERM.
#pragma once

#include <gtest/gtest.h>

#include "server_process.h"
#include "test_client.h"

namespace akasa::testing {

class ServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        configure(server);
        server.start();
    }
    void TearDown() override { EXPECT_EQ(server.stop(), 0) << server.log(); }
    virtual void configure(ServerProcess&) {}
    std::uint16_t port() const { return server.port(); }

    ServerProcess server;
};

}  // namespace akasa::testing
