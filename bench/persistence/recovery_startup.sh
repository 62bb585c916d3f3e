#!/bin/bash
# Start-up recovery of the store benchmark's data set by the real binary
# (docs/benchmarks.md, "Recovery"). Usage:
#   bench/persistence/recovery_startup.sh BINARY [perf]
# The data set (1M retained messages, 100k sessions) is built by
# `akasa_microbench --benchmark_filter=StoreRecovery` in $AKASA_STORE_BENCH_DIR
# (default /tmp/akasa-store-bench). Each run recovers a fresh copy of it with
# `worker_threads: 2`, waits until the listener accepts, and prints the recovery log lines,
# the time from process start to listening, the resident size and the CPU time used.
# With `perf`, records a profile (DWARF call graphs) to $WORK/perf.data and SIGKILLs the
# broker once it listens, so the profile holds the start-up only.
set -euo pipefail
BIN=$1
MODE=${2:-}
SRC=${AKASA_STORE_BENCH_DIR:-/tmp/akasa-store-bench}
WORK=${WORK:-/tmp/akasa-recovery-bench}
[ -f "$SRC/CURRENT" ] || { echo "no data set in $SRC: run akasa_microbench first" >&2; exit 1; }
rm -rf "$WORK" && mkdir -p "$WORK" && cp -r "$SRC" "$WORK/store" && rm -f "$WORK/store/.complete"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$WORK/akasa.yaml" <<YAML
listeners:
  mqtt:
    addr: 127.0.0.1:$PORT
auth:
  enable: false
worker_threads: 2
persistence:
  enable: true
  dir: $WORK/store
YAML
start=$(date +%s.%N)
if [ "$MODE" = perf ]; then
    perf record -F 499 --call-graph dwarf,16384 -o "$WORK/perf.data" -- \
        "$BIN" start --config "$WORK/akasa.yaml" > "$WORK/log" 2>&1 &
else
    "$BIN" start --config "$WORK/akasa.yaml" > "$WORK/log" 2>&1 &
fi
PID=$!
until (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; do sleep 0.02; done
end=$(date +%s.%N)
APID=$(pgrep -P $PID akasa || echo $PID)
grep -E "recovery passes|persistence: recovered" "$WORK/log" | sed 's/^.*\] //'
echo "listening after $(echo "$end - $start" | bc) s"
grep VmRSS /proc/$APID/status
echo "CPU s (user+sys, all threads): $(awk '{print ($14 + $15) / 100}' /proc/$APID/stat)"
uptime
if [ "$MODE" = perf ]; then kill -KILL $APID; else kill -TERM $APID; fi
wait $PID || true
