"""The real binary against real third-party clients: Python paho-mqtt (Debian's
python3-paho-mqtt) and mosquitto_pub / mosquitto_sub (Debian's mosquitto-clients), MQTT
3.1.1 and 5.0. Each test waits on events (CONNACK, SUBACK, messages) with timeouts."""

import os
import queue
import signal
import subprocess
import tempfile
import threading
import unittest

import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.packettypes import PacketTypes

from akasa_harness import BINARY, AkasaServer

TIMEOUT = 10


class Paho:
    """A paho client whose events tests can wait for."""

    def __init__(self, port, client_id, version=mqtt.MQTTv311, clean=True, will=None):
        self.port = port
        self.version = version
        self.clean = clean
        self.messages = queue.Queue()
        self.connack = queue.Queue()
        self.subacks = queue.Queue()
        self.disconnected = threading.Event()
        if version == mqtt.MQTTv5:
            self.client = mqtt.Client(client_id=client_id, protocol=version)
        else:
            self.client = mqtt.Client(client_id=client_id, clean_session=clean, protocol=version)
        if will:
            self.client.will_set(*will)
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda c, u, msg: self.messages.put(msg)
        self.client.on_subscribe = self._on_subscribe
        self.client.on_disconnect = self._on_disconnect

    def _on_connect(self, client, userdata, flags, rc, properties=None):
        self.connack.put((flags, rc, properties))

    def _on_subscribe(self, client, userdata, mid, granted, properties=None):
        self.subacks.put(granted)

    def _on_disconnect(self, client, userdata, rc, properties=None):
        self.disconnected.set()

    def connect(self, properties=None):
        """Connects and returns (flags, reason, properties) of the CONNACK."""
        if self.version == mqtt.MQTTv5:
            self.client.connect("127.0.0.1", self.port, keepalive=30, clean_start=self.clean,
                                properties=properties)
        else:
            self.client.connect("127.0.0.1", self.port, keepalive=30)
        self.client.loop_start()
        return self.connack.get(timeout=TIMEOUT)

    def subscribe(self, topic, qos):
        self.client.subscribe(topic, qos)
        return self.subacks.get(timeout=TIMEOUT)

    def publish(self, topic, payload, qos=0, retain=False, properties=None):
        info = self.client.publish(topic, payload, qos, retain, properties)
        info.wait_for_publish(TIMEOUT)
        self_assert(info.is_published(), f"publish to {topic} was not acknowledged")

    def next_message(self):
        return self.messages.get(timeout=TIMEOUT)

    def disconnect(self):
        self.client.disconnect()
        self.client.loop_stop()


def self_assert(condition, message):
    if not condition:
        raise AssertionError(message)


def reason_value(rc):
    """paho gives an int for 3.1.1 and a ReasonCodes object for v5."""
    return rc.value if hasattr(rc, "value") else rc


class PahoTests(unittest.TestCase):
    def test_v311_qos_0_1_2_round_trip(self):
        with AkasaServer() as server:
            sub = Paho(server.port, "sub311")
            self.assertEqual(reason_value(sub.connect()[1]), 0)
            self.assertEqual(list(sub.subscribe("paho/311/#", 2)), [2])
            pub = Paho(server.port, "pub311")
            pub.connect()
            for qos in (0, 1, 2):
                pub.publish(f"paho/311/q{qos}", f"hello {qos}".encode(), qos)
                msg = sub.next_message()
                self.assertEqual(msg.topic, f"paho/311/q{qos}")
                self.assertEqual(msg.payload, f"hello {qos}".encode())
                self.assertEqual(msg.qos, qos)
            pub.disconnect()
            sub.disconnect()

    def test_v5_user_properties_forwarded_in_order(self):
        with AkasaServer() as server:
            sub = Paho(server.port, "sub5", mqtt.MQTTv5)
            self.assertEqual(reason_value(sub.connect()[1]), 0)
            sub.subscribe("paho/5/t", 1)
            pub = Paho(server.port, "pub5", mqtt.MQTTv5)
            pub.connect()
            props = Properties(PacketTypes.PUBLISH)
            props.UserProperty = [("a", "1"), ("b", "2"), ("a", "3")]
            props.ContentType = "text/plain"
            props.ResponseTopic = "paho/5/reply"
            props.CorrelationData = b"\x00\x01"
            pub.publish("paho/5/t", b"v5", 1, properties=props)
            msg = sub.next_message()
            self.assertEqual(msg.payload, b"v5")
            self.assertEqual(msg.properties.UserProperty, [("a", "1"), ("b", "2"), ("a", "3")])
            self.assertEqual(msg.properties.ContentType, "text/plain")
            self.assertEqual(msg.properties.ResponseTopic, "paho/5/reply")
            self.assertEqual(msg.properties.CorrelationData, b"\x00\x01")
            pub.disconnect()
            sub.disconnect()

    def test_persistent_session_gets_qos1_and_qos2_messages_queued_while_offline(self):
        with AkasaServer() as server:
            sub = Paho(server.port, "offline-sub", clean=False)
            sub.connect()
            sub.subscribe("offline/#", 2)
            sub.disconnect()
            pub = Paho(server.port, "offline-pub")
            pub.connect()
            sent = []
            for i in range(20):
                qos = 1 + i % 2
                pub.publish(f"offline/q{qos}", f"m{i}".encode(), qos)
                sent.append((f"offline/q{qos}", f"m{i}".encode()))
            pub.disconnect()
            back = Paho(server.port, "offline-sub", clean=False)
            flags, rc, _ = back.connect()
            self.assertEqual(flags["session present"], 1)  # [MQTT-3.2.2-2]
            got = [(m.topic, m.payload) for m in (back.next_message() for _ in sent)]
            # Every message arrives; order is kept per topic [MQTT-4.6.0-6] (not across topics).
            for topic in ("offline/q1", "offline/q2"):
                self.assertEqual([m for m in got if m[0] == topic], [m for m in sent if m[0] == topic])
            back.disconnect()

    def test_v5_empty_client_id_gets_assigned_identifier(self):
        # [MQTT-3.1.3-7]/[MQTT-3.2.2-16]: the server assigns an id and returns it in CONNACK.
        with AkasaServer() as server:
            client = Paho(server.port, "", mqtt.MQTTv5)
            flags, rc, props = client.connect()
            self.assertEqual(reason_value(rc), 0)
            self.assertTrue(props.AssignedClientIdentifier)
            client.disconnect()

    def test_v5_session_expiry_keeps_session_across_reconnect(self):
        with AkasaServer() as server:
            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = 60
            first = Paho(server.port, "expiring", mqtt.MQTTv5, clean=False)
            flags, rc, _ = first.connect(props)
            self.assertEqual(flags["session present"], 0)
            first.subscribe("exp/t", 1)
            first.disconnect()
            again = Paho(server.port, "expiring", mqtt.MQTTv5, clean=False)
            flags, rc, _ = again.connect(props)
            self.assertEqual(flags["session present"], 1)  # [MQTT-3.2.2-3]
            again.disconnect()
            # Session Expiry Interval absent means 0: the session ends with the connection
            # [MQTT-3.1.2-23 ff.], so the next connection finds none.
            zero = Paho(server.port, "short-lived", mqtt.MQTTv5, clean=False)
            zero.connect()
            zero.disconnect()
            back = Paho(server.port, "short-lived", mqtt.MQTTv5, clean=False)
            flags, rc, _ = back.connect()
            self.assertEqual(flags["session present"], 0)
            back.disconnect()

    def test_takeover_disconnects_the_older_connection(self):
        # [MQTT-3.1.4-3]: the server disconnects the existing client with the same id.
        with AkasaServer() as server:
            first = Paho(server.port, "same-id", mqtt.MQTTv5)
            first.connect()
            second = Paho(server.port, "same-id", mqtt.MQTTv5)
            second.connect()
            self.assertTrue(first.disconnected.wait(TIMEOUT))
            first.client.loop_stop()
            second.disconnect()


class MosquittoClientTests(unittest.TestCase):
    def start_sub(self, port, *args):
        proc = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return proc

    def pub(self, port, *args):
        return subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), *args],
                              capture_output=True, text=True, timeout=TIMEOUT)

    def test_pub_sub_v311_and_v5(self):
        for version in ("mqttv311", "mqttv5"):
            with self.subTest(version=version), AkasaServer() as server:
                # -C 3 exits after three messages; the retained one proves the subscription
                # exists before the live ones are sent.
                self.assertEqual(self.pub(server.port, "-V", version, "-t", "ms/ready", "-r",
                                          "-m", "ready", "-q", "1").returncode, 0)
                sub = self.start_sub(server.port, "-V", version, "-t", "ms/#", "-q", "1",
                                     "-C", "3", "-v")
                first = sub.stdout.readline().strip()
                self.assertEqual(first, "ms/ready ready")
                for i in range(2):
                    result = self.pub(server.port, "-V", version, "-t", f"ms/{i}", "-m",
                                      f"v{i}", "-q", "1")
                    self.assertEqual(result.returncode, 0, result.stderr)
                out, err = sub.communicate(timeout=TIMEOUT)
                self.assertEqual(sub.returncode, 0, err)
                self.assertEqual(out.split("\n")[:2], ["ms/0 v0", "ms/1 v1"])

    def test_retained_message_cleared_by_empty_payload(self):
        with AkasaServer() as server:
            self.assertEqual(self.pub(server.port, "-t", "ret/a", "-r", "-m", "one").returncode, 0)
            sub = subprocess.run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(server.port),
                                  "-t", "ret/#", "-C", "1", "-v", "-W", str(TIMEOUT)],
                                 capture_output=True, text=True, timeout=TIMEOUT + 5)
            self.assertEqual(sub.stdout.strip(), "ret/a one")
            # [MQTT-3.3.1-10]: a zero-length retained payload removes the retained message.
            self.assertEqual(self.pub(server.port, "-t", "ret/a", "-r", "-n").returncode, 0)
            self.assertEqual(self.pub(server.port, "-t", "ret/b", "-r", "-m", "two").returncode, 0)
            sub = subprocess.run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(server.port),
                                  "-t", "ret/#", "-C", "1", "-v", "-W", str(TIMEOUT)],
                                 capture_output=True, text=True, timeout=TIMEOUT + 5)
            self.assertEqual(sub.stdout.strip(), "ret/b two")

    def test_will_published_when_client_dies(self):
        # [MQTT-3.1.2-8]: the will is published when the network connection closes abnormally.
        with AkasaServer() as server:
            watcher = Paho(server.port, "will-watcher")
            watcher.connect()
            watcher.subscribe("wills/#", 1)
            self.assertEqual(self.pub(server.port, "-t", "x/y", "-r", "-m", "hi").returncode, 0)
            doomed = self.start_sub(server.port, "-i", "doomed", "-t", "x/y", "--will-topic",
                                    "wills/doomed", "--will-payload", "gone", "--will-qos", "1")
            # Once it prints the retained message it is connected and subscribed.
            self.assertEqual(doomed.stdout.readline().strip(), "hi")
            doomed.send_signal(signal.SIGKILL)
            doomed.communicate()
            msg = watcher.next_message()
            self.assertEqual((msg.topic, msg.payload), ("wills/doomed", b"gone"))
            watcher.disconnect()

    def test_password_file_auth(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "passwords")
            subprocess.run([BINARY, "insert-password", "--create", "--path", path, "--username",
                            "alice"], input="secret\nsecret\n", text=True, check=True)
            with AkasaServer(allow_anonymous=False, password_file=path) as server:
                for version in ("mqttv311", "mqttv5"):
                    ok = self.pub(server.port, "-V", version, "-u", "alice", "-P", "secret",
                                  "-t", "a", "-m", "x")
                    self.assertEqual(ok.returncode, 0, ok.stderr)
                    bad = self.pub(server.port, "-V", version, "-u", "alice", "-P", "wrong",
                                   "-t", "a", "-m", "x")
                    self.assertNotEqual(bad.returncode, 0)
                    anon = self.pub(server.port, "-V", version, "-t", "a", "-m", "x")
                    self.assertNotEqual(anon.returncode, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
