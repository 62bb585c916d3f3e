// proxy_allowed_sources at accept (net/source_filter.h): only the proxies may connect, and a
// flood of refused connections writes a bounded number of log lines.
#include "net/source_filter.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace akasa::net {
namespace {

using Clock = util::LogRateLimit::Clock;

std::vector<config::IpNetwork> networks(std::initializer_list<const char*> texts) {
    std::vector<config::IpNetwork> out;
    for (const char* t : texts)
        out.push_back(*config::IpNetwork::parse(t));
    return out;
}

Endpoint peer(const char* text) {
    return *Endpoint::parse(text);
}

// Sends spdlog's default logger to a string for the test's lifetime.
class CapturedLog {
  public:
    CapturedLog() : previous_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
        sink->set_pattern("%v");
        spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink));
    }
    ~CapturedLog() { spdlog::set_default_logger(previous_); }
    std::vector<std::string> lines() const {
        std::vector<std::string> out;
        std::istringstream in(stream_.str());
        for (std::string line; std::getline(in, line);)
            out.push_back(line);
        return out;
    }

  private:
    std::ostringstream stream_;
    std::shared_ptr<spdlog::logger> previous_;
};

TEST(SourceFilter, AdmitsTheListedSourcesOnly) {
    CapturedLog log;
    SourceFilter filter("mqtt", networks({"127.0.0.2", "10.0.0.0/8", "::1"}));
    EXPECT_EQ(filter.key(), "listeners.mqtt.proxy_allowed_sources");
    EXPECT_TRUE(filter.admits(peer("127.0.0.2:40000")));
    EXPECT_TRUE(filter.admits(peer("10.9.8.7:1")));
    EXPECT_TRUE(filter.admits(peer("[::1]:2")));
    EXPECT_TRUE(filter.admits(peer("[::ffff:10.0.0.1]:3")));  // dual-stack listener
    EXPECT_TRUE(log.lines().empty());
    EXPECT_FALSE(filter.admits(peer("127.0.0.1:40001")));
    EXPECT_FALSE(filter.admits(peer("[::2]:4")));
    EXPECT_EQ(log.lines(),
              (std::vector<std::string>{
                  "refusing connection from 127.0.0.1:40001 on listener mqtt: not in "
                  "listeners.mqtt.proxy_allowed_sources (only the proxies may connect to a PROXY "
                  "listener)",
                  "refusing connection from [::2]:4 on listener mqtt: not in "
                  "listeners.mqtt.proxy_allowed_sources (only the proxies may connect to a PROXY "
                  "listener)"}));
}

TEST(SourceFilter, AFloodIsLoggedAFewTimesThenCounted) {
    CapturedLog log;
    SourceFilter filter("ws", networks({"192.0.2.1"}));
    const Clock::time_point t0{};
    for (int i = 0; i < 100; ++i)
        EXPECT_FALSE(filter.admits(peer("198.51.100.7:5000"), t0));
    EXPECT_EQ(log.lines().size(), SourceFilter::kLogBurst);
    EXPECT_FALSE(filter.admits(peer("198.51.100.7:5001"), t0 + SourceFilter::kLogWindow));
    const auto lines = log.lines();
    ASSERT_EQ(lines.size(), SourceFilter::kLogBurst + 1);
    EXPECT_NE(lines.back().find("198.51.100.7:5001 on listener ws: not in "
                                "listeners.ws.proxy_allowed_sources"),
              std::string::npos);
    EXPECT_NE(lines.back().find("; 90 similar lines left out before this one"), std::string::npos)
        << lines.back();
}

TEST(SourceFilter, Loopback) {
    EXPECT_TRUE(is_loopback(*config::SocketAddress::parse("127.0.0.1:1883")));
    EXPECT_TRUE(is_loopback(*config::SocketAddress::parse("127.1.2.3:1883")));
    EXPECT_TRUE(is_loopback(*config::SocketAddress::parse("[::1]:1883")));
    EXPECT_FALSE(is_loopback(*config::SocketAddress::parse("0.0.0.0:1883")));
    EXPECT_FALSE(is_loopback(*config::SocketAddress::parse("[::]:1883")));
    EXPECT_FALSE(is_loopback(*config::SocketAddress::parse("192.168.1.10:1883")));
}

}  // namespace
}  // namespace akasa::net
