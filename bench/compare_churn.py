"""bench/compare's `churn` scenario (issue 18, item 5): `akasa-bench churn` against a fresh
broker, one run per broker, for the memory a broker keeps for the sessions of clients that
come and go (one in three keeps its session and comes back later).

akasa-bench samples the broker's RSS and store size every --churn-sample seconds and checks
that every returning client got each message queued for it, in order. The verdict "RSS flat":
of the samples taken from the warm-up (default twice --churn-offline: by then every client
away has been replaced once) to the end of the new clients (not the last one, taken after
every return), split in two halves by count,
the largest RSS of the second half is at most RSS_FLAT times the largest of the first half.
A broker whose memory grows with the churn's age fails it; one that levelled off passes.

The pure parts (akasa-bench's arguments, the verdict, the tables) are plain functions, tested
by tests/integration/test_bench_compare.py; the run goes through a `measure` callable.
"""

from compare_format import fmt, median

RSS_FLAT = 1.2  # the second half's largest RSS over the first half's, at most
MIB = 1048576
# Sampling runs every 50 ms and reads the store's size: a sample due at the end of the new
# clients can be taken a little after it and still belongs to the churn, not to the returns.
END_TOLERANCE_S = 1.0

# (option of bench/compare without --churn-, akasa-bench option, default, what it sets)
OPTIONS = [
    ("duration", "--duration", 600.0, "seconds new clients arrive (then the returns finish)"),
    ("sample", "--sample", 30.0, "seconds between samples of the broker's RSS and store"),
    ("offline", "--offline", 40.0, "seconds a persistent client stays away"),
    ("clients-per-s", "--clients-per-s", 20.0, "new client ids per second"),
    ("feed-rate", "--feed-rate", 100.0, "numbered QoS 1 feed messages per second"),
    ("persistent-every", "--persistent-every", 3, "every Nth new client keeps its session"),
]


def attribute(option):
    """The argparse attribute of --churn-OPTION."""
    return "churn_" + option.replace("-", "_")


def check_options(args):
    """ValueError naming the option when a value cannot make a churn with a verdict."""
    for option, _, _, _ in OPTIONS:
        value = getattr(args, attribute(option))
        if option == "persistent-every":
            if value < 1:
                raise ValueError(f"--churn-persistent-every: {value} is not a positive "
                                 "number (no persistent client would come back)")
        elif option == "offline":
            if value < 0:
                raise ValueError(f"--churn-offline: {fmt(value)} is negative")
        elif not value > 0:
            raise ValueError(f"--churn-{option}: {fmt(value)} is not a positive number")
    warmup = warmup_s(args)
    if warmup < 0:
        raise ValueError(f"--churn-warmup: {fmt(warmup)} is negative")
    if warmup >= args.churn_duration:
        raise ValueError(f"--churn-warmup: {fmt(warmup)} s leaves no samples before the end "
                         f"of --churn-duration {fmt(args.churn_duration)} s for the RSS verdict "
                         "(lower --churn-warmup, or --churn-offline whose double is its default)")


def warmup_s(args):
    """--churn-warmup, or twice --churn-offline when not given."""
    return 2 * args.churn_offline if args.churn_warmup is None else args.churn_warmup


def tool_args(args):
    """akasa-bench's arguments (the port, --broker-pid and --store-dir are the runner's)."""
    command = ["churn"]
    for option, tool_option, _, _ in OPTIONS:
        command += [tool_option, f"{getattr(args, attribute(option)):g}"]
    return command


def steady_samples(samples, warmup, duration):
    """akasa-bench's samples ({"t", "rss_bytes", ...}) of the churn's steady state: from
    warmup to duration, with an RSS (0: the broker was not measured). The last sample is left
    out: akasa-bench takes it once every return is done, after the churn."""
    return [s for s in samples[:-1]
            if warmup <= s["t"] <= duration + END_TOLERANCE_S and s.get("rss_bytes")]


def rss_flat(samples, warmup, duration, threshold=RSS_FLAT):
    """The verdict on the steady_samples, split in halves by count (an odd middle one goes
    to the second). Returns a dict: flat (None when fewer than two samples qualify), the
    halves' largest RSS in bytes, their ratio and the samples used."""
    used = steady_samples(samples, warmup, duration)
    verdict = {"threshold": threshold, "warmup_s": warmup, "samples_used": len(used),
               "first_half_max_bytes": None, "second_half_max_bytes": None, "ratio": None,
               "flat": None}
    if len(used) < 2:
        return verdict
    half = len(used) // 2
    first = max(s["rss_bytes"] for s in used[:half])
    second = max(s["rss_bytes"] for s in used[half:])
    ratio = second / first
    verdict.update(first_half_max_bytes=first, second_half_max_bytes=second, ratio=ratio,
                   flat=ratio <= threshold)
    return verdict


def check_failures(result):
    """What akasa-bench's check found wrong in a finished run: missing and out-of-order
    messages and failed clients; empty when every returning client got everything in order."""
    failures = [f"{result[key]} {label}" for key, label in
                (("missing", "missing"), ("out_of_order", "out of order"),
                 ("errors", "client error(s)")) if result.get(key)]
    if failures and result.get("first_error"):
        failures.append(f"first error: {result['first_error']}")
    return failures


def summarize(result, warmup, duration):
    """Adds "summary" to a run's result: RSS and store figures in MiB and the verdict. The
    store's figure is None for a broker without one (no "store_dir" in the result)."""
    samples = result.get("samples") or []
    rss = [s["rss_bytes"] / MIB for s in samples if s.get("rss_bytes")]
    steady = [s["rss_bytes"] / MIB for s in steady_samples(samples, warmup, duration)]
    store = [s["store_bytes"] / MIB for s in samples]
    verdict = rss_flat(samples, warmup, duration)
    result["summary"] = {
        "rss_start_mib": rss[0] if rss else None,
        "rss_median_steady_mib": median(steady),
        "rss_max_mib": max(rss) if rss else None,
        "rss_end_mib": rss[-1] if rss else None,
        "store_max_mib": max(store) if store and result.get("store_dir") else None,
        "verdict": verdict,
        "check_failures": check_failures(result) if result.get("ok") else [],
    }


def mib(value_bytes):
    return None if value_bytes is None else value_bytes / MIB


# Rows of the summary table: (label, summary or result key, where).
SUMMARY_ROWS = [
    ("RSS MiB at start", "rss_start_mib", "summary"),
    ("RSS MiB median, warm-up to end of churn", "rss_median_steady_mib", "summary"),
    ("RSS MiB max", "rss_max_mib", "summary"),
    ("RSS MiB at the end (returns done)", "rss_end_mib", "summary"),
    ("store MiB max", "store_max_mib", "summary"),
    ("clients", "clients", "result"),
    ("returns", "returned", "result"),
    ("feed messages checked", "checked", "result"),
    ("missing", "missing", "result"),
    ("out of order", "out_of_order", "result"),
    ("redelivered (DUP)", "redelivered", "result"),
    ("client errors", "errors", "result"),
]


def verdict_text(result):
    """"RSS flat (...)", "RSS NOT flat (...)", "n/a (...)" or the run's failure."""
    if not result.get("ok"):
        return "run FAILED: " + result.get("error", "")[:200]
    verdict = result["summary"]["verdict"]
    if verdict["flat"] is None:
        return (f"n/a ({verdict['samples_used']} sample(s) after the warm-up of "
                f"{fmt(verdict['warmup_s'])} s: too few)")
    halves = (f"max {fmt(mib(verdict['first_half_max_bytes']))} -> "
              f"{fmt(mib(verdict['second_half_max_bytes']))} MiB, "
              f"{verdict['ratio']:.2f}x over {verdict['samples_used']} samples")
    return ("RSS flat (" if verdict["flat"] else "RSS NOT flat (") + halves + ")"


def format_report(runs, brokers, configs, args):
    """The churn's report: a summary table (a column per broker), the verdict and check lines,
    then each broker's samples. runs: broker -> result (with "summary"); configs: broker ->
    what its queues and store were configured as."""
    warmup = warmup_s(args)
    lines = [f"churn: {fmt(args.churn_duration)} s of new clients at "
             f"{fmt(args.churn_clients_per_s)}/s, one in {args.churn_persistent_every} keeps "
             f"its session and comes back {fmt(args.churn_offline)} s later; feed "
             f"{fmt(args.churn_feed_rate)} msg/s QoS 1; a sample every "
             f"{fmt(args.churn_sample)} s; one run per broker",
             "| metric | " + " | ".join(brokers) + " |", "|" + "---|" * (len(brokers) + 1),
             "| config | " + " | ".join(configs[b] for b in brokers) + " |"]
    for label, key, where in SUMMARY_ROWS:
        values = []
        for broker in brokers:
            run = runs[broker]
            source = run.get("summary", {}) if where == "summary" else run
            values.append(fmt(source.get(key)) if run.get("ok") else "n/a")
        lines.append(f"| {label} | " + " | ".join(values) + " |")
    lines.append(f"verdict (largest RSS of the samples after the {fmt(warmup)} s warm-up, "
                 f"second half <= {RSS_FLAT}x first half): " +
                 "; ".join(f"{b} {verdict_text(runs[b])}" for b in brokers))
    checks = []
    for broker in brokers:
        failures = runs[broker].get("summary", {}).get("check_failures", [])
        if runs[broker].get("ok"):
            checks.append(f"{broker} " + ("FAILED: " + ", ".join(failures) if failures else
                                          "every return got everything, in order"))
    if checks:
        lines.append("check: " + "; ".join(checks))
    for broker in brokers:
        samples = runs[broker].get("samples") or []
        if not samples:
            continue
        lines += ["", f"churn samples, {broker}:",
                  "| t s | RSS MiB | store MiB | clients | returned | away | feed acknowledged |",
                  "|---|---|---|---|---|---|---|"]
        has_store = runs[broker].get("store_dir") is not None
        for s in samples:
            store = fmt(s["store_bytes"] / MIB) if has_store else "n/a"
            lines.append(f"| {s['t']:.1f} | {fmt(s['rss_bytes'] / MIB)} | {store} | "
                         f"{fmt(s['clients'])} | "
                         f"{fmt(s['returned'])} | {fmt(s['away'])} | {fmt(s['fed'])} |")
    return lines


def run_churn(brokers, args, measure, log):
    """One churn per broker. measure(broker, tool_args) returns akasa-bench's JSON result
    (with "ok"); returns broker -> result with its summary."""
    runs = {}
    for broker in brokers:
        log(f"[churn] {broker}: {fmt(args.churn_duration)} s of new clients, then the returns")
        result = measure(broker, tool_args(args))
        summarize(result, warmup_s(args), args.churn_duration)
        runs[broker] = result
        failures = result["summary"]["check_failures"]
        log(f"[churn] {broker}: {verdict_text(result)}" +
            (f"; check FAILED: {', '.join(failures)}" if failures else ""))
    return runs


def failed(runs):
    """Whether a run failed or its check found a message missing, out of order, or an error."""
    return any(not r.get("ok") or r["summary"]["check_failures"] for r in runs.values())
