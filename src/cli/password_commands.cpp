// Placeholder until the password file module lands: the auth helper replaces this file.
#include <cstdio>

#include "cli/commands.h"

namespace akasa::cli {
int insert_password(const InsertPasswordOptions&) {
    std::fprintf(stderr, "akasa: insert-password is not implemented yet\n");
    return 1;
}
int remove_password(const std::string&, const std::string&) {
    std::fprintf(stderr, "akasa: remove-password is not implemented yet\n");
    return 1;
}
}  // namespace akasa::cli
