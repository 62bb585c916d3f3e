// The three modes of akasa-bench. Each validates its options, runs, prints its report and
// returns the exit status: 0 on a completed run, 1 when a connection failed or the broker
// misbehaved (the report says why), 2 for invalid options.
#pragma once

#include "options.h"

namespace akasa::bench {

int run_conn(const CommonOptions& common, const ConnOptions& options);
int run_pubsub(const CommonOptions& common, const PubSubOptions& options);
int run_churn(const CommonOptions& common, const ChurnOptions& options);

}  // namespace akasa::bench
