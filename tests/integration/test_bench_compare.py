"""bench/compare's overload sweep and its persistence setting: the offered rates of each step,
the 0.9x criterion (delivered at a step against the best at any lower step), the table, the
gnuplot plot, what the config of an akasa run does with the store (--persistence,
--akasa-set SECTION.KEY), and one tiny end-to-end sweep against akasa and mosquitto (no
figure is asserted: the machine is shared, only that every run completed and was reported)."""

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

import compare_overload as overload  # noqa: E402 (found through BENCH_DIR)


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


class PersistenceTest(unittest.TestCase):
    def runner_config(self, persistence="on", akasa_set=()):
        args = argparse.Namespace(transport="tcp", keep_logs=False, akasa=BINARY,
                                  akasa_old=None, broker_threads=1, persistence=persistence,
                                  akasa_set=list(akasa_set))
        runner = compare.Runner(args)
        try:
            return runner.akasa_config("akasa", 1883, "/tmp/store-of-this-run")
        finally:
            runner.cleanup()

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
                 "--capacity", "20000", "--rounds", "1", "--warmup", "0.2", "--duration",
                 "0.5", "--drain", "0.5", "--no-pin", "--plot", png, "--json-out", report],
                capture_output=True, text=True, timeout=300)
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            self.assertIn("persistence: akasa on (sync none)", done.stdout)
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


if __name__ == "__main__":
    unittest.main()
