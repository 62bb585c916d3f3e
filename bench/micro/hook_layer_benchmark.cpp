// What the hook layer costs on the publish path (issue 6: "an unused hook costs nothing").
// Each benchmark does the engine's own per-PUBLISH work (decode, validate the topic) plus
// the hook layer's part in one configuration:
//   NoHookLayer       the engine without any hook code;
//   NoHooksConfigured the connection's hook state is null (no plugin, no acl_file): the
//                     engine's `if (hooks_ && ...)` test;
//   PointUnused       hooks exist but none implements before_publish: one any_for() bit test;
//   AclBeforePublish  the ACL file checks each publish (for scale; its cost is the check).
// And the ACL's read check per delivery: rules bound per client once (ClientAcl, what the
// engine uses) against binding them on every check (AclRules::check).
// Run: build-rel/akasa_microbench --benchmark_filter='Hook|Acl'
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "hook/acl/acl_client.h"
#include "hook/acl/acl_hook.h"
#include "hook/hook_chain.h"
#include "mqtt/decoder.h"
#include "mqtt/encoder.h"
#include "mqtt/topic.h"

namespace {

using namespace akasa;
using hook::HookPoint;

std::vector<std::uint8_t> encoded_publish() {
    mqtt::Publish publish;
    publish.topic = "devices/dev-17/status";
    static const std::string payload(48, 'x');
    publish.payload = payload;
    std::vector<std::uint8_t> out;
    mqtt::encode(publish, mqtt::ProtocolVersion::V311, out);
    return out;
}

constexpr const char* kAcl =
    "user alice\n"
    "topic readwrite alice/#\n"
    "topic deny alice/private/#\n"
    "pattern write devices/%c/status\n"
    "pattern read users/%u/inbox/#\n"
    "pattern read devices/%c/cmd/#\n";

// The engine's own work per PUBLISH; returns the decoded packet.
mqtt::Publish& decode_and_validate(std::span<const std::uint8_t> bytes, mqtt::Publish& publish) {
    const auto header = mqtt::decode_fixed_header(bytes, mqtt::kMaxPacketSize);
    const auto body = bytes.subspan(header.header.header_size, header.header.remaining_length);
    benchmark::DoNotOptimize(
        mqtt::decode_publish(header.header, body, mqtt::ProtocolVersion::V311, publish));
    benchmark::DoNotOptimize(mqtt::validate_topic_name(publish.topic));
    return publish;
}

struct Fixture {
    std::vector<std::uint8_t> bytes = encoded_publish();
    mqtt::Publish publish;
    hook::SessionInfo session = [] {
        hook::SessionInfo s;
        s.client_id = "dev-17";
        return s;
    }();
    hook::PacketArena arena;
};

// The engine's PUBLISH path with the hook layer in place: decode, validate, and the
// before_publish chain when any hook takes that point (the check a connection makes).
void run_publish_path(benchmark::State& state, Fixture& f, hook::HookChain* hooks) {
    for (auto _ : state) {
        auto& publish = decode_and_validate(f.bytes, f.publish);
        if (hooks && hooks->any_for(HookPoint::BeforePublish)) {
            hook::CallSite site{f.session, f.arena, nullptr, 1};
            benchmark::DoNotOptimize(hooks->before_publish(site, publish));
        }
        benchmark::DoNotOptimize(publish.topic.size());
    }
}

void BM_HookLayer_NoHookLayer(benchmark::State& state) {
    Fixture f;
    for (auto _ : state)
        benchmark::DoNotOptimize(decode_and_validate(f.bytes, f.publish).topic.size());
}
BENCHMARK(BM_HookLayer_NoHookLayer);

void BM_HookLayer_NoHooksConfigured(benchmark::State& state) {
    Fixture f;
    std::unique_ptr<hook::HookChain> hooks;  // what a connection holds without hooks: null
    benchmark::DoNotOptimize(hooks);
    run_publish_path(state, f, hooks.get());
}
BENCHMARK(BM_HookLayer_NoHooksConfigured);

// A hook that implements only after_disconnect: the publish points stay off.
class DisconnectObserver : public hook::Hook {
  public:
    std::string_view name() const override { return "observer"; }
    hook::HookPointSet points() const override { return hook::bit(HookPoint::AfterDisconnect); }
};

void BM_HookLayer_PointUnused(benchmark::State& state) {
    Fixture f;
    auto hooks = std::make_unique<hook::HookChain>();
    hooks->add(std::make_shared<DisconnectObserver>());
    benchmark::DoNotOptimize(hooks);
    run_publish_path(state, f, hooks.get());
}
BENCHMARK(BM_HookLayer_PointUnused);

void BM_HookLayer_AclBeforePublish(benchmark::State& state) {
    Fixture f;
    auto store =
        std::make_shared<hook::acl::AclStore>(hook::acl::AclRules::parse(kAcl, "acl"), "acl");
    auto hooks = std::make_unique<hook::HookChain>();
    hooks->add(std::make_shared<hook::acl::AclHook>(store));
    hook::acl::ClientAcl cache;
    f.session.acl_cache = &cache;
    run_publish_path(state, f, hooks.get());
}
BENCHMARK(BM_HookLayer_AclBeforePublish);

void BM_AclRead_BoundPerClient(benchmark::State& state) {
    hook::acl::AclStore store(hook::acl::AclRules::parse(kAcl, "acl"), "acl");
    hook::acl::ClientAcl acl;
    for (auto _ : state) {
        benchmark::DoNotOptimize(acl.check(store, std::string_view("alice"), "dev-17",
                                           "users/alice/inbox/3", hook::acl::Access::Read));
    }
}
BENCHMARK(BM_AclRead_BoundPerClient);

void BM_AclRead_BoundPerCheck(benchmark::State& state) {
    const auto rules = hook::acl::AclRules::parse(kAcl, "acl");
    for (auto _ : state) {
        benchmark::DoNotOptimize(rules.check(std::string_view("alice"), "dev-17",
                                             "users/alice/inbox/3", hook::acl::Access::Read));
    }
}
BENCHMARK(BM_AclRead_BoundPerCheck);

}  // namespace
