// What one password check costs (issue 15 item 9), to choose insert-password's default
// iteration count and which checks leave the event loop (docs/security.md, "Logins"):
//   PasswordVerify/<algorithm>/<iterations>  PasswordHash::matches, what the server runs per
//                                            CONNECT of a password-file user;
//   ScramServerExchange                      the server's side of one SCRAM-SHA-256 exchange
//                                            (its PBKDF2 is the client's).
// Run: build/bench/akasa_microbench --benchmark_filter='Password|Scram'
#include <benchmark/benchmark.h>

#include <string>

#include "auth/password_hash.h"
#include "auth/scram_sha256.h"

namespace {

using namespace akasa::auth;

void PasswordVerify(benchmark::State& state) {
    const auto algorithm = static_cast<HashAlgorithm>(state.range(0));
    const auto iterations = static_cast<std::uint32_t>(state.range(1));
    const PasswordHash entry = PasswordHash::create("correct horse", algorithm, iterations);
    for (auto _ : state)
        benchmark::DoNotOptimize(entry.matches("battery staple"));
    state.SetLabel(std::string(to_string(algorithm)));
}
BENCHMARK(PasswordVerify)
    ->Args({static_cast<int>(HashAlgorithm::Sha256), 0})
    ->Args({static_cast<int>(HashAlgorithm::Sha512), 0})
    ->Args({static_cast<int>(HashAlgorithm::Sha512Pbkdf2), 128})
    ->Args({static_cast<int>(HashAlgorithm::Sha512Pbkdf2), 10000})
    ->Args({static_cast<int>(HashAlgorithm::Sha512Pbkdf2), 50000})
    ->Args({static_cast<int>(HashAlgorithm::Sha512Pbkdf2), 210000})
    ->Args({static_cast<int>(HashAlgorithm::Sha256Pbkdf2), 30000})
    ->Args({static_cast<int>(HashAlgorithm::Sha256Pbkdf2), 600000})
    ->Unit(benchmark::kMicrosecond);

void ScramServerExchange(benchmark::State& state) {
    const Bytes salt(16, 0x5a);
    const auto credentials = ScramCredentials::from_salted_password(
        *scram_salted_password("pw", salt, 4096), salt, 4096);
    for (auto _ : state) {
        ScramServer server([&](std::string_view) { return credentials; });
        auto first = server.start("n,,n=user,r=clientnonce");
        const std::string nonce = first.message.substr(2, first.message.find(',') - 2);
        // A wrong proof of the right length: the same work as a right one.
        benchmark::DoNotOptimize(
            server.finish("c=biws,r=" + nonce + ",p=" + std::string(43, 'A') + "="));
    }
}
BENCHMARK(ScramServerExchange)->Unit(benchmark::kMicrosecond);

}  // namespace
