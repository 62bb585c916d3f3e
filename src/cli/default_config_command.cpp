// Placeholder until the config module lands: the config helper replaces this file.
#include <cstdio>

#include "cli/commands.h"

namespace akasa::cli {
int print_default_config(bool) {
    std::fprintf(stderr, "akasa: default-config is not implemented yet\n");
    return 1;
}
}  // namespace akasa::cli
