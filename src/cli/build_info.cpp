#include "cli/build_info.h"

#include "akasa_build_commit.h"  // generated: AKASA_COMMIT

namespace akasa::cli {

std::string_view build_commit() {
    return AKASA_COMMIT;
}

std::string version_line() {
    return std::string("akasa ") + AKASA_VERSION + " (commit " + AKASA_COMMIT + ")";
}

}  // namespace akasa::cli
