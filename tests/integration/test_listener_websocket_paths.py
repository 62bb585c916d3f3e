"""Paths and subprotocols of the ws and wss listeners on the real binary (issue 16 item 3):
as in the Rust Akasa, the upgrade is accepted on any path unless the listener sets `path`,
and the `mqtt` subprotocol is needed only from a client that offers subprotocols."""

import socket
import ssl
import tempfile
import unittest

from listener_fixtures import (CONNACK_OK, TIMEOUT, Certificates, connect_packet,
                               node_mqtt_ready, recv_until_closed, require_tools,
                               start_node_client, wait_for_log)
from test_listener_websocket import (frame, messages, read_frame, read_http_head, run_node,
                                     upgrade_request, ws_server)
from test_start_errors import start_with

CERTS_DIR = None
CERTS = None


def setUpModule():
    global CERTS_DIR, CERTS
    require_tools("openssl", "node")
    node_mqtt_ready()
    CERTS_DIR = tempfile.TemporaryDirectory(prefix="akasa-ws-paths-certs-")
    CERTS = Certificates(CERTS_DIR.name)


def tearDownModule():
    CERTS_DIR.cleanup()


def upgrade(sock, path="/mqtt", protocol="mqtt"):
    """Sends an upgrade request; returns (status line, header fields by lower-case name, bytes
    after the head)."""
    sock.sendall(upgrade_request(path=path, protocol=protocol))
    head, rest = read_http_head(sock)
    status, *lines = head.split("\r\n")
    fields = {}
    for line in lines:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    return status, fields, rest


def connack_over(sock, rest, client_id):
    """CONNECT in a frame on an upgraded socket; returns the first frame's payload."""
    sock.sendall(frame(connect_packet(client_id)))
    opcode, payload, _ = read_frame(sock, rest)
    assert opcode == 0x2, opcode
    return payload


def pubsub_over_mqttjs(test, url, topic, version=4, **options):
    """MQTT.js subscribes to `topic`, publishes to it at QoS 1 and must get the message."""
    status, lines, err = run_node({"url": url, "protocolVersion": version, "subscribe": topic,
                                   "expect": 1, "publish": [{"topic": topic, "payload": url,
                                                              "qos": 1}], **options})
    test.assertEqual(status, 0, f"{url}: {lines} {err}")
    test.assertEqual([(m["topic"], m["text"]) for m in messages(lines)], [(topic, url)])


class AnyPathTests(unittest.TestCase):
    """No `path` key: every path upgrades, as in the Rust Akasa."""

    def test_mqttjs_on_root_on_mqtt_and_elsewhere_publishes_and_receives(self):
        with ws_server() as server:
            base = f"ws://127.0.0.1:{server.ws_port}"
            for i, path in enumerate(("/", "/mqtt", "/any/where?client=1")):
                for version in (4, 5):
                    with self.subTest(path=path, protocolVersion=version):
                        pubsub_over_mqttjs(self, base + path, f"paths/{i}/{version}", version)

    def test_mqttjs_on_root_receives_from_mqttjs_on_mqtt(self):
        with ws_server() as server:
            base = f"ws://127.0.0.1:{server.ws_port}"
            proc = start_node_client({"url": base + "/", "protocolVersion": 5,
                                      "subscribe": "across/#", "expect": 1})
            try:
                line = proc.stdout.readline().strip()
                self.assertEqual(line, "CONNECTED", proc.stderr.read() if not line else line)
                self.assertEqual(proc.stdout.readline().strip(), "SUBSCRIBED 2")
                status, lines, err = run_node({"url": base + "/mqtt", "publish": [
                    {"topic": "across/1", "payload": "from /mqtt", "qos": 2}]})
                self.assertEqual(status, 0, f"{lines} {err}")
                out, err = proc.communicate(timeout=TIMEOUT)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.communicate()
            self.assertEqual(proc.returncode, 0, out + err)
            self.assertEqual([(m["topic"], m["text"]) for m in messages(out.splitlines())],
                             [("across/1", "from /mqtt")])

    def test_raw_upgrade_on_root_without_a_subprotocol(self):
        # Older clients and plain WebSocket libraries offer no subprotocol: accepted, and the
        # 101 names none (RFC 6455 4.2.2).
        with ws_server() as server, socket.create_connection(
                ("127.0.0.1", server.ws_port), timeout=TIMEOUT) as sock:
            status, fields, rest = upgrade(sock, path="/", protocol=None)
            self.assertTrue(status.startswith("HTTP/1.1 101 "), status)
            self.assertNotIn("sec-websocket-protocol", fields)
            self.assertEqual(connack_over(sock, rest, "no-subprotocol"), CONNACK_OK)
            wait_for_log(server, "client no-subprotocol connected from 127.0.0.1:")

    def test_mqtt_is_chosen_when_offered_mqttv31_only_without_it_others_refused(self):
        with ws_server() as server:
            # [MQTT-6.0.0-4]: the server returns "mqtt", wherever the client lists it.
            for offer, chosen in (("mqttv3.1, mqtt", "mqtt"), ("chat, mqtt", "mqtt"),
                                  ("mqttv3.1", "mqttv3.1")):
                with self.subTest(offer=offer), socket.create_connection(
                        ("127.0.0.1", server.ws_port), timeout=TIMEOUT) as sock:
                    status, fields, rest = upgrade(sock, path="/", protocol=offer)
                    self.assertTrue(status.startswith("HTTP/1.1 101 "), status)
                    self.assertEqual(fields.get("sec-websocket-protocol"), chosen)
                    self.assertEqual(connack_over(sock, rest, "offer"), CONNACK_OK)
            # Only other subprotocols (names are case-sensitive): 400, closed, logged.
            with socket.create_connection(("127.0.0.1", server.ws_port),
                                          timeout=TIMEOUT) as sock:
                sock.sendall(upgrade_request(path="/", protocol="stomp, MQTT"))
                response = recv_until_closed(sock)
            self.assertTrue(response.startswith(b"HTTP/1.1 400 "), response)
            self.assertIn(b"Connection: close", response)
            wait_for_log(server, 'WebSocket upgrade: subprotocols offered "stomp, MQTT" '
                                 'include neither mqtt nor mqttv3.1')


class PathKeyTests(unittest.TestCase):
    """`path` set: that path alone upgrades (its query ignored), others get 404."""

    def assert_404(self, sock, path):
        sock.sendall(upgrade_request(path=path))
        response = recv_until_closed(sock)  # the server closes after the answer
        self.assertTrue(response.startswith(b"HTTP/1.1 404 "), response)
        self.assertIn(b"Connection: close", response)
        self.assertIn(b"use /mqtt", response)

    def test_ws_path_restricts_the_upgrade(self):
        with ws_server(ws_keys="path: /mqtt") as server:
            wait_for_log(server, "WebSocket on /mqtt")  # the listener's start line
            base = f"ws://127.0.0.1:{server.ws_port}"
            pubsub_over_mqttjs(self, base + "/mqtt", "restricted/1")
            pubsub_over_mqttjs(self, base + "/mqtt?token=abc", "restricted/2", version=5)
            status, lines, err = run_node({"url": base + "/"})
            self.assertNotEqual(status, 0, lines)
            self.assertNotIn("CONNECTED", lines)
            for path in ("/", "/mqtt/", "/other?x=/mqtt"):
                with self.subTest(path=path), socket.create_connection(
                        ("127.0.0.1", server.ws_port), timeout=TIMEOUT) as sock:
                    self.assert_404(sock, path)
            log = wait_for_log(server, 'WebSocket upgrade: path "/other" is not '
                                       'listeners.ws.path (/mqtt)')
            self.assertIn('path "/" is not listeners.ws.path (/mqtt)', log)

    def test_wss_path_restricts_the_upgrade(self):
        with ws_server(wss={}, wss_keys="path: /broker", certs=CERTS) as server:
            context = ssl.create_default_context(cafile=CERTS.ca)
            for path, expected in (("/broker?v=5", "101"), ("/mqtt", "404")):
                with self.subTest(path=path), socket.create_connection(
                        ("127.0.0.1", server.wss_port), timeout=TIMEOUT) as raw, \
                        context.wrap_socket(raw, server_hostname="localhost") as sock:
                    status, _, rest = upgrade(sock, path=path)
                    self.assertTrue(status.startswith(f"HTTP/1.1 {expected} "), status)
                    if expected == "101":
                        self.assertEqual(connack_over(sock, rest, "wss-path"), CONNACK_OK)
            wait_for_log(server, 'path "/mqtt" is not listeners.wss.path (/broker)')
            # The ws listener of the same server has no path: anything goes there.
            with socket.create_connection(("127.0.0.1", server.ws_port),
                                          timeout=TIMEOUT) as sock:
                status, _, _ = upgrade(sock, path="/mqtt")
                self.assertTrue(status.startswith("HTTP/1.1 101 "), status)

    def test_a_path_that_does_not_start_with_a_slash_stops_the_start(self):
        result = start_with("listeners:\n  ws:\n    addr: 127.0.0.1:0\n    path: mqtt\n"
                            "auth:\n  enable: false\n")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("listeners.ws.path", result.stderr)
        self.assertIn("must start with '/'", result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
