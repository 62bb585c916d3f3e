// libFuzzer entry for the MQTT decoder (placeholder until the codec lands).
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }
