"""bench/compare's overload sweep, its churn and its persistence setting: the offered rates of
each step, the 0.9x criterion (delivered at a step against the best at any lower step), the
table, the gnuplot plot, the churn's arguments, "RSS flat" verdict and report, what the config
of an akasa run does with the store and the queues (--persistence, --akasa-set SECTION.KEY,
the churn), and a tiny end-to-end sweep and churn against akasa and mosquitto (no figure is
asserted: the machine is shared, only that every run completed and was reported)."""

import argparse
import contextlib
import importlib.machinery
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest

from akasa_harness import BINARY, REPO
from package_support import require_tool

BENCH_DIR = os.path.join(REPO, "bench")
sys.path.insert(0, BENCH_DIR)

import compare_churn as churn  # noqa: E402 (found through BENCH_DIR)
import compare_overload as overload  # noqa: E402


def load_compare():
    """bench/compare is a script without a .py suffix: loaded by path, main() not run."""
    loader = importlib.machinery.SourceFileLoader("bench_compare",
                                                  os.path.join(BENCH_DIR, "compare"))
    spec = importlib.util.spec_from_loader("bench_compare", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


compare = load_compare()
BENCH_TOOL = os.path.join(os.path.dirname(BINARY), "bench", "akasa-bench")


def run_result(delivered, ok=True):
    return {"ok": ok, "delivered_per_s": delivered, "sent_per_s": delivered,
            "latency_p99_us": 1000.0, "lost": 0}


def sweep_result(delivered_per_step_and_broker, brokers):
    """A finished sweep's result as run_sweep builds it, with the given runs per step."""
    steps = []
    for index, runs in enumerate(delivered_per_step_and_broker):
        percent = 50 * (index + 1)
        steps.append({"percent": percent, "offered_per_s": 10000.0 * percent,
                      "rate_per_publisher": 100.0 * percent,
                      "runs": {b: [run_result(v) if v is not None else
                                   {"ok": False, "error": "refused"} for v in runs[b]]
                               for b in brokers}})
    result = {"name": "pairs-q0", "description": "pairs 100->100 QoS 0",
              "capacity_per_s": 1000000.0, "capacity_source": "given (--capacity)",
              "capacity_run": None, "steps": steps}
    overload.summarize(result, brokers)
    return result


class StepsTest(unittest.TestCase):
    def test_offered_rates_per_layout(self):
        steps = overload.parse_steps("200,25,100")
        self.assertEqual(steps, [25, 100, 200])
        # deliveries per step = capacity x percent; --rate = that / (publishers x copies)
        expected_rate_at_100 = {"fanout": 1000000 / (1 * 500), "pairs": 1000000 / (100 * 1),
                                "fanin": 1000000 / (500 * 1)}
        for layout, rate in expected_rate_at_100.items():
            sweep = overload.Sweep(layout, 0)
            rows = overload.offered_steps(sweep, 1000000, steps)
            self.assertEqual([(p, o) for p, o, _ in rows],
                             [(25, 250000), (100, 1000000), (200, 2000000)])
            self.assertAlmostEqual(rows[1][2], rate)
            self.assertAlmostEqual(rows[2][2], 2 * rate)
            args = sweep.tool_args(rows[1][2])
            self.assertEqual(args[args.index("--rate") + 1], f"{rate:g}")
            self.assertNotIn("--rate", sweep.tool_args())

    def test_qos_1_keeps_the_window_of_scenario_b(self):
        args = overload.Sweep("pairs", 1).tool_args(100)
        self.assertEqual(args[args.index("--qos") + 1], "1")
        self.assertEqual(args[args.index("--max-inflight") + 1], "10")
        self.assertNotIn("--max-inflight", overload.Sweep("pairs", 0).tool_args(100))

    def test_sweeps_are_named_and_ordered_qos_first(self):
        sweeps = overload.make_sweeps("pairs,fanout", "1,0")
        self.assertEqual([s.name for s in sweeps],
                         ["pairs-q1", "fanout-q1", "pairs-q0", "fanout-q0"])

    def test_bad_options_name_the_option_and_the_value(self):
        for text, message in (("25,0", "0 is not a positive"), ("25,x", "'x' is not a valid"),
                              ("25,25", "twice"), (",", "is empty")):
            with self.assertRaisesRegex(ValueError, f"--overload-steps.*{message}"):
                overload.parse_steps(text)
        with self.assertRaisesRegex(ValueError, "--overload-layouts: 'star' is not one of"):
            overload.make_sweeps("pairs,star", "0")
        with self.assertRaisesRegex(ValueError, "--overload-qos: '2' is not one of"):
            overload.make_sweeps("pairs", "2")

    def test_capacities(self):
        sweeps = overload.make_sweeps("pairs,fanout", "0")
        self.assertEqual(overload.parse_capacities([], sweeps), {})
        self.assertEqual(overload.parse_capacities(["500000", "fanout-q0=2e6"], sweeps),
                         {"pairs-q0": 500000, "fanout-q0": 2000000})
        with self.assertRaisesRegex(ValueError, "no sweep 'fanin-q0' in this run"):
            overload.parse_capacities(["fanin-q0=1000"], sweeps)
        for bad in ("0", "-5", "pairs-q0=many"):
            with self.assertRaisesRegex(ValueError, "is not a positive delivered/s"):
                overload.parse_capacities([bad], sweeps)


class CriterionTest(unittest.TestCase):
    def test_ratio_is_to_the_best_of_all_lower_steps_not_the_previous_one(self):
        ratios = overload.ratios_to_best_lower([100, 200, 185, 170])
        self.assertIsNone(ratios[0])
        self.assertAlmostEqual(ratios[1], 2.0)
        self.assertAlmostEqual(ratios[2], 0.925)
        self.assertAlmostEqual(ratios[3], 0.85)  # 170/200, not 170/185 = 0.92
        self.assertEqual(overload.criterion_failures([25, 50, 75, 100], ratios), [(100, 0.85)])

    def test_missing_values_and_the_boundary(self):
        ratios = overload.ratios_to_best_lower([None, 100, None, 90, 0, 95])
        self.assertEqual(ratios[:4], [None, None, None, 0.9])
        self.assertEqual(ratios[4:], [0.0, 0.95])
        # exactly 0.9x meets the criterion; a step that delivered nothing does not
        self.assertEqual(overload.criterion_failures([1, 2, 3, 4, 5, 6], ratios), [(5, 0.0)])

    def test_summary_uses_medians_of_completed_runs_and_the_table_says_the_verdict(self):
        brokers = ["akasa", "mosquitto"]
        result = sweep_result([{"akasa": [100, 120, 110], "mosquitto": [50, 40, None]},
                               {"akasa": [210, 200, 190], "mosquitto": [30, None, 30]},
                               {"akasa": [195, 185, 180], "mosquitto": [90, 80, 10]}], brokers)
        akasa = [row["delivered_per_s"] for row in result["summary"]["akasa"]]
        mosquitto = [row["delivered_per_s"] for row in result["summary"]["mosquitto"]]
        self.assertEqual(akasa, [110, 200, 185])
        self.assertEqual(mosquitto, [45, 30, 80])
        self.assertTrue(result["criterion"]["akasa"]["met"])
        self.assertEqual(result["criterion"]["mosquitto"]["failures"],
                         [{"percent": 100, "ratio": 30 / 45}])
        text = "\n".join(overload.format_sweep(result, brokers))
        self.assertIn("| 1,000,000 | 100 | 200 | 1,000 | 0 | 1.82x | 30 |", text)
        self.assertIn("akasa met; mosquitto NOT met (1 step(s), worst 0.67x at 100 %), "
                      "2 run(s) failed", text)
        json.dumps(result)  # the JSON dump takes it as it is

    def test_plot_writes_a_png(self):
        require_tool(self, "gnuplot")
        brokers = ["akasa", "mosquitto"]
        sweeps = overload.make_sweeps("pairs,fanout", "0,1")
        result = sweep_result([{"akasa": [100], "mosquitto": [50]},
                               {"akasa": [200], "mosquitto": [None]}], brokers)
        # Three of the four cells: the missing one stays empty.
        results = [{"sweep": s, "result": dict(result, name=s.name)} for s in sweeps[:3]]
        with tempfile.TemporaryDirectory() as workdir:
            png = os.path.join(workdir, "out", "plot.png")
            os.mkdir(os.path.dirname(png))
            overload.write_plot(results, sweeps, brokers, png, workdir)
            with open(png, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
            with open(os.path.join(workdir, "overload-pairs-q0.dat")) as f:
                self.assertEqual(f.read().splitlines()[1:],
                                 ["500000.0 100.0 50.0", "1000000.0 200.0 NaN"])


MIB = 1048576


def churn_args(**given):
    """bench/compare's churn options as argparse makes them: the defaults, then given."""
    values = {churn.attribute(option): default for option, _, default, _ in churn.OPTIONS}
    values["churn_warmup"] = None
    values.update(given)
    return argparse.Namespace(**values)


def churn_sample(t, rss_mib, store_mib=0, returned=0):
    return {"t": t, "rss_bytes": int(rss_mib * MIB), "store_bytes": int(store_mib * MIB),
            "clients": int(t * 20), "returned": returned, "away": 5, "fed": int(t * 100)}


def churn_result(samples, **totals):
    """akasa-bench churn's JSON as bench/compare keeps it (ok, store_dir added)."""
    result = {"ok": True, "mode": "churn", "clients": 400, "returned": 133, "checked": 5000,
              "missing": 0, "out_of_order": 0, "redelivered": 2, "errors": 0,
              "store_dir": "/tmp/store", "samples": samples}
    result.update(totals)
    return result


class ChurnTest(unittest.TestCase):
    def test_tool_arguments_are_the_recorded_run_by_default(self):
        # docs/benchmarks.md's recorded churn: 600 s, --sample 30 --offline 40
        # --clients-per-s 20 --feed-rate 100 (every 3rd keeps its session).
        self.assertEqual(churn.tool_args(churn_args()),
                         ["churn", "--duration", "600", "--sample", "30", "--offline", "40",
                          "--clients-per-s", "20", "--feed-rate", "100",
                          "--persistent-every", "3"])
        args = churn.tool_args(churn_args(churn_duration=20.0, churn_offline=2.5))
        self.assertEqual(args[args.index("--duration") + 1], "20")
        self.assertEqual(args[args.index("--offline") + 1], "2.5")

    def test_warmup_defaults_to_twice_the_time_away(self):
        self.assertEqual(churn.warmup_s(churn_args()), 80)
        self.assertEqual(churn.warmup_s(churn_args(churn_warmup=0.0)), 0)

    def test_bad_options_name_the_option(self):
        for given, message in (({"churn_duration": 0.0}, "--churn-duration: 0 is not a positive"),
                               ({"churn_feed_rate": -1.0}, "--churn-feed-rate: -1 is not"),
                               ({"churn_offline": -1.0}, "--churn-offline: -1 is negative"),
                               ({"churn_persistent_every": 0}, "--churn-persistent-every: 0"),
                               ({"churn_warmup": -2.0}, "--churn-warmup: -2 is negative"),
                               ({"churn_duration": 60.0}, "--churn-warmup: 80 s leaves no "
                                                          "samples before the end")):
            with self.assertRaisesRegex(ValueError, message):
                churn.check_options(churn_args(**given))
        churn.check_options(churn_args())
        churn.check_options(churn_args(churn_duration=20.0, churn_offline=5.0))

    def test_rss_flat_compares_the_halves_after_the_warmup_up_to_1_2x(self):
        def verdict(second_half_max):
            samples = ([churn_sample(t, 50) for t in (0, 10)] +     # warm-up: left out
                       [churn_sample(t, 100) for t in (20, 30)] +
                       [churn_sample(40, 90), churn_sample(50, second_half_max),
                        churn_sample(60, 100)])
            return churn.rss_flat(samples + [churn_sample(61, 10)], 20, 60)

        flat = verdict(120)
        self.assertTrue(flat["flat"])  # exactly 1.2x is flat
        self.assertEqual(flat["samples_used"], 5)
        self.assertEqual(flat["first_half_max_bytes"], 100 * MIB)  # 20, 30; 40.. the second
        self.assertAlmostEqual(flat["ratio"], 1.2)
        grown = verdict(121)
        self.assertFalse(grown["flat"])
        self.assertEqual(grown["second_half_max_bytes"], 121 * MIB)

    def test_what_the_verdict_leaves_out(self):
        growing_in_warmup = [churn_sample(t, 300 if t < 30 else 100) for t in range(0, 70, 10)]
        # The warm-up's peak would make any later growth look flat: not counted.
        self.assertEqual(churn.rss_flat(growing_in_warmup, 30, 60)["first_half_max_bytes"],
                         100 * MIB)
        samples = [churn_sample(t, 100) for t in (30, 40, 50)]
        samples += [churn_sample(60.6, 100),   # due at the end, taken a little late: counted
                    churn_sample(75, 500),     # while the last ones come back: after the churn
                    churn_sample(40.5, 0),     # no RSS (broker not measured): not counted
                    churn_sample(90, 900)]     # the last one, after every return
        verdict = churn.rss_flat(samples, 30, 60)
        self.assertEqual(verdict["samples_used"], 4)
        self.assertTrue(verdict["flat"])
        too_few = churn.rss_flat([churn_sample(0, 10), churn_sample(40, 20),
                                  churn_sample(50, 30)], 35, 60)
        self.assertIsNone(too_few["flat"])
        self.assertEqual(too_few["samples_used"], 1)

    def test_report_tables_verdict_and_check(self):
        args = churn_args(churn_duration=60.0, churn_offline=10.0)
        flat = churn_result([churn_sample(t, rss, t / 10) for t, rss in
                             ((0, 10), (20, 50), (30, 55), (40, 58), (50, 60), (60, 61),
                              (62, 40))])
        grown = churn_result([churn_sample(t, rss) for t, rss in
                              ((0, 8), (20, 20), (30, 30), (40, 40), (50, 50), (60, 60),
                               (61, 60))],
                             missing=3, errors=1, first_error="client x: 3 of 9 never came",
                             store_dir=None)
        runs = {"akasa": flat, "mosquitto": grown,
                "akasa:2": {"ok": False, "error": "akasa:2 did not start: port taken"}}
        for result in runs.values():
            churn.summarize(result, churn.warmup_s(args), args.churn_duration)
        self.assertEqual(flat["summary"]["rss_median_steady_mib"], 58)  # 62 s: after it
        self.assertAlmostEqual(flat["summary"]["store_max_mib"], 6.2, places=5)
        self.assertIsNone(grown["summary"]["store_max_mib"])
        brokers = ["akasa", "mosquitto", "akasa:2"]
        lines = churn.format_report(runs, brokers, {"akasa": "persistence on", "mosquitto":
                                                    "persistence false", "akasa:2": "?"}, args)
        self.assertIn("| config | persistence on | persistence false | ? |", lines)
        self.assertIn("| RSS MiB at start | 10 | 8 | n/a |", lines)
        self.assertIn("| RSS MiB max | 61 | 60 | n/a |", lines)
        self.assertIn("| RSS MiB at the end (returns done) | 40 | 60 | n/a |", lines)
        self.assertIn("| store MiB max | 6.2 | n/a | n/a |", lines)
        self.assertIn("| missing | 0 | 3 | n/a |", lines)
        verdict = next(line for line in lines if line.startswith("verdict"))
        # akasa: 20, 30 | 40, 50, 60 -> 55 and 61 MiB; mosquitto 30 -> 60 MiB
        self.assertIn("after the 20 s warm-up, second half <= 1.2x first half): akasa RSS "
                      "flat (max 55 -> 61 MiB, 1.11x over 5 samples); mosquitto RSS NOT flat "
                      "(max 30 -> 60 MiB, 2.00x over 5 samples); akasa:2 run FAILED: akasa:2 "
                      "did not start: port taken", verdict)
        self.assertIn("check: akasa every return got everything, in order; mosquitto FAILED: "
                      "3 missing, 1 client error(s), first error: client x: 3 of 9 never came",
                      lines)
        self.assertIn("| 30.0 | 55 | 3 | 600 | 0 | 5 | 3,000 |", lines)
        self.assertIn("| 30.0 | 30 | n/a | 600 | 0 | 5 | 3,000 |", lines)
        self.assertTrue(churn.failed(runs))
        self.assertFalse(churn.failed({"akasa": flat}))
        self.assertTrue(churn.failed({"mosquitto": grown}))
        json.dumps(runs)  # the JSON dump takes them as they are


class PersistenceTest(unittest.TestCase):
    def runner_config(self, persistence="on", akasa_set=(), churn_run=False):
        args = argparse.Namespace(transport="tcp", keep_logs=False, akasa=BINARY,
                                  akasa_old=None, broker_threads=1, persistence=persistence,
                                  akasa_set=list(akasa_set))
        runner = compare.Runner(args)
        try:
            return runner.akasa_config("akasa", 1883, "/tmp/store-of-this-run", churn_run)
        finally:
            runner.cleanup()

    def test_churn_keeps_the_default_queue_limits_of_stored_sessions(self):
        # The other scenarios get mosquitto's queue depth; a churn with the store on keeps
        # the shipped limits (a stored queue's head in memory, the rest in the store), and
        # without the store, where the memory queue is all, the depth of the others.
        default = self.runner_config(akasa_set=["persistence=null"])
        self.assertEqual(default["max_in_mem_pending_messages"], 1000000)
        stored = self.runner_config(churn_run=True)
        self.assertEqual(stored["max_in_mem_pending_messages"], 256)
        self.assertEqual(compare.akasa_queues(stored),
                         "persistence on (sync none), queue in memory 256, stored 65,536")
        self.assertEqual(compare.akasa_store_dir(stored, "/work"), "/tmp/store-of-this-run")
        memory = self.runner_config("off", churn_run=True)
        self.assertEqual(memory["max_in_mem_pending_messages"], 1000000)
        self.assertEqual(compare.akasa_queues(memory), "persistence off, queue in memory "
                                                       "1,000,000")
        self.assertIsNone(compare.akasa_store_dir(memory, "/work"))
        self.assertEqual(compare.akasa_store_dir({"persistence": {"dir": "./data"}}, "/work"),
                         "/work/./data")
        turned_off = self.runner_config(akasa_set=["persistence.enable=false"], churn_run=True)
        self.assertEqual(turned_off["max_in_mem_pending_messages"], 1000000)
        for persistence in ("on", "off"):
            given = self.runner_config(persistence, ["max_in_mem_pending_messages=64"], True)
            self.assertEqual(given["max_in_mem_pending_messages"], 64)
        self.assertEqual(self.runner_config(akasa_set=["max_in_mem_pending_messages=64"])
                         ["max_in_mem_pending_messages"], 64)

    def test_default_config_runs_with_the_store_in_a_directory_of_its_own(self):
        config = self.runner_config()
        self.assertEqual(compare.describe_persistence(config), "on (sync none)")
        self.assertEqual(config["persistence"]["dir"], "/tmp/store-of-this-run")

    def test_off_and_the_overrides_that_turn_it_off(self):
        self.assertEqual(compare.describe_persistence(self.runner_config("off")), "off")
        for override in ("persistence.enable=false", "persistence=null"):
            config = self.runner_config(akasa_set=[override])
            self.assertEqual(compare.describe_persistence(config), "off", override)

    def test_section_keys_are_set_inside_the_section(self):
        config = self.runner_config(akasa_set=["persistence.sync=interval",
                                               "persistence.sync_interval_ms=250",
                                               "max_connections=7"])
        self.assertEqual(compare.describe_persistence(config), "on (sync interval, 250 ms)")
        self.assertEqual(config["max_connections"], 7)
        self.assertNotIn("persistence.sync", config)

    def test_describe_follows_the_loader(self):
        describe = compare.describe_persistence
        self.assertEqual(describe({}), "off")
        self.assertEqual(describe({"persistence": None}), "off")
        self.assertEqual(describe({"persistence": {}}), "on (sync none)")  # enable defaults on
        self.assertEqual(describe({"persistence": {"sync": "always"}}), "on (sync always)")
        config = {"persistence": None}
        compare.apply_override(config, "persistence.enable", True)
        self.assertEqual(describe(config), "on (sync none)")

    def test_the_table_says_which_persistence_each_broker_ran_with(self):
        brokers = ["akasa", "mosquitto"]
        results = {"c": {"akasa": [run_result(300)], "mosquitto": [run_result(100)]}}
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            compare.print_table(results, ["c"], brokers, 1,
                                {"akasa": "on (sync none)", "mosquitto": "off"})
        lines = out.getvalue().splitlines()
        self.assertEqual(lines[2], "| config | persistence | on (sync none) | off | |")
        self.assertIn("| c: fan-out 1->500 QoS 0 | delivered/s | 300 | 100 | 3.00x |", lines)

    def test_overrides_that_cannot_apply_are_refused(self):
        with self.assertRaisesRegex(ValueError, "'log_level' is a value, not a section"):
            compare.apply_override({"log_level": "warn"}, "log_level.x", 1)
        for key in ("", ".x", "persistence."):
            with self.assertRaisesRegex(ValueError, "is not a key"):
                compare.apply_override({}, key, 1)


class SettleTest(unittest.TestCase):
    """A run starts only after the kernel freed the TCP buffers the last one left."""

    def test_reads_tcp_memory_and_orphans_from_sockstat(self):
        with tempfile.NamedTemporaryFile("w", suffix="sockstat") as f:
            f.write("sockets: used 9\nTCP: inuse 4 orphan 2 tw 7 alloc 4 mem 5000\n")
            f.flush()
            self.assertEqual(compare.tcp_memory(f.name), (5000, 2))
            f.seek(0)
            f.truncate()
            f.write("TCP: inuse 4\n")
            f.flush()
            self.assertEqual(compare.tcp_memory(f.name), (None, 0))
        self.assertEqual(compare.tcp_memory("/nonexistent/sockstat"), (None, 0))

    def test_waits_until_buffers_and_orphans_are_gone(self):
        readings = [(900000, 0), (100, 3), (compare.SETTLED_TCP_PAGES, 0), (900000, 0)]
        calls = []

        def fake():
            calls.append(1)
            return readings[len(calls) - 1]

        runner = compare.Runner.__new__(compare.Runner)
        saved = compare.tcp_memory, compare.time.sleep
        compare.tcp_memory, compare.time.sleep = fake, lambda s: None
        try:
            with contextlib.redirect_stderr(io.StringIO()), \
                    contextlib.redirect_stdout(io.StringIO()):
                runner.settle()
        finally:
            compare.tcp_memory, compare.time.sleep = saved
        self.assertEqual(len(calls), 3)


class EndToEndTest(unittest.TestCase):
    def test_a_tiny_sweep_against_akasa_and_mosquitto(self):
        if not os.access(BENCH_TOOL, os.X_OK):
            self.skipTest(f"{BENCH_TOOL} is not built (AKASA_BUILD_BENCH=ON builds it)")
        require_tool(self, "gnuplot")
        mosquitto = "/usr/sbin/mosquitto"
        self.assertTrue(os.access(mosquitto, os.X_OK), "mosquitto: scripts/install-deps test")
        with tempfile.TemporaryDirectory() as out:
            png, report = os.path.join(out, "sweep.png"), os.path.join(out, "sweep.json")
            done = subprocess.run(
                [sys.executable, os.path.join(BENCH_DIR, "compare"), "--akasa", BINARY,
                 "--bench", BENCH_TOOL, "--scenarios", "overload", "--overload-layouts",
                 "pairs", "--overload-qos", "0", "--overload-steps", "150,50",
                 "--capacity", "20000", "--rounds", "3", "--overload-rounds", "1", "--warmup",
                 "0.2", "--duration", "0.5", "--drain", "0.5", "--no-pin", "--plot", png,
                 "--json-out", report],
                capture_output=True, text=True, timeout=300)
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            self.assertIn("persistence: akasa on (sync none)", done.stdout)
            self.assertIn("1 rounds per overload step", done.stdout)  # not --rounds' 3
            self.assertIn("overload pairs-q0: pairs 100->100 QoS 0; capacity 20,000", done.stdout)
            self.assertIn("| 10,000 | 50 |", done.stdout)
            self.assertIn("| 30,000 | 150 |", done.stdout)
            self.assertIn("criterion (delivered >= 0.9x", done.stdout)
            with open(png, "rb") as f:
                self.assertEqual(f.read(4), b"\x89PNG")
            with open(report) as f:
                dump = json.load(f)
            self.assertEqual(dump["persistence"],
                             {"akasa": "on (sync none)", "mosquitto": "off (persistence false)"})
            (sweep,) = dump["overload"]
            self.assertEqual([s["percent"] for s in sweep["steps"]], [50, 150])
            self.assertEqual([s["rate_per_publisher"] for s in sweep["steps"]], [100, 300])
            for step in sweep["steps"]:
                for broker in ("akasa", "mosquitto"):
                    (run,) = step["runs"][broker]
                    self.assertTrue(run["ok"], run)
            self.assertIn(sweep["criterion"]["akasa"]["met"], (True, False))

    def test_a_tiny_churn_against_akasa_and_mosquitto(self):
        if not os.access(BENCH_TOOL, os.X_OK):
            self.skipTest(f"{BENCH_TOOL} is not built (AKASA_BUILD_BENCH=ON builds it)")
        mosquitto = "/usr/sbin/mosquitto"
        self.assertTrue(os.access(mosquitto, os.X_OK), "mosquitto: scripts/install-deps test")
        with tempfile.TemporaryDirectory() as out:
            report = os.path.join(out, "churn.json")
            done = subprocess.run(
                [sys.executable, os.path.join(BENCH_DIR, "compare"), "--akasa", BINARY,
                 "--bench", BENCH_TOOL, "--scenarios", "churn", "--churn-duration", "3",
                 "--churn-sample", "0.5", "--churn-offline", "1", "--churn-clients-per-s", "10",
                 "--churn-feed-rate", "20", "--no-pin", "--json-out", report],
                capture_output=True, text=True, timeout=300)
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            self.assertIn("churn only, one run per broker", done.stdout)
            self.assertIn("| config | persistence on (sync none), queue in memory 256, stored "
                          "65,536 | persistence false, max_queued_messages 1,000,000 |",
                          done.stdout)
            self.assertIn("| missing | 0 | 0 |", done.stdout)
            self.assertIn("check: akasa every return got everything, in order; mosquitto "
                          "every return got everything, in order", done.stdout)
            self.assertIn("verdict (largest RSS of the samples after the 2 s warm-up", done.stdout)
            self.assertIn("churn samples, mosquitto:", done.stdout)
            self.assertRegex(done.stderr, r"\n  clients \d+, persistent ones back")  # live
            with open(report) as f:
                runs = json.load(f)["churn"]
            for broker in ("akasa", "mosquitto"):
                run = runs[broker]
                self.assertTrue(run["ok"], run)
                self.assertEqual(run["mode"], "churn")
                self.assertGreater(run["returned"], 0)
                self.assertIn(run["summary"]["verdict"]["flat"], (True, False, None))
            self.assertTrue(runs["akasa"]["store_dir"].endswith("-store"))
            self.assertIsNone(runs["mosquitto"]["store_dir"])
            # The store was sampled: a stored session's queue is written to it.
            self.assertGreater(runs["akasa"]["summary"]["store_max_mib"], 0)


if __name__ == "__main__":
    unittest.main()
