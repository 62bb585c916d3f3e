// The version and git commit this binary was built from: `akasa --version`, the log line at
// start and akasa_build_info. The commit comes from a header the build writes
// (cmake/write_build_commit.cmake), included by build_info.cpp alone so that a new commit
// recompiles one file.
#pragma once

#include <string>
#include <string_view>

namespace akasa::cli {

// The short git hash, or "unknown" when built outside a git checkout (a source tarball).
std::string_view build_commit();

// "akasa 0.1.0 (commit 3f2c1ab)".
std::string version_line();

}  // namespace akasa::cli
