#include "hook/plugin_loader.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <filesystem>
#include <system_error>

namespace akasa::hook {

PluginLibrary::PluginLibrary(std::string path) : path_(std::move(path)) {
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec)) {
        throw PluginError(fmt::format("plugin {}: no such file", path_));
    }
    // A path without '/' would make dlopen search the library path instead of this file.
    const std::string open_path = path_.find('/') == std::string::npos ? "./" + path_ : path_;
    handle_ = dlopen(open_path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!handle_) {
        const char* why = dlerror();
        throw PluginError(
            fmt::format("plugin {}: cannot load it: {}", path_, why ? why : "unknown error"));
    }
}

PluginLibrary::~PluginLibrary() {
    if (handle_) dlclose(handle_);
}

void* PluginLibrary::symbol(const char* name) const {
    return dlsym(handle_, name);
}

void* PluginLibrary::required_symbol(const char* name) const {
    void* found = symbol(name);
    if (!found) {
        throw PluginError(
            fmt::format("plugin {}: it does not export the required function {} (declare it with "
                        "AKASA_PLUGIN_EXPORT from akasa/plugin.h, extern \"C\" in C++)",
                        path_, name));
    }
    return found;
}

}  // namespace akasa::hook
