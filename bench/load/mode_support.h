// What both modes need before they start: option checks shared by both, worker settings
// from the common options, and latency summaries from histograms.
#pragma once

#include <string>

#include "latency_histogram.h"
#include "options.h"
#include "report.h"
#include "worker.h"

namespace akasa::bench {

// An empty string when the common options are usable, else what is wrong with them.
std::string check_common_options(const CommonOptions& common);

// Resolves the broker (throws std::runtime_error with a clear message).
WorkerSettings make_worker_settings(const CommonOptions& common);

std::string client_id_prefix(const CommonOptions& common);

LatencySummary summarize(const LatencyHistogram& histogram);

}  // namespace akasa::bench
