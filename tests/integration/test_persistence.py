"""Persistence with the real binary (docs/persistence.md, "The promise"): kill -9 at random
points of QoS 1 and QoS 2 streams to an online and an offline persistent subscriber, restart
on the same store, and check message by message that every QoS 1 message acknowledged to the
publisher is delivered at least once and every QoS 2 message exactly once; retained messages
and subscriptions after a restart; session expiry across the downtime; a corrupt store is a
clear error; with persistence off no file is written."""

import os
import random
import subprocess
import tempfile
import threading
import time
import unittest

import paho.mqtt.client as mqtt

from akasa_harness import BINARY, AkasaServer, free_port

TIMEOUT = 30.0
WORKERS = "worker_threads: 2\n"  # sessions on both workers: cross-worker routing is stored too


class Subscriber:
    """A persistent 3.1.1 session (clean session 0) counting every message it is given.
    paho keeps its QoS 2 receive state across reconnects, as the protocol requires, so the
    counts are what an application sees."""

    def __init__(self, port, client_id, topic, qos):
        self.counts = {}
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self.client = mqtt.Client(client_id=client_id, clean_session=False)
        self.client.on_subscribe = lambda c, u, mid, granted: self.subscribed.set()
        self.client.reconnect_delay_set(1, 1)
        self.client.on_message = self._on_message
        self.client.on_connect = lambda c, u, f, rc: self.connected.set() if rc == 0 else None
        self.client.on_disconnect = lambda c, u, rc: self.connected.clear()
        self.topic, self.qos, self.port = topic, qos, port

    def _on_message(self, client, userdata, message):
        with self.lock:
            key = message.payload.decode()
            self.counts[key] = self.counts.get(key, 0) + 1
            self.changed.notify_all()

    def connect(self, subscribe=False):
        self.client.connect("127.0.0.1", self.port, keepalive=30)
        self.client.loop_start()
        if not self.connected.wait(TIMEOUT):
            raise AssertionError("subscriber did not connect")
        if subscribe:
            result, mid = self.client.subscribe(self.topic, self.qos)
            assert result == mqtt.MQTT_ERR_SUCCESS
            if not self.subscribed.wait(TIMEOUT):  # SUBACK: the subscription exists
                raise AssertionError("no SUBACK")

    def wait_for(self, key):
        with self.lock:
            if not self.changed.wait_for(lambda: key in self.counts, TIMEOUT):
                raise AssertionError(f"{key} never arrived; got {len(self.counts)} messages")

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


class Publisher:
    """A persistent session publishing a numbered stream; paho resends what was not
    acknowledged when it reconnects (QoS 2: the PUBLISH with DUP, or the PUBREL)."""

    def __init__(self, port, client_id, topic, qos):
        self.infos = []  # (payload, MQTTMessageInfo), filled before anything waits on them
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.client = mqtt.Client(client_id=client_id, clean_session=False)
        self.client.reconnect_delay_set(1, 1)
        self.client.max_inflight_messages_set(20)
        self.client.on_publish = self._on_publish
        self.topic, self.qos, self.port = topic, qos, port

    def _on_publish(self, client, userdata, mid):
        # Never publish while holding self.lock: paho calls this under its own locks.
        with self.lock:
            self.changed.notify_all()

    def acked(self):
        """Payloads acknowledged so far (QoS 1: PUBACK; QoS 2: PUBCOMP)."""
        return {payload for payload, info in self.infos if info.is_published()}

    def start(self, count):
        self.client.connect("127.0.0.1", self.port, keepalive=30)
        self.client.loop_start()
        infos = [(f"m{i}", self.client.publish(self.topic, f"m{i}", self.qos))
                 for i in range(count)]
        with self.lock:
            self.infos = infos

    def wait_acked(self, count):
        with self.lock:
            if not self.changed.wait_for(lambda: len(self.acked()) >= count, TIMEOUT * 2):
                raise AssertionError(f"only {len(self.acked())} of {count} acknowledged")

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


class KillNineTests(unittest.TestCase):
    def stream(self, qos, count=400, kills=2):
        with tempfile.TemporaryDirectory(prefix="akasa-store-") as store:
            server = AkasaServer(WORKERS, persistence_dir=store)
            with server:
                topic = f"stream/q{qos}"
                offline = Subscriber(server.port, f"offline-q{qos}", topic, qos)
                offline.connect(subscribe=True)
                offline.close()
                online = Subscriber(server.port, f"online-q{qos}", topic, qos)
                online.connect(subscribe=True)

                publisher = Publisher(server.port, f"publisher-q{qos}", topic, qos)
                publisher.start(count)
                # Kill -9 at random points of the stream (after k acknowledgements).
                for k in sorted(random.sample(range(1, count - 1), kills)):
                    publisher.wait_acked(k)
                    server.kill9()
                    server.restart()
                publisher.wait_acked(count)  # paho resent everything it had no ack for
                acked = publisher.acked()
                # A last message: everything before it (and every resend) arrives first.
                sentinel = Publisher(server.port, f"sentinel-q{qos}", topic, qos)
                sentinel.start(0)
                sentinel.client.publish(topic, "end", qos)
                try:
                    online.wait_for("end")
                    offline.connect()
                    offline.wait_for("end")
                except AssertionError as e:
                    raise AssertionError(f"{e}\nserver log (tail):\n{server.log_text()[-6000:]}")
                sentinel.close()
                publisher.close()
                online.close()
                offline.close()

            self.assertEqual(len(acked), count)
            for name, sub in (("online", online), ("offline", offline)):
                for key in sorted(acked):
                    got = sub.counts.get(key, 0)
                    if qos == 1:
                        self.assertGreaterEqual(got, 1, f"{name} subscriber lost {key}")
                    else:
                        self.assertEqual(got, 1, f"{name} subscriber got {key} {got} times")

    def test_qos1_stream_survives_kill9_at_least_once(self):
        self.stream(qos=1)

    def test_qos2_stream_survives_kill9_exactly_once(self):
        self.stream(qos=2)


def connect_v5(port, client_id, clean_start, expiry):
    """A v5 connection; returns (client, session_present)."""
    from paho.mqtt.properties import Properties
    from paho.mqtt.packettypes import PacketTypes
    client = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv5)
    done = threading.Event()
    result = {}

    def on_connect(c, userdata, flags, rc, properties=None):
        result["present"] = bool(flags.get("session present"))
        done.set()

    client.on_connect = on_connect
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = expiry
    client.connect("127.0.0.1", port, clean_start=clean_start, properties=props)
    client.loop_start()
    if not done.wait(TIMEOUT):
        raise AssertionError("no CONNACK")
    return client, result["present"]


class RestartTests(unittest.TestCase):
    def test_retained_and_subscriptions_survive_kill9(self):
        with tempfile.TemporaryDirectory(prefix="akasa-store-") as store:
            with AkasaServer(WORKERS, persistence_dir=store) as server:
                sub = Subscriber(server.port, "keeper", "news/#", 1)
                sub.connect(subscribe=True)
                sub.close()
                pub = mqtt.Client(client_id="retainer")
                pub.connect("127.0.0.1", server.port)
                pub.loop_start()
                infos = [pub.publish(f"retained/{i}", f"r{i}", qos=1, retain=True)
                         for i in range(20)]
                infos.append(pub.publish("retained/3", b"", qos=1, retain=True))  # cleared
                for info in infos:
                    info.wait_for_publish(TIMEOUT)
                pub.disconnect()
                pub.loop_stop()
                server.kill9()
                server.restart()

                fresh = Subscriber(server.port, "reader", "retained/#", 1)
                fresh.connect(subscribe=True)
                fresh.wait_for("r19")
                for i in range(20):
                    fresh.wait_for(f"r{i}") if i != 3 else None
                self.assertNotIn("r3", fresh.counts)
                fresh.close()

                # The subscription of "keeper" came back: a publish after the restart reaches
                # its queue without it subscribing again.
                pub = mqtt.Client(client_id="after")
                pub.connect("127.0.0.1", server.port)
                pub.loop_start()
                pub.publish("news/today", "n1", qos=1).wait_for_publish(TIMEOUT)
                pub.disconnect()
                pub.loop_stop()
                sub = Subscriber(server.port, "keeper", "news/#", 1)
                sub.connect()
                sub.wait_for("n1")
                sub.close()

    def test_session_expiry_keeps_counting_across_downtime(self):
        with tempfile.TemporaryDirectory(prefix="akasa-store-") as store:
            with AkasaServer(WORKERS, persistence_dir=store) as server:
                short, _ = connect_v5(server.port, "short-lived", True, 2)
                long, _ = connect_v5(server.port, "long-lived", True, 3600)
                for c in (short, long):
                    c.disconnect()
                    c.loop_stop()
                # A clean stop, not kill -9: a DISCONNECT still unread at a crash would leave
                # the session "connected at the crash", counted from the restart (by design).
                self.assertEqual(server.stop(), 0)
                # The point of the test is wall-clock time passing while the broker is down.
                time.sleep(3)
                server.restart()
                short, short_present = connect_v5(server.port, "short-lived", False, 2)
                long, long_present = connect_v5(server.port, "long-lived", False, 3600)
                for c in (short, long):
                    c.disconnect()
                    c.loop_stop()
            self.assertFalse(short_present, "a session that expired during the downtime")
            self.assertTrue(long_present)


class StoreErrorTests(unittest.TestCase):
    def test_corrupt_store_is_a_clear_error(self):
        with tempfile.TemporaryDirectory(prefix="akasa-store-") as store:
            with AkasaServer(persistence_dir=store):
                pass
            with open(os.path.join(store, "CURRENT"), "w") as f:
                f.write("garbage\n")
            config = os.path.join(store, "..", os.path.basename(store) + ".yaml")
            with open(config, "w") as f:
                f.write(f"listeners:\n  mqtt:\n    addr: 127.0.0.1:{free_port()}\n"
                        f"auth:\n  enable: false\npersistence:\n  dir: {store}\n")
            try:
                result = subprocess.run([BINARY, "start", "--config", config],
                                        capture_output=True, text=True, timeout=30)
            finally:
                os.unlink(config)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn(store, result.stderr)
            self.assertIn("persistence", result.stderr)

    def test_persistence_off_writes_no_file(self):
        with tempfile.TemporaryDirectory(prefix="akasa-cwd-") as cwd:
            with AkasaServer(cwd=cwd) as server:
                pub = mqtt.Client(client_id="p")
                pub.connect("127.0.0.1", server.port)
                pub.loop_start()
                pub.publish("t", "x", qos=1, retain=True).wait_for_publish(TIMEOUT)
                pub.disconnect()
                pub.loop_stop()
            self.assertEqual(os.listdir(cwd), [])


if __name__ == "__main__":
    unittest.main()
