"""The `ws` and `wss` listeners (issue 5 item 2) of the real binary: MQTT.js (npm `mqtt`)
over ws and wss (server and mutual TLS authentication), paho over WebSocket, and raw
sockets for what clients do not do on their own: bad upgrade requests get an HTTP error
response, a packet split over frames, pings, the close handshake, unmasked frames."""

import base64
import json
import os
import socket
import struct
import tempfile
import time
import unittest
import urllib.request

from akasa_harness import AkasaServer, free_port
from listener_fixtures import (CONNACK_OK, TIMEOUT, Certificates, PahoClient, connect_packet,
                               node_mqtt_ready, recv_exactly, recv_until_closed,
                               require_tools, start_node_client, tls_listener_yaml,
                               wait_for_log)

CERTS_DIR = None
CERTS = None


def setUpModule():
    global CERTS_DIR, CERTS
    require_tools("openssl", "node")
    node_mqtt_ready()
    CERTS_DIR = tempfile.TemporaryDirectory(prefix="akasa-ws-certs-")
    CERTS = Certificates(CERTS_DIR.name)


def tearDownModule():
    CERTS_DIR.cleanup()


def ws_server(wss=None, extra_yaml="", http=None, ws_keys="", wss_keys="", certs=None):
    """A server with a ws listener, and a wss one when `wss` holds its TLS options (with
    `certs`, default this module's); `ws_keys` / `wss_keys`: more keys of each listener (YAML
    lines, e.g. "path: /mqtt")."""
    ws_port, wss_port = free_port(), free_port()
    listeners = f"ws:\n  addr: 127.0.0.1:{ws_port}\n" + indented(ws_keys)
    ports = [ws_port]
    if wss is not None:
        listeners += tls_listener_yaml("wss", wss_port, certs or CERTS, **wss) + indented(wss_keys)
        ports.append(wss_port)
    server = AkasaServer(listeners=listeners, wait_ports=ports, extra_yaml=extra_yaml,
                         http=http)
    server.ws_port, server.wss_port = ws_port, wss_port
    return server


def indented(keys):
    return "".join(f"  {line}\n" for line in keys.splitlines())


def run_node(options, timeout=TIMEOUT + 10):
    """Runs the MQTT.js client to the end; returns (exit status, event lines, stderr)."""
    proc = start_node_client(options)
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out.splitlines(), err


def messages(lines):
    return [json.loads(line[len("MESSAGE "):]) for line in lines if line.startswith("MESSAGE ")]


# --- raw WebSocket client ---

def upgrade_request(path="/mqtt", protocol="mqtt", extra=""):
    """An upgrade request; `protocol` None sends no Sec-WebSocket-Protocol field."""
    key = base64.b64encode(os.urandom(16)).decode()
    offer = "" if protocol is None else f"Sec-WebSocket-Protocol: {protocol}\r\n"
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\n{offer}{extra}\r\n").encode()


def frame(payload, opcode=0x2, fin=True, masked=True):
    first = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        header = bytes([first, (0x80 if masked else 0) | n])
    else:
        header = bytes([first, (0x80 if masked else 0) | 126]) + struct.pack("!H", n)
    if not masked:
        return header + payload
    mask = os.urandom(4)
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def read_http_head(sock):
    sock.settimeout(TIMEOUT)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise AssertionError(f"closed before the response head: {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode(), rest


def read_frame(sock, buffered=b""):
    """One server frame: (opcode, payload, rest of the buffer)."""
    data = buffered
    while len(data) < 2:
        data += recv_exactly(sock, 2 - len(data))
    n = data[1] & 0x7F
    offset = 2
    if n == 126:
        while len(data) < 4:
            data += recv_exactly(sock, 4 - len(data))
        n = struct.unpack("!H", data[2:4])[0]
        offset = 4
    while len(data) < offset + n:
        more = recv_exactly(sock, offset + n - len(data))
        if not more:
            raise AssertionError("closed mid-frame")
        data += more
    if data[1] & 0x80:
        raise AssertionError("server frames must not be masked")
    return data[0] & 0x0F, data[offset:offset + n], data[offset + n:]


def open_websocket(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    sock.sendall(upgrade_request())
    head, rest = read_http_head(sock)
    if not head.startswith("HTTP/1.1 101 "):
        raise AssertionError(f"upgrade refused: {head}")
    return sock, rest


class MqttJsTests(unittest.TestCase):
    def test_mqttjs_over_ws_qos_0_1_2_v311_and_v5(self):
        with ws_server() as server:
            for version in (4, 5):
                with self.subTest(protocolVersion=version):
                    topic = f"js/ws/{version}"
                    status, lines, err = run_node({
                        "url": f"ws://127.0.0.1:{server.ws_port}/mqtt",
                        "protocolVersion": version, "subscribe": topic + "/#", "expect": 3,
                        "publish": [{"topic": f"{topic}/{q}", "payload": f"q{q}", "qos": q}
                                    for q in (0, 1, 2)]})
                    self.assertEqual(status, 0, f"{lines} {err}")
                    got = sorted((m["topic"], m["text"], m["qos"]) for m in messages(lines))
                    self.assertEqual(got, [(f"{topic}/{q}", f"q{q}", q) for q in (0, 1, 2)])
                    self.assertIn("SUBSCRIBED 2", lines)

    def test_mqttjs_large_message_over_ws(self):
        # 300 KB: many TCP reads and, on the way back, several WebSocket frames.
        with ws_server() as server:
            status, lines, err = run_node({
                "url": f"ws://127.0.0.1:{server.ws_port}/mqtt", "subscribe": "js/big",
                "expect": 1, "publish": [{"topic": "js/big", "size": 300000, "qos": 1}]})
            self.assertEqual(status, 0, f"{lines} {err}")
            [message] = messages(lines)
            self.assertEqual((message["size"], message["intact"]), (300000, True))

    def test_mqttjs_over_ws_receives_from_a_plain_tcp_publisher(self):
        with ws_server() as server:
            proc = start_node_client({"url": f"ws://127.0.0.1:{server.ws_port}/mqtt",
                                      "subscribe": "cross/#", "expect": 1})
            try:
                line = proc.stdout.readline().strip()
                self.assertEqual(line, "CONNECTED", proc.stderr.read() if not line else line)
                self.assertEqual(proc.stdout.readline().strip(), "SUBSCRIBED 2")
                paho = PahoClient(server.port, "plain-pub")
                self.assertEqual(paho.connect("127.0.0.1"), 0)
                paho.publish("cross/1", b"tcp to ws", 1)
                paho.disconnect()
                out, err = proc.communicate(timeout=TIMEOUT)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.communicate()
            self.assertEqual(proc.returncode, 0, out + err)
            self.assertEqual([(m["topic"], m["text"]) for m in messages(out.splitlines())],
                             [("cross/1", "tcp to ws")])

    def test_mqttjs_over_wss_with_cafile(self):
        with ws_server(wss={}) as server:
            status, lines, err = run_node({
                "url": f"wss://localhost:{server.wss_port}/mqtt", "ca": CERTS.ca,
                "subscribe": "js/wss", "expect": 1,
                "publish": [{"topic": "js/wss", "payload": "secure", "qos": 1}]})
            self.assertEqual(status, 0, f"{lines} {err}")
            self.assertEqual([m["text"] for m in messages(lines)], ["secure"])

    def test_mqttjs_over_wss_with_client_certificate(self):
        with ws_server(wss={"verify_peer": True, "fail_if_no_peer_cert": True}) as server:
            url = f"wss://localhost:{server.wss_port}/mqtt"
            status, lines, err = run_node({
                "url": url, "ca": CERTS.ca, "cert": CERTS.client_cert, "key": CERTS.client_key,
                "subscribe": "js/mtls", "expect": 1,
                "publish": [{"topic": "js/mtls", "payload": "mutual", "qos": 2}]})
            self.assertEqual(status, 0, f"{lines} {err}")
            self.assertEqual([m["text"] for m in messages(lines)], ["mutual"])
            # Without a certificate, and with one from another CA: refused in the handshake.
            for extra in ({}, {"cert": CERTS.stranger_cert, "key": CERTS.stranger_key}):
                status, lines, err = run_node({"url": url, "ca": CERTS.ca, **extra})
                self.assertNotEqual(status, 0, lines)
                self.assertNotIn("CONNECTED", lines)
            log = wait_for_log(server, "TLS handshake")
            self.assertEqual(log.count(" connected from "), 1, log)

    def test_paho_over_websocket(self):
        with ws_server(wss={}) as server:
            sub = PahoClient(server.wss_port, "paho-wss", ca=CERTS.ca, transport="websockets")
            self.assertEqual(sub.connect(), 0)
            sub.subscribe("paho/ws", 1)
            pub = PahoClient(server.ws_port, "paho-ws", transport="websockets")
            self.assertEqual(pub.connect("127.0.0.1"), 0)
            pub.publish("paho/ws", b"ws to wss", 1)
            self.assertEqual(sub.next_message().payload, b"ws to wss")
            pub.disconnect()
            sub.disconnect()


class ListenerMetricsTests(unittest.TestCase):
    def test_connections_are_counted_per_listener(self):
        def scrape(server):
            url = f"http://127.0.0.1:{server.http_port}/metrics"
            with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
                text = response.read().decode()
            return {line.split(" ")[0]: float(line.split(" ")[1]) for line in text.splitlines()
                    if line.startswith("akasa_listener_connections_")}

        def settled(server):
            """The counts once the harness's port probes have been accepted and closed: no
            connection current, and the same counts in two scrapes 0.2 s apart (a probe still
            in the listen backlog is counted only when a worker accepts it)."""
            deadline = time.monotonic() + TIMEOUT
            previous = None
            while True:
                counts = scrape(server)
                idle = all(v == 0 for k, v in counts.items() if "_current" in k)
                if idle and counts == previous:
                    return counts
                if time.monotonic() > deadline:
                    raise AssertionError(f"connections still counted: {counts}")
                previous = counts if idle else None
                time.sleep(0.2)

        with ws_server(wss={}, http="") as server:
            before = settled(server)
            ws = PahoClient(server.ws_port, "count-ws", transport="websockets")
            self.assertEqual(ws.connect("127.0.0.1"), 0)
            wss = PahoClient(server.wss_port, "count-wss", ca=CERTS.ca, transport="websockets")
            self.assertEqual(wss.connect(), 0)
            after = scrape(server)
            for kind in ("ws", "wss"):
                total = f'akasa_listener_connections_total{{listener="{kind}"}}'
                current = f'akasa_listener_connections_current{{listener="{kind}"}}'
                self.assertEqual(after[total], before[total] + 1, after)
                self.assertEqual(after[current], before[current] + 1, after)
            self.assertEqual(after['akasa_listener_connections_current{listener="mqtt"}'],
                             before['akasa_listener_connections_current{listener="mqtt"}'])
            ws.disconnect()
            wss.disconnect()


class RawWebSocketTests(unittest.TestCase):
    def assert_http_error(self, port, request, status):
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
            sock.sendall(request)
            response = recv_until_closed(sock)
        self.assertTrue(response.startswith(f"HTTP/1.1 {status} ".encode()), response)
        self.assertIn(b"Connection: close", response)

    def test_bad_upgrades_get_an_http_error_response(self):
        with ws_server() as server:
            port = server.ws_port
            self.assert_http_error(port, b"POST /mqtt HTTP/1.1\r\nHost: x\r\n\r\n", 405)
            self.assert_http_error(port, b"GET /mqtt HTTP/1.1\r\nHost: x\r\n\r\n", 426)
            self.assert_http_error(port, upgrade_request(protocol="stomp"), 400)
            self.assert_http_error(port, connect_packet("not-http") + b"\r\n\r\n", 400)
            self.assert_http_error(port, b"GET /mqtt HTTP/1.1\r\nX: " + b"a" * 9000 +
                                   b"\r\n\r\n", 431)
            log = wait_for_log(server, "WebSocket upgrade")
            self.assertNotIn(" connected from ", log)

    def test_packet_split_over_frames_ping_and_close_handshake(self):
        with ws_server() as server:
            sock, rest = open_websocket(server.ws_port)
            with sock:
                connect = connect_packet("raw-ws")
                pingreq = b"\xc0\x00"
                # CONNECT in two fragments with a ping between them; PINGREQ in the same
                # frame as the end of the CONNECT.
                sock.sendall(frame(connect[:5], opcode=0x2, fin=False) +
                             frame(b"are you there", opcode=0x9) +
                             frame(connect[5:] + pingreq, opcode=0x0))
                opcode, payload, rest = read_frame(sock, rest)
                self.assertEqual((opcode, payload), (0xA, b"are you there"))
                mqtt = b""
                while len(mqtt) < 6:
                    opcode, payload, rest = read_frame(sock, rest)
                    self.assertEqual(opcode, 0x2)
                    mqtt += payload
                self.assertEqual(mqtt, CONNACK_OK + b"\xd0\x00")
                wait_for_log(server, "client raw-ws connected from 127.0.0.1:")
                sock.sendall(frame(struct.pack("!H", 1000), opcode=0x8))
                opcode, payload, rest = read_frame(sock, rest)
                self.assertEqual((opcode, payload), (0x8, struct.pack("!H", 1000)))
                self.assertEqual(recv_until_closed(sock), b"")
            wait_for_log(server, "client raw-ws disconnected")

    def test_disconnect_then_close_handshake_ends_without_a_reset(self):
        # After DISCONNECT the server sends its close frame and reads the client's answer
        # before closing: the client's close frame must not meet a closed socket (RST).
        with ws_server() as server:
            sock, rest = open_websocket(server.ws_port)
            with sock:
                sock.sendall(frame(connect_packet("polite")))
                opcode, payload, rest = read_frame(sock, rest)
                self.assertEqual(payload, CONNACK_OK)
                sock.sendall(frame(b"\xe0\x00"))  # DISCONNECT
                opcode, payload, rest = read_frame(sock, rest)
                self.assertEqual((opcode, payload), (0x8, struct.pack("!H", 1000)))
                sock.sendall(frame(struct.pack("!H", 1000), opcode=0x8))
                sock.settimeout(TIMEOUT)
                self.assertEqual(sock.recv(100), b"")  # FIN, not ConnectionResetError
            wait_for_log(server, "client polite disconnected")

    def test_unmasked_client_frame_is_closed_with_1002(self):
        with ws_server() as server:
            sock, rest = open_websocket(server.ws_port)
            with sock:
                sock.sendall(frame(connect_packet("unmasked"), masked=False))
                opcode, payload, rest = read_frame(sock, rest)
                self.assertEqual(opcode, 0x8)
                self.assertEqual(struct.unpack("!H", payload[:2])[0], 1002)
            wait_for_log(server, "not masked")

    def test_server_closing_for_mqtt_reasons_sends_a_close_frame(self):
        # A second CONNECT is a protocol error: the server closes, WebSocket-style.
        with ws_server() as server:
            sock, rest = open_websocket(server.ws_port)
            with sock:
                sock.sendall(frame(connect_packet("twice")))
                opcode, payload, rest = read_frame(sock, rest)
                self.assertEqual(payload, CONNACK_OK)
                sock.sendall(frame(connect_packet("twice")))
                opcode, payload, rest = read_frame(sock, rest)
                self.assertEqual(opcode, 0x8)
                self.assertEqual(struct.unpack("!H", payload[:2])[0], 1000)

    def test_server_shutdown_sends_going_away(self):
        # RFC 6455 7.4.1: 1001 "going away" when the server goes down; a v5 client first
        # gets DISCONNECT 0x8B [MQTT-3.14.2-1].
        server = ws_server()
        with server:
            sock, rest = open_websocket(server.ws_port)
            with sock:
                body = b"\x00\x04MQTT\x05\x02\x00\x1e\x00\x00\x07leaving"  # v5, no properties
                sock.sendall(frame(bytes([0x10, len(body)]) + body))
                opcode, payload, rest = read_frame(sock, rest)
                self.assertEqual(payload[0], 0x20)  # CONNACK
                server.stop()
                opcode, payload, rest = read_frame(sock, rest)
                self.assertEqual((opcode, payload[0], payload[2]), (0x2, 0xE0, 0x8B))
                opcode, payload, rest = read_frame(sock, rest)
                self.assertEqual(opcode, 0x8)
                self.assertEqual(struct.unpack("!H", payload[:2])[0], 1001)


if __name__ == "__main__":
    unittest.main(verbosity=2)
