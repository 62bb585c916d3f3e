#!/bin/bash
# Scenario b (pairs 100 -> 100, QoS 1, 10 in flight) with persistence off and on (sync: none),
# alternated for 3 rounds (ROUNDS=n to change), broker pinned to core 0 and akasa-bench to
# core 1 like bench/compare.
#   bench/persistence/persistence_ab.sh                       # clean sessions (scenario b)
#   bench/persistence/persistence_ab.sh --persistent-sessions # every in-flight message stored
#   bench/persistence/persistence_ab.sh --offline [--sessions 10 ...]
#       publishing to offline persistent sessions (offline_publish.py, options passed on)
# Other options go to akasa-bench. Prints one line per run. Results: docs/benchmarks.md
# ("Persistence on vs off").
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
AKASA=${AKASA:-$ROOT/build/akasa}
BENCH=${BENCH:-$ROOT/build/bench/akasa-bench}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
offline=false
if [ "${1:-}" = --offline ]; then
    offline=true
    shift
fi
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
for round in $(seq "${ROUNDS:-3}"); do
    for mode in off on; do
        rm -rf "$WORK/data"
        {
            printf 'listeners:\n  mqtt:\n    addr: 127.0.0.1:%s\nauth:\n  enable: false\n' "$PORT"
            printf 'worker_threads: 1\nlog_level: warn\nmax_in_mem_pending_messages: 1000000\n'
            printf 'max_in_db_pending_messages: 1000000\n'  # neither run drops
            if [ "$mode" = on ]; then
                printf 'persistence:\n  enable: true\n  dir: %s/data\n  sync: none\n' "$WORK"
            fi
        } > "$WORK/akasa.yaml"
        taskset -c 0 "$AKASA" start --config "$WORK/akasa.yaml" > "$WORK/akasa.log" 2>&1 &
        pid=$!
        sleep 1.5
        if $offline; then
            result=$(taskset -c 1 /usr/bin/python3 "$ROOT/bench/persistence/offline_publish.py" \
                "$PORT" --broker-pid "$pid" "$@")
            rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
            echo "round $round persistence $mode $result rss_mb $((rss_kb / 1024))"
            kill "$pid"
            wait "$pid" || true
            continue
        fi
        taskset -c 1 "$BENCH" pubsub -p "$PORT" -l pairs -P 100 -S 100 -q 1 --max-inflight 10 \
            --warmup 2 -d 10 --drain 5 --json --broker-pid "$pid" "$@" |
            /usr/bin/python3 -c "import json,sys; d=json.loads(sys.stdin.read()); print('round $round persistence $mode', 'delivered/s', d['delivered_per_s'], 'lost', d['lost'], 'gaps', d['gaps'], 'p99_us', d['latency_p99_us'], 'broker_cpu%', d['broker_cpu_percent'], 'per_cpu_s', round(d['delivered_per_s'] / (d['broker_cpu_percent'] / 100)) if d['broker_cpu_percent'] else None, d['error'])"
        kill "$pid"
        wait "$pid" || true
    done
done
