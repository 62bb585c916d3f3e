// Writes the seed corpus of the decoder fuzz target: one file per sample packet of
// tests/unit/mqtt/sample_packets.h and protocol version. Packets other than CONNECT are
// preceded by a CONNECT of their version, so the server-side stream decodes them in that
// version. Built ad hoc (see fuzz/README.md):
//   g++ -std=c++20 -Isrc -Itests/unit/mqtt fuzz/make_corpus.cpp build/libakasa_mqtt.a \
//       build/libakasa_text.a -o /tmp/make_corpus
//   /tmp/make_corpus fuzz/corpus/mqtt_decoder
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mqtt/encoder.h"
#include "sample_packets.h"

using namespace akasa::mqtt;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_corpus DIRECTORY\n");
        return 2;
    }
    const std::filesystem::path dir(argv[1]);
    std::filesystem::create_directories(dir);
    int count = 0;
    for (auto version : {ProtocolVersion::V31, ProtocolVersion::V311, ProtocolVersion::V5}) {
        const auto samples = testing::sample_packets(version);
        const Packet& connect = samples.front().packet;  // connect_minimal
        for (const auto& sample : samples) {
            std::vector<uint8_t> bytes;
            if (!std::holds_alternative<Connect>(sample.packet)) encode(connect, version, bytes);
            encode(sample.packet, version, bytes);
            const auto path =
                dir / (std::string(testing::version_name(version)) + "_" + sample.name + ".bin");
            std::ofstream(path, std::ios::binary)
                .write(reinterpret_cast<const char*>(bytes.data()),
                       static_cast<std::streamsize>(bytes.size()));
            ++count;
        }
    }
    std::printf("wrote %d files to %s\n", count, dir.c_str());
    return 0;
}
