"""bench/compare's `overload` scenario (issue 18): a sweep of offered load from below a layout's
capacity to twice it, with publishers at fixed rates (a flood hides overload: the publishers
block and nothing is ever offered beyond what the broker takes).

For each sweep (a layout at a QoS) the capacity is known first: given with --capacity, or the
delivered/s of one unbounded run of the first broker of --brokers. Each step offers a
percentage of it, the same offered rate to every broker, --rounds times A B A B. A broker
passes the criterion when, past saturation, it still delivers at least 0.9x the best rate it
reached at any lower offered load (a broker that collapses under overload fails it).

The pure parts (steps and rates, ratios, the table, the gnuplot script) are plain functions,
tested by tests/integration/test_bench_compare.py; the runs go through a `measure` callable.
"""

import os
import shutil
import subprocess

from compare_format import fmt, fmt_ratio, median

# layout -> (description, akasa-bench arguments, publishers, deliveries per publish)
LAYOUTS = {
    "fanout": ("fan-out 1->500", ["--layout", "fanout", "-P", "1", "-S", "500"], 1, 500),
    "pairs": ("pairs 100->100", ["--layout", "pairs", "-P", "100", "-S", "100"], 100, 1),
    "fanin": ("fan-in 500->1 (t/#)", ["--layout", "fanin", "-P", "500", "-S", "1"], 500, 1),
}
# QoS 1 with the window of scenario b: 10 unacknowledged publishes per publisher.
QOS_ARGS = {0: ["--qos", "0"], 1: ["--qos", "1", "--max-inflight", "10"]}
DEFAULT_STEPS = [25, 50, 75, 100, 125, 150, 200]
CRITERION = 0.9  # delivered at a step / best delivered at any lower step, at least


class Sweep:
    """One layout at one QoS: its akasa-bench arguments and how a rate becomes deliveries."""

    def __init__(self, layout, qos):
        self.layout, self.qos = layout, qos
        description, self.layout_args, self.publishers, self.per_publish = LAYOUTS[layout]
        self.name = f"{layout}-q{qos}"
        self.description = f"{description} QoS {qos}"

    def tool_args(self, rate=None):
        """akasa-bench arguments; rate None: publishers as fast as the sockets take."""
        args = ["pubsub", *self.layout_args, "--payload", "64", *QOS_ARGS[self.qos]]
        return args + (["--rate", f"{rate:.6g}"] if rate is not None else [])

    def rate_per_publisher(self, offered_per_s):
        """The --rate that offers offered_per_s deliveries per second in total."""
        return offered_per_s / (self.publishers * self.per_publish)


def parse_list(text, option, convert, allowed=None):
    """Comma-separated values of an option; ValueError naming the option and the bad item."""
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise ValueError(f"{option} is empty")
    values = []
    for item in items:
        try:
            value = convert(item)
        except ValueError:
            raise ValueError(f"{option}: '{item}' is not a valid value") from None
        if allowed is not None and value not in allowed:
            raise ValueError(f"{option}: '{item}' is not one of "
                             f"{', '.join(str(a) for a in allowed)}")
        if value in values:
            raise ValueError(f"{option} lists '{item}' twice")
        values.append(value)
    return values


def parse_steps(text):
    """--overload-steps: percentages of capacity, positive, returned lowest first."""
    steps = parse_list(text, "--overload-steps", float)
    bad = [s for s in steps if not s > 0]
    if bad:
        raise ValueError(f"--overload-steps: {fmt(bad[0])} is not a positive percentage")
    return sorted(steps)


def make_sweeps(layouts_text, qos_text):
    """The sweeps of --overload-layouts x --overload-qos, QoS first (the plot's rows)."""
    layouts = parse_list(layouts_text, "--overload-layouts", str, list(LAYOUTS))
    qos_levels = parse_list(qos_text, "--overload-qos", int, list(QOS_ARGS))
    return [Sweep(layout, qos) for qos in qos_levels for layout in layouts]


def parse_capacities(values, sweeps):
    """--capacity N (every sweep) or SWEEP=N (one, e.g. fanout-q0=1500000), repeatable:
    delivered/s. Returns {sweep name: N}; sweeps not named are measured."""
    names = [s.name for s in sweeps]
    given = {}
    for value in values:
        name, _, number = value.rpartition("=")
        if name and name not in names:
            raise ValueError(f"--capacity {value}: no sweep '{name}' in this run "
                             f"(sweeps: {', '.join(names)})")
        try:
            capacity = float(number)
        except ValueError:
            capacity = 0
        if not capacity > 0:
            raise ValueError(f"--capacity {value}: '{number}' is not a positive delivered/s")
        for target in [name] if name else names:
            given[target] = capacity
    return given


def offered_steps(sweep, capacity, percents):
    """Per step: (percent of capacity, offered deliveries/s, --rate per publisher)."""
    steps = []
    for percent in percents:
        offered = capacity * percent / 100
        steps.append((percent, offered, sweep.rate_per_publisher(offered)))
    return steps


def ratios_to_best_lower(delivered):
    """For each step, delivered there / the best delivered at any lower step (None for the
    first step, or where a value is missing or no lower step delivered anything)."""
    ratios, best = [], None
    for value in delivered:
        ratios.append(value / best if value is not None and best else None)
        if value is not None and (best is None or value > best):
            best = value
    return ratios


def criterion_failures(percents, ratios, threshold=CRITERION):
    """The steps (percent, ratio) where the ratio falls under the threshold."""
    return [(p, r) for p, r in zip(percents, ratios) if r is not None and r < threshold]


def summarize(sweep_result, brokers):
    """Medians per step and broker, the ratio to the best lower step and the criterion."""
    percents = [step["percent"] for step in sweep_result["steps"]]
    summary, criterion = {}, {}
    for broker in brokers:
        rows = []
        for step in sweep_result["steps"]:
            runs = [r for r in step["runs"][broker] if r.get("ok")]
            rows.append({key: median([r.get(key) for r in runs]) for key in
                         ("delivered_per_s", "sent_per_s", "latency_p99_us", "lost")})
        ratios = ratios_to_best_lower([row["delivered_per_s"] for row in rows])
        for row, ratio in zip(rows, ratios):
            row["ratio_to_best_lower"] = ratio
        failures = criterion_failures(percents, ratios)
        summary[broker] = rows
        criterion[broker] = {"threshold": CRITERION, "met": not failures,
                             "failures": [{"percent": p, "ratio": r} for p, r in failures]}
    sweep_result["summary"] = summary
    sweep_result["criterion"] = criterion


def run_sweep(sweep, brokers, rounds, percents, given_capacity, measure, log):
    """Capacity (given or measured), then every step --rounds times A B A B.
    measure(broker, tool_args) returns akasa-bench's JSON result (with "ok")."""
    result = {"name": sweep.name, "description": sweep.description, "steps": [],
              "capacity_run": None}
    if given_capacity is not None:
        result.update(capacity_per_s=given_capacity, capacity_source="given (--capacity)")
    else:
        run = measure(brokers[0], sweep.tool_args())
        result["capacity_run"] = run
        capacity = run.get("delivered_per_s") if run.get("ok") else None
        if not capacity:
            result.update(capacity_per_s=None, capacity_source=f"{brokers[0]}, unbounded run",
                          error=run.get("error", "the unbounded run delivered nothing"))
            log(f"[overload {sweep.name}] capacity run FAILED: {result['error']}")
            return result
        result.update(capacity_per_s=capacity, capacity_source=f"{brokers[0]}, unbounded run")
    log(f"[overload {sweep.name}] capacity {fmt(result['capacity_per_s'])} delivered/s "
        f"({result['capacity_source']})")
    for percent, offered, rate in offered_steps(sweep, result["capacity_per_s"], percents):
        step = {"percent": percent, "offered_per_s": offered, "rate_per_publisher": rate,
                "runs": {b: [] for b in brokers}}
        result["steps"].append(step)
        for round_number in range(1, rounds + 1):
            for broker in brokers:
                run = measure(broker, sweep.tool_args(rate))
                step["runs"][broker].append(run)
                status = (f"delivered/s {fmt(run.get('delivered_per_s'))}, p99 us "
                          f"{fmt(run.get('latency_p99_us'))}, lost {fmt(run.get('lost'))}"
                          if run.get("ok") else "FAILED: " + run.get("error", ""))
                log(f"[overload {sweep.name} {fmt(percent)} % round {round_number}] "
                    f"{broker}: {status}")
    summarize(result, brokers)
    return result


def format_sweep(sweep_result, brokers):
    """The markdown-ish table of one sweep and the criterion line under it."""
    lines = [f"overload {sweep_result['name']}: {sweep_result['description']}; capacity "
             f"{fmt(sweep_result['capacity_per_s'])} delivered/s "
             f"({sweep_result['capacity_source']})"]
    if "summary" not in sweep_result:
        lines.append(f"not run: {sweep_result.get('error', '')[:200]}")
        return lines
    header = ["offered/s", "% of capacity"]
    for broker in brokers:
        header += [f"{broker} delivered/s", f"{broker} p99 us", f"{broker} lost",
                   f"{broker} / best lower"]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for index, step in enumerate(sweep_result["steps"]):
        row = [fmt(step["offered_per_s"]), fmt(step["percent"])]
        for broker in brokers:
            values = sweep_result["summary"][broker][index]
            row += [fmt(values["delivered_per_s"]), fmt(values["latency_p99_us"]),
                    fmt(values["lost"]), fmt_ratio(values["ratio_to_best_lower"])]
        lines.append("| " + " | ".join(row) + " |")
    verdicts = []
    for broker in brokers:
        criterion = sweep_result["criterion"][broker]
        if criterion["met"]:
            verdicts.append(f"{broker} met")
        else:
            worst = min(criterion["failures"], key=lambda f: f["ratio"])
            verdicts.append(f"{broker} NOT met ({len(criterion['failures'])} step(s), worst "
                            f"{fmt_ratio(worst['ratio'])} at {fmt(worst['percent'])} %)")
        failed = sum(1 for step in sweep_result["steps"] for r in step["runs"][broker]
                     if not r.get("ok"))
        if failed:
            verdicts[-1] += f", {failed} run(s) failed"
    lines.append(f"criterion (delivered >= {CRITERION}x the best at any lower step): "
                 + "; ".join(verdicts))
    return lines


def plot_data(sweep_result, brokers):
    """The data file of one panel: offered/s, then delivered/s per broker (NaN: no value)."""
    lines = ["# offered/s " + " ".join(f"{b}_delivered/s" for b in brokers)]
    for index, step in enumerate(sweep_result["steps"]):
        values = [sweep_result["summary"][b][index]["delivered_per_s"] for b in brokers]
        lines.append(" ".join([f"{step['offered_per_s']:.1f}"] +
                              ["NaN" if v is None else f"{v:.1f}" for v in values]))
    return "\n".join(lines) + "\n"


def gnuplot_script(panels, brokers, rows, columns, output_name):
    """A gnuplot script drawing one panel per sweep: delivered/s against offered/s, a line per
    broker, the diagonal where everything offered is delivered, and the capacity. panels:
    (title, data file name, capacity, highest offered/s) or None for an empty cell. File names
    are plain names relative to gnuplot's working directory (no quoting of arbitrary paths)."""
    lines = [f"set terminal pngcairo size {520 * columns},{400 * rows} font ',10'",
             f"set output '{output_name}'",
             f"set multiplot layout {rows},{columns} title 'bench/compare overload: "
             "delivered/s against offered/s (median of the rounds)'",
             "set key top left", "set grid", "set format x '%.1s%c'",
             "set format y '%.1s%c'", "set xlabel 'offered/s'", "set ylabel 'delivered/s'",
             "set yrange [0:*]"]
    for panel in panels:
        if panel is None:
            lines.append("set multiplot next")
            continue
        title, data_name, capacity, highest = panel
        # The x range holds the capacity line even when every step stays below it.
        lines += [f"set title '{title}'", f"set xrange [0:{1.05 * max(capacity, highest):.1f}]",
                  f"set arrow 1 from {capacity:.1f}, graph 0 to {capacity:.1f}, graph 1 nohead "
                  "dashtype 3 linewidth 1.5 linecolor 'dark-red'",
                  f"set label 1 'capacity' at {capacity:.1f}, graph 0.05 left offset 0.5,0 "
                  "textcolor 'dark-red'"]
        plots = [f"'{data_name}' using 1:{column} with linespoints pointtype 7 title '{broker}'"
                 for column, broker in enumerate(brokers, start=2)]
        plots.append("x with lines dashtype 2 linecolor 'gray60' title 'delivered = offered'")
        lines.append("plot " + ", ".join(plots))
    lines.append("unset multiplot")
    return "\n".join(lines) + "\n"


def panel_title(sweep_result):
    # gnuplot's single-quoted strings end at a quote: the descriptions contain none.
    return (f"{sweep_result['description']}, capacity {fmt(sweep_result['capacity_per_s'])}/s"
            .replace("'", ""))


def write_plot(sweep_results, sweeps, brokers, png_path, workdir):
    """One PNG at png_path, QoS levels in rows and layouts in columns. Raises RuntimeError
    with gnuplot's message when it fails."""
    layouts = list(dict.fromkeys(s.layout for s in sweeps))
    qos_levels = list(dict.fromkeys(s.qos for s in sweeps))
    by_cell = {(r["sweep"].qos, r["sweep"].layout): r["result"] for r in sweep_results}
    panels = []
    for qos in qos_levels:
        for layout in layouts:
            result = by_cell.get((qos, layout))
            if result is None or "summary" not in result:
                panels.append(None)
                continue
            data_name = f"overload-{result['name']}.dat"
            with open(os.path.join(workdir, data_name), "w") as f:
                f.write(plot_data(result, brokers))
            highest = max(step["offered_per_s"] for step in result["steps"])
            panels.append((panel_title(result), data_name, result["capacity_per_s"], highest))
    script = gnuplot_script(panels, brokers, len(qos_levels), len(layouts), "overload.png")
    with open(os.path.join(workdir, "overload.gnuplot"), "w") as f:
        f.write(script)
    done = subprocess.run(["gnuplot", "overload.gnuplot"], cwd=workdir, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise RuntimeError(f"gnuplot failed: {done.stderr.strip()[-400:]}")
    shutil.copyfile(os.path.join(workdir, "overload.png"), png_path)
