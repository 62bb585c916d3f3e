// Shared by the config tests: a minimal valid document, an error matcher and a temp dir.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>

#include "config/config_loader.h"

namespace akasa::config::testing_util {

// The smallest valid document: one listener, anonymous clients.
inline constexpr const char* kMinimal =
    "listeners:\n"
    "  mqtt:\n"
    "    addr: 127.0.0.1:1883\n"
    "auth:\n"
    "  enable: false\n";

// Parses `text`, expects a ConfigError whose message contains every part, and returns it.
inline std::string expect_config_error(const std::string& text,
                                       std::initializer_list<std::string> parts) {
    try {
        parse_config_text(text);
    } catch (const ConfigError& e) {
        std::string message = e.what();
        for (const auto& part : parts) {
            EXPECT_NE(message.find(part), std::string::npos)
                << "message: " << message << "\nmissing: " << part;
        }
        return message;
    }
    ADD_FAILURE() << "no ConfigError for:\n" << text;
    return {};
}

// A fresh directory under the test temp dir, removed with everything in it on destruction.
class TempDir {
  public:
    TempDir() {
        std::string pattern = (std::filesystem::path(::testing::TempDir()) / "akasa-config-XXXXXX");
        if (char* made = ::mkdtemp(pattern.data())) path_ = made;
    }
    ~TempDir() {
        std::error_code ignored;
        if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    // Writes `content` to `name` inside the directory and returns its path.
    std::string write(const std::string& name, const std::string& content) const {
        std::filesystem::path file = path_ / name;
        std::ofstream(file) << content;
        return file.string();
    }
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace akasa::config::testing_util
