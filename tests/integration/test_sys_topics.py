"""The $SYS topics (docs/listeners.md, "$SYS topics") seen by mosquitto_sub (Debian's
mosquitto-clients): published every sys_interval seconds as retained messages, not matched
by `#` [MQTT-4.7.2-1], refused when a client publishes to them, absent when sys_interval is 0.
Every wait is on an event (a line from mosquitto_sub) with a timeout, except the one window
given to sys_interval 0 to publish nothing."""

import os
import queue
import subprocess
import tempfile
import threading
import time
import unittest

import paho.mqtt.client as mqtt

from akasa_harness import AkasaServer

TIMEOUT = 15


class Sub:
    """mosquitto_sub -v on some topics; lines are parsed into (topic, payload). Topics with
    a space ("$SYS/broker/retained messages/count") are known to the caller, so the split is
    on the known prefix when there is one."""

    def __init__(self, port, *topics, version="mqttv311"):
        args = ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-v", "-V", version]
        for t in topics:
            args += ["-t", t]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.lines = queue.Queue()
        self.seen = []  # every (topic, payload) so far
        self.latest = {}
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def _parse(self, line):
        if line.startswith("$SYS/broker/retained messages/count "):
            return "$SYS/broker/retained messages/count", line.rsplit(" ", 1)[1]
        topic, _, payload = line.partition(" ")
        return topic, payload

    def wait_until(self, predicate, what):
        """Reads lines until predicate(latest) holds; fails after TIMEOUT seconds."""
        deadline = time.monotonic() + TIMEOUT
        while not predicate(self.latest):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {what}; got {self.latest}")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            topic, payload = self._parse(line)
            self.seen.append((topic, payload))
            self.latest[topic] = payload

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=TIMEOUT)
        self.reader.join(timeout=TIMEOUT)
        self.proc.stdout.close()
        self.proc.stderr.close()


def pub(port, topic, message, *args):
    result = subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-q", "1",
                             "-t", topic, "-m", message, *args],
                            capture_output=True, text=True, timeout=TIMEOUT)
    if result.returncode != 0:
        raise AssertionError(f"mosquitto_pub to {topic} failed: {result.stderr}")


def subscribed(port, sub):
    """Returns once `sub` (subscribed to "ready") is subscribed: it got the retained one."""
    pub(port, "ready", "yes", "-r")
    sub.wait_until(lambda l: "ready" in l, "the subscription")


def number(latest, topic):
    return int(latest[topic]) if topic in latest else -1


def paho_client(port, client_id, version=mqtt.MQTTv311):
    client = mqtt.Client(client_id=client_id, protocol=version)
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client


EXPECTED = [
    "$SYS/broker/version", "$SYS/broker/uptime", "$SYS/broker/clients/connected",
    "$SYS/broker/clients/disconnected", "$SYS/broker/clients/total",
    "$SYS/broker/clients/maximum", "$SYS/broker/messages/received",
    "$SYS/broker/messages/sent", "$SYS/broker/publish/messages/received",
    "$SYS/broker/publish/messages/sent", "$SYS/broker/bytes/received",
    "$SYS/broker/bytes/sent", "$SYS/broker/retained messages/count",
    "$SYS/broker/subscriptions/count", "$SYS/broker/heap/current", "$SYS/broker/heap/maximum",
] + [f"$SYS/broker/load/{name}/{period}"
     for name in ("messages/received", "messages/sent", "publish/received", "publish/sent",
                  "bytes/received", "bytes/sent", "sockets")
     for period in ("1min", "5min", "15min")]


class SysTopicsTest(unittest.TestCase):
    def test_every_topic_with_sane_values(self):
        with AkasaServer("sys_interval: 1\n") as server:
            sub = Sub(server.port, "$SYS/#")
            try:
                sub.wait_until(lambda l: all(t in l for t in EXPECTED), "every $SYS topic")
                latest = sub.latest
                self.assertTrue(latest["$SYS/broker/version"].startswith("akasa version "))
                self.assertRegex(latest["$SYS/broker/uptime"], r"^\d+ seconds$")
                for topic in EXPECTED[2:16]:
                    self.assertRegex(latest[topic], r"^\d+$", topic)
                for topic in EXPECTED[16:]:
                    self.assertRegex(latest[topic], r"^\d+\.\d\d$", topic)
                self.assertGreater(number(latest, "$SYS/broker/heap/current"), 0)
                # mosquitto_sub itself is connected and subscribed.
                sub.wait_until(lambda l: number(l, "$SYS/broker/clients/connected") >= 1 and
                               number(l, "$SYS/broker/subscriptions/count") >= 1,
                               "the subscriber counted")
                # The topics are retained: a later subscriber gets them at once.
                late = Sub(server.port, "$SYS/broker/version")
                try:
                    late.wait_until(lambda l: "$SYS/broker/version" in l, "retained version")
                finally:
                    late.stop()
            finally:
                sub.stop()

    def test_values_follow_the_traffic(self):
        with AkasaServer("sys_interval: 1\n") as server:
            sub = Sub(server.port, "$SYS/broker/publish/messages/received",
                      "$SYS/broker/messages/received", "$SYS/broker/bytes/received",
                      "$SYS/broker/load/publish/received/1min", "$SYS/broker/uptime")
            try:
                sub.wait_until(lambda l: "$SYS/broker/bytes/received" in l, "a first value")
                bytes_before = number(sub.latest, "$SYS/broker/bytes/received")
                uptime = sub.latest["$SYS/broker/uptime"]
                sub.wait_until(lambda l: l["$SYS/broker/uptime"] != uptime, "uptime moving")
                client = paho_client(server.port, "publisher")
                for i in range(5):
                    client.publish("a/b", f"m{i}", qos=1).wait_for_publish(TIMEOUT)
                sub.wait_until(
                    lambda l: number(l, "$SYS/broker/publish/messages/received") >= 5 and
                    number(l, "$SYS/broker/messages/received") >= 5 and
                    number(l, "$SYS/broker/bytes/received") > bytes_before and
                    float(l.get("$SYS/broker/load/publish/received/1min", "0")) > 0,
                    "the counters to grow")
                client.loop_stop()
                client.disconnect()
            finally:
                sub.stop()

    def test_hash_alone_does_not_match_them(self):
        # [MQTT-4.7.2-1]: neither their retained copies nor live publications reach `#`.
        with AkasaServer("sys_interval: 1\n") as server:
            sys_sub = Sub(server.port, "$SYS/broker/uptime")
            all_sub = Sub(server.port, "#")  # also "ready", the retained marker
            try:
                subscribed(server.port, all_sub)
                sys_sub.wait_until(lambda l: "$SYS/broker/uptime" in l, "a first publication")
                first = sys_sub.latest["$SYS/broker/uptime"]
                sys_sub.wait_until(lambda l: l["$SYS/broker/uptime"] != first,
                                   "a publication while `#` is subscribed")
                # The marker is published after that publication: `#` has had its chance.
                pub(server.port, "visible", "shown")
                all_sub.wait_until(lambda l: "visible" in l, "the marker")
                self.assertEqual([t for t, _ in all_sub.seen if t.startswith("$")], [])
            finally:
                sys_sub.stop()
                all_sub.stop()

    def test_clients_may_not_publish_to_sys(self):
        with AkasaServer("sys_interval: 0\n") as server:
            sub = Sub(server.port, "$SYS/#", "marker", "ready")
            try:
                subscribed(server.port, sub)
                for version, qos in (("mqttv5", "1"), ("mqttv311", "1"), ("mqttv5", "0")):
                    result = subprocess.run(
                        ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(server.port),
                         "-V", version, "-q", qos, "-r", "-t", "$SYS/broker/version",
                         "-m", "forged"], capture_output=True, text=True, timeout=TIMEOUT)
                    if version == "mqttv5" and qos == "1":
                        # PUBACK 0x87 Not authorized; mosquitto_pub reports it.
                        self.assertIn("not authorized", (result.stdout + result.stderr).lower())
                pub(server.port, "marker", "done")
                sub.wait_until(lambda l: "marker" in l, "the marker")
                self.assertNotIn("$SYS/broker/version", sub.latest)
            finally:
                sub.stop()
            # Nor was it retained.
            late = Sub(server.port, "$SYS/#", "ready")
            try:
                late.wait_until(lambda l: "ready" in l, "the retained marker")
                self.assertEqual([t for t, _ in late.seen if t.startswith("$")], [])
            finally:
                late.stop()

    def test_will_under_sys_is_refused(self):
        with AkasaServer("sys_interval: 0\n") as server:
            for version in ("mqttv5", "mqttv311"):
                result = subprocess.run(
                    ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(server.port), "-V", version,
                     "--will-topic", "$SYS/broker/version", "--will-payload", "forged",
                     "-t", "a", "-C", "1", "-W", str(TIMEOUT)],
                    capture_output=True, text=True, timeout=TIMEOUT + 5)
                self.assertNotEqual(result.returncode, 0, version)
                self.assertIn("not authori", (result.stdout + result.stderr).lower(), version)

    def test_sys_interval_zero_publishes_nothing(self):
        with AkasaServer("sys_interval: 0\n") as server:
            sub = Sub(server.port, "$SYS/#", "marker", "ready")
            try:
                subscribed(server.port, sub)
                # The first publication would come at the first 1-second tick; give it three.
                time.sleep(3)
                pub(server.port, "marker", "done")
                sub.wait_until(lambda l: "marker" in l, "the marker")
                self.assertEqual([t for t, _ in sub.seen if t.startswith("$")], [])
            finally:
                sub.stop()
    def test_not_written_to_the_persistent_store(self):
        # Regenerated after a restart, so not stored; the client's retained message is.
        with tempfile.TemporaryDirectory(prefix="akasa-sys-store-") as store, \
                AkasaServer("sys_interval: 1\n", persistence_dir=os.path.join(store, "db")) \
                as server:
            sub = Sub(server.port, "$SYS/broker/uptime")
            try:
                sub.wait_until(lambda l: "$SYS/broker/uptime" in l, "a first publication")
            finally:
                sub.stop()
            pub(server.port, "ready", "kept", "-r")
            self.assertEqual(server.stop(), 0)
            with open(server.config_path) as f:
                config = f.read()
            with open(server.config_path, "w") as f:
                f.write(config.replace("sys_interval: 1", "sys_interval: 0"))
            server.restart()
            late = Sub(server.port, "$SYS/#", "ready")
            try:
                late.wait_until(lambda l: "ready" in l, "the recovered retained message")
                self.assertEqual([t for t, _ in late.seen if t.startswith("$")], [])
            finally:
                late.stop()


if __name__ == "__main__":
    unittest.main()
