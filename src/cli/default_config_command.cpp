// `akasa default-config [--allow-anonymous]`: prints the default config document.
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "config/default_config.h"

namespace akasa::cli {

int print_default_config(bool allow_anonymous) {
    std::string document = config::default_config_yaml(allow_anonymous);
    if (std::fwrite(document.data(), 1, document.size(), stdout) != document.size() ||
        std::fflush(stdout) != 0) {
        std::fprintf(stderr, "akasa: could not write the default config to stdout\n");
        return 1;
    }
    return 0;
}

}  // namespace akasa::cli
