// RocksDB's diagnostics go to the broker's log instead of a `LOG` file in the store
// directory. On a full disk that file fails like any other, and RocksDB 7.8 asserts (aborts,
// in Debian's build) when it writes to a log file that has failed before; the broker must
// instead refuse the work it cannot store and keep running (docs/persistence.md, "Full
// disk"). Warnings and errors only, prefixed with the store directory.
#pragma once

#include <rocksdb/env.h>

#include <memory>
#include <string>

namespace akasa::store {

std::shared_ptr<rocksdb::Logger> make_rocksdb_logger(std::string dir);

}  // namespace akasa::store
