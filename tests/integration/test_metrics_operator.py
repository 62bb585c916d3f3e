"""The metrics an operator expects from GET /metrics (issue 19 part 8), on the real binary:
akasa_build_info against `akasa --version`, the process_* families (resident memory, open
descriptors rising with connected clients, CPU seconds rising with load, the start time),
each worker's busy seconds and loop lag; and contrib/grafana/akasa-dashboard.json, whose
every query must name only metrics that a live /metrics serves."""

import http.client
import json
import os
import re
import subprocess
import time
import unittest

from akasa_harness import BINARY, REPO, AkasaServer
from hook_test_support import RawClient
from prometheus_support import parse_exposition, parse_labels

TIMEOUT = 10
WORKERS = 3
DASHBOARD = os.path.join(REPO, "contrib", "grafana", "akasa-dashboard.json")

# PromQL words that look like identifiers but name no metric.
PROMQL_WORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
                "group_right", "bool", "offset", "inf", "nan"}
IDENTIFIER = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


def metric_names(expr):
    """The metric names a PromQL expression (with Grafana variables) selects: identifiers
    that are not functions (followed by '('), keywords, label names (inside {...}, after
    by/without/on/ignoring/group_*) or label values (strings)."""
    # label_values(metric, label) of a template variable: the label is no metric.
    text = re.sub(r"label_values\(\s*(.*?)\s*,\s*[A-Za-z_]\w*\s*\)", r"(\1)", expr)
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', " ", text)  # strings
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges and subqueries
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\$\{[^}]*\}|\$\w+", " ", text)  # Grafana variables
    text = re.sub(r"(?<![A-Za-z0-9_:.])[0-9.][A-Za-z0-9_.]*", " ", text)  # 1e9, 0.5, 5m
    names = set()
    for match in IDENTIFIER.finditer(text):
        word = match.group(0)
        if word.lower() in PROMQL_WORDS or text[match.end():].lstrip().startswith("("):
            continue
        names.add(word)
    return names


def dashboard_queries(dashboard):
    """Every PromQL expression of a Grafana dashboard: the targets of its panels (rows'
    panels too) and the queries of its template variables."""
    queries = []

    def walk(panels):
        for panel in panels:
            queries.extend(t["expr"] for t in panel.get("targets", []) if t.get("expr"))
            walk(panel.get("panels", []))

    walk(dashboard.get("panels", []))
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") != "query":
            continue
        query = variable.get("query")
        queries.append(query.get("query") if isinstance(query, dict) else query)
    return [q for q in queries if q]


def missing_metrics(queries, families):
    """{metric: first query naming it} for the metrics `families` ({name: type}, from a
    scrape) does not have. _bucket/_sum/_count are accepted only on a histogram or summary."""
    missing = {}
    for query in queries:
        for name in metric_names(query):
            if name in families:
                continue
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            if base != name and families.get(base) in ("histogram", "summary"):
                continue
            missing.setdefault(name, query)
    return missing


class Scraper:
    """GET /metrics over one kept-alive connection, so that scraping adds no descriptor
    of its own between two scrapes (process_open_fds is compared across them)."""

    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)

    def scrape(self):
        self.connection.request("GET", "/metrics")
        response = self.connection.getresponse()
        body = response.read().decode()
        if response.status != 200:
            raise AssertionError(f"/metrics answered {response.status}")
        return parse_exposition(body)

    def samples(self):
        return self.scrape()[1]

    def close(self):
        self.connection.close()


def value(samples, name, labels=""):
    if (name, labels) not in samples:
        raise AssertionError(f"{name}{labels} is not in /metrics")
    return samples[(name, labels)]


def by_label(samples, name, label):
    """{label value: sample value} of a family labelled by `label` alone."""
    return {parse_labels(labels)[label]: v for (n, labels), v in samples.items() if n == name}


def connections(samples):
    return value(samples, "akasa_connections_current")


class MetricNameParsing(unittest.TestCase):
    """The dashboard check itself: it must find the metrics in the forms the dashboard
    writes them, and nothing else."""

    def test_names_in_expressions(self):
        cases = {
            'sum by (instance, qos) (rate(akasa_messages_received_total{instance=~"$instance"}'
            '[$__rate_interval]))': {"akasa_messages_received_total"},
            'time() - process_start_time_seconds{instance=~"$instance"}':
                {"process_start_time_seconds"},
            "label_values(akasa_build_info, instance)": {"akasa_build_info"},
            'a_total / on (worker) group_left (version) b_info * 1e9 > bool 0.5 offset 5m':
                {"a_total", "b_info"},
            'max_over_time(x{job="y"}[5m:1m]) or vector(0)': {"x"},
            'label_replace(up, "dst", "$1", "src", "(.*)")': {"up"},
            "sum(rate(c_total[${__rate_interval}])) without (le)": {"c_total"},
        }
        for expr, names in cases.items():
            with self.subTest(expr=expr):
                self.assertEqual(metric_names(expr), names)

    def test_a_query_naming_an_unserved_metric_is_reported(self):
        families = {"akasa_up": "gauge", "lat_seconds": "histogram"}
        self.assertEqual(missing_metrics(["akasa_up", "rate(lat_seconds_bucket[1m])"], families),
                         {})
        self.assertEqual(missing_metrics(["akasa_up + akasa_gone"], families),
                         {"akasa_gone": "akasa_up + akasa_gone"})
        # _count only on a histogram or summary.
        self.assertIn("akasa_up_count", missing_metrics(["akasa_up_count"], families))


class OperatorMetrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.started_after = time.time()
        cls.server = AkasaServer(f"worker_threads: {WORKERS}\n", http="").__enter__()
        cls.scraper = Scraper(cls.server.http_port)

    @classmethod
    def tearDownClass(cls):
        cls.scraper.close()
        cls.server.__exit__(None, None, None)

    def wait_for(self, condition, what):
        """Scrapes until condition(samples) holds; returns those samples."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            samples = self.scraper.samples()
            if condition(samples):
                return samples
            if time.monotonic() >= deadline:
                raise AssertionError(f"{what} within {TIMEOUT} s; last scrape: {samples}")
            time.sleep(0.05)  # the values have no change event to wait on

    def test_build_info_matches_version_flag(self):
        line = subprocess.run([BINARY, "--version"], capture_output=True, text=True,
                              check=True, timeout=TIMEOUT).stdout.strip()
        match = re.fullmatch(r"akasa (\S+) \(commit ([0-9a-f]+|unknown)\)", line)
        self.assertIsNotNone(match, line)
        samples = self.scraper.samples()
        info = [(parse_labels(labels), v) for (name, labels), v in samples.items()
                if name == "akasa_build_info"]
        self.assertEqual(info, [({"version": match.group(1), "commit": match.group(2)}, 1.0)])

    def test_process_memory_and_start_time(self):
        samples = self.scraper.samples()
        resident = value(samples, "process_resident_memory_bytes")
        self.assertGreater(resident, 1024 * 1024)
        self.assertGreaterEqual(value(samples, "process_virtual_memory_bytes"), resident)
        # Started by this test: after it began (the boot time is in whole seconds) and not
        # after now.
        start = value(samples, "process_start_time_seconds")
        self.assertGreaterEqual(start, self.started_after - 2)
        self.assertLessEqual(start, time.time() + 2)
        self.assertGreater(value(samples, "process_max_fds"), value(samples, "process_open_fds"))

    def test_open_fds_follow_connected_clients(self):
        clients = 20
        # A connection is uncounted just before its socket closes: two scrapes agreeing on
        # the descriptors with no connection left are the baseline.
        previous = [None]

        def settled(samples):
            fds = value(samples, "process_open_fds")
            agree = connections(samples) == 0 and previous[0] == fds
            previous[0] = fds
            return agree

        before = self.wait_for(settled, "no MQTT connection left")
        opened = []
        try:
            for i in range(clients):
                client = RawClient(self.server.port, f"fds-{i}")
                opened.append(client)
                self.assertEqual(client.connect(), 0)
            during = self.wait_for(lambda s: connections(s) == clients, "all clients counted")
            # One accepted socket each; the scrape's own connection is the same one.
            self.assertGreaterEqual(value(during, "process_open_fds"),
                                    value(before, "process_open_fds") + clients)
        finally:
            for client in opened:
                client.close()
        self.wait_for(lambda s: connections(s) == 0, "clients gone")
        # Closed after being uncounted, within the same loop iteration: wait for that too.
        self.wait_for(lambda s: value(s, "process_open_fds") <= value(before, "process_open_fds"),
                      "descriptors released")

    def test_cpu_and_busy_seconds_rise_with_load(self):
        before = self.scraper.samples()
        busy_before = sum(by_label(before, "akasa_worker_busy_seconds_total", "worker").values())
        publisher = RawClient(self.server.port, "cpu-load")
        try:
            self.assertEqual(publisher.connect(), 0)
            # The CPU clock counts in ticks of 10 ms: publish in rounds until one passed.
            # Nobody subscribes, so no output backs up and paces the publisher.
            payload = b"x" * 1024
            for round_number in range(200):
                for i in range(200):
                    publisher.publish(f"load/{i % 8}", payload)
                publisher.publish("load/sync", b"", qos=1)  # PUBACK: all of them were read
                after = self.scraper.samples()
                if value(after, "process_cpu_seconds_total") > \
                        value(before, "process_cpu_seconds_total"):
                    break
            else:
                self.fail("process_cpu_seconds_total did not rise after 40000 publishes")
        finally:
            publisher.close()
        busy_after = sum(by_label(after, "akasa_worker_busy_seconds_total", "worker").values())
        self.assertGreater(busy_after, busy_before)

    def test_worker_series_for_each_worker(self):
        workers = {str(i) for i in range(WORKERS)}
        # Every worker's 1-second tick has run once, so each has a lag and busy time.
        samples = self.wait_for(
            lambda s: set(by_label(s, "akasa_worker_loop_lag_seconds", "worker")) == workers and
            all(v > 0 for v in by_label(s, "akasa_worker_loop_lag_seconds", "worker").values()),
            "a loop lag from every worker")
        busy = by_label(samples, "akasa_worker_busy_seconds_total", "worker")
        self.assertEqual(set(busy), workers)
        uptime = time.time() - value(samples, "process_start_time_seconds") + 2
        for worker, seconds in busy.items():
            with self.subTest(worker=worker):
                # Busy stretches are disjoint parts of the wall time since the start.
                self.assertGreater(seconds, 0)
                self.assertLess(seconds, uptime)
        for worker, lag in by_label(samples, "akasa_worker_loop_lag_seconds", "worker").items():
            with self.subTest(worker=worker):
                self.assertLess(lag, uptime)

    def test_idle_workers_are_mostly_waiting(self):
        """Busy time counts handling events, not waiting in epoll: over two idle seconds an
        idle worker is busy for microseconds per tick. Half the wall time is a bound orders
        of magnitude above that, so a loaded machine does not make it fail."""
        self.wait_for(lambda s: connections(s) == 0, "no MQTT connection left")
        first = self.scraper.samples()
        began = time.monotonic()
        time.sleep(2)  # idle on purpose: the interval being measured
        second = self.scraper.samples()
        elapsed = time.monotonic() - began
        busy_first = by_label(first, "akasa_worker_busy_seconds_total", "worker")
        busy_second = by_label(second, "akasa_worker_busy_seconds_total", "worker")
        self.assertEqual(set(busy_second), {str(i) for i in range(WORKERS)})
        for worker, seconds in busy_second.items():
            with self.subTest(worker=worker):
                self.assertLess(seconds - busy_first[worker], elapsed / 2)

    def test_dashboard_names_only_served_metrics(self):
        with open(DASHBOARD) as f:
            dashboard = json.load(f)
        families, _ = self.scraper.scrape()
        queries = dashboard_queries(dashboard)
        self.assertGreater(len(queries), 20)
        self.assertEqual(missing_metrics(queries, families), {},
                         "dashboard queries name metrics /metrics does not serve")
        named = set().union(*(metric_names(q) for q in queries))
        for metric in ("akasa_build_info", "process_resident_memory_bytes", "process_open_fds",
                       "process_cpu_seconds_total", "process_start_time_seconds",
                       "akasa_worker_busy_seconds_total", "akasa_worker_loop_lag_seconds",
                       "akasa_connections_current", "akasa_messages_received_total",
                       "akasa_bytes_sent_total", "akasa_retained_messages_current",
                       "akasa_subscriptions_current"):
            self.assertIn(metric, named, f"the dashboard shows no {metric}")

    def test_dashboard_queries_use_the_datasource_variable(self):
        with open(DASHBOARD) as f:
            dashboard = json.load(f)
        variables = {v["name"]: v for v in dashboard["templating"]["list"]}
        self.assertEqual(variables["datasource"]["type"], "datasource")
        self.assertEqual(variables["datasource"]["query"], "prometheus")
        ids = []

        def walk(panels):
            for panel in panels:
                ids.append(panel["id"])
                self.assertIn("gridPos", panel)
                for target in panel.get("targets", []):
                    self.assertEqual(target["datasource"]["uid"], "${datasource}", panel["title"])
                walk(panel.get("panels", []))

        walk(dashboard["panels"])
        self.assertEqual(len(ids), len(set(ids)), "panel ids repeat")


if __name__ == "__main__":
    unittest.main()
