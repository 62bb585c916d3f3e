// Placeholder until the engine lands: the engine helper replaces this file.
#include <cstdio>

#include "cli/commands.h"

namespace akasa::cli {
int start(const std::string&) {
    std::fprintf(stderr, "akasa: start is not implemented yet\n");
    return 1;
}
}  // namespace akasa::cli
