// Loading plugins: shared libraries that implement include/akasa/plugin.h, opened with
// dlopen at start and adapted to the C++ Hook interface by PluginHook.
//
//   std::shared_ptr<PluginHook> plugin =
//       PluginHook::load("/usr/lib/akasa/auth.so", {{"users", "alice:secret"}});
//   chain.add(plugin);                       // throws PluginError before, if it cannot load
//   ...at shutdown, after the workers stopped: the last reference calls deinit and dlclose.
//
// A load fails, with a PluginError whose message names the path, when the file is missing
// or not a loadable library, when a required export (akasa_plugin_abi_version,
// akasa_plugin_init, akasa_plugin_deinit) is missing, when the plugin's ABI version differs
// from AKASA_PLUGIN_ABI_VERSION (both versions are named), or when its init returns non-zero.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace akasa::hook {

class PluginError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

using PluginOptions = std::vector<std::pair<std::string, std::string>>;

// An open shared library. dlopen'ed with RTLD_NOW (every symbol resolved at load, so a
// missing dependency fails at start, not mid-traffic), RTLD_LOCAL (plugins cannot clash),
// RTLD_NODELETE (dlclose never unmaps the code, so a thread-local destructor or atexit
// handler a plugin left behind cannot jump into unmapped memory at exit).
class PluginLibrary {
  public:
    // Throws PluginError.
    explicit PluginLibrary(std::string path);
    ~PluginLibrary();
    PluginLibrary(const PluginLibrary&) = delete;
    PluginLibrary& operator=(const PluginLibrary&) = delete;

    const std::string& path() const { return path_; }
    // nullptr when the library does not export `name`.
    void* symbol(const char* name) const;
    // Throws PluginError naming the missing export.
    void* required_symbol(const char* name) const;

  private:
    std::string path_;
    void* handle_ = nullptr;
};

}  // namespace akasa::hook
