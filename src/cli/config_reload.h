// SIGHUP: the config file read again and put in force as far as a running server can take
// it (docs/configuration.md, "Reloading with SIGHUP"), with one log line per changed key.
//
//   ConfigReloader reloader(config_path, broker, rust_log_level);
//   ...on SIGHUP (main thread): reloader.reload();
#pragma once

#include <optional>
#include <string>

#include "broker/broker.h"

namespace akasa::cli {

class ConfigReloader {
  public:
    // `level_override`: the level RUST_LOG names, which wins over log_level (start.cpp).
    ConfigReloader(std::string config_path, broker::Broker& broker,
                   std::optional<std::string> level_override);

    // Reads the file with the loader of `akasa start`. A file that does not load, a log
    // destination that cannot be opened, or a file the config names that cannot be read
    // (Broker::reload) changes nothing, and the error says why. Otherwise every changed key
    // that can change at run time is applied ("SIGHUP: applied max_packet_size_server: 1000
    // -> 2000"), and every other one is named in a warning ("SIGHUP: restart needed for
    // listeners.mqtt.addr ...") and keeps its running value.
    void reload();

  private:
    std::string config_path_;
    broker::Broker& broker_;
    std::optional<std::string> level_override_;
};

}  // namespace akasa::cli
