"""The `http` listener (issue 5 item 4) of the real binary, driven with curl and raw
sockets: GET /health (JSON), GET /metrics (Prometheus text that follows the exposition
format and counts live traffic from paho clients), 404 / 405 / 400 / 431, prometheus:
false, keep-alive, and closing idle connections after connect_timeout."""

import json
import queue
import socket
import subprocess
import time
import unittest

import paho.mqtt.client as mqtt

from akasa_harness import AkasaServer, wait_for_log
from hook_test_support import RawClient
from prometheus_support import parse_prometheus

TIMEOUT = 10


def curl(url, *args):
    """Runs curl; returns (status code, body, curl's verbose stderr)."""
    done = subprocess.run(
        ["curl", "-sS", "-v", "--max-time", str(TIMEOUT), "-o", "-", "-w", "\n%{http_code}",
         *args, url],
        capture_output=True, text=True, timeout=TIMEOUT + 5, check=True)
    body, _, code = done.stdout.rpartition("\n")
    return int(code), body, done.stderr


def scrape(server):
    code, body, _ = curl(f"http://127.0.0.1:{server.http_port}/metrics")
    if code != 200:
        raise AssertionError(f"/metrics answered {code}")
    return parse_prometheus(body)


def read_response(sock, buffered=b""):
    """Reads one HTTP response with a Content-Length; returns (status, headers, body, rest)."""
    data = buffered
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise AssertionError(f"connection closed mid-response: {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("ascii").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
    length = int(headers["content-length"])
    while len(rest) < length:
        chunk = sock.recv(4096)
        if not chunk:
            raise AssertionError("connection closed mid-body")
        rest += chunk
    return status, headers, rest[:length], rest[length:]


def wait_for_close(sock):
    """Reads until the server closes; returns what it sent meanwhile."""
    sock.settimeout(TIMEOUT)
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            return data
        data += chunk


class HttpListenerTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = AkasaServer(http="").__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def url(self, path):
        return f"http://127.0.0.1:{self.server.http_port}{path}"

    def test_health_is_json(self):
        code, body, _ = curl(self.url("/health"))
        self.assertEqual(code, 200)
        report = json.loads(body)
        self.assertEqual(report["status"], "ok")
        self.assertIsInstance(report["version"], str)
        self.assertGreaterEqual(report["uptime_seconds"], 0)
        self.assertGreaterEqual(report["connections"], 0)

    def test_metrics_follow_the_exposition_format(self):
        code, _, verbose = curl(self.url("/metrics"))
        self.assertEqual(code, 200)
        self.assertIn("text/plain; version=0.0.4", verbose)
        samples = scrape(self.server)
        for family in ("akasa_connections_current", "akasa_sessions_current",
                       "akasa_subscriptions_current", "akasa_retained_messages_current",
                       "akasa_bytes_received_total"):
            self.assertIn((family, ""), samples)
        self.assertIn(("akasa_messages_received_total", '{qos="1"}'), samples)

    def test_metrics_count_live_traffic(self):
        before = scrape(self.server)
        acked = queue.Queue()
        subscribed = queue.Queue()
        client = mqtt.Client(client_id="http-metrics-pub", protocol=mqtt.MQTTv311)
        client.on_publish = lambda c, u, mid: acked.put(mid)
        client.on_subscribe = lambda c, u, mid, granted: subscribed.put(granted)
        client.connect("127.0.0.1", self.server.port, keepalive=30)
        client.loop_start()
        try:
            client.subscribe("http/metrics/sub/#", 1)
            subscribed.get(timeout=TIMEOUT)
            count = 5
            for i in range(count):
                client.publish("http/metrics/topic", f"m{i}".encode(), qos=1)
            client.publish("http/metrics/retained", b"kept", qos=1, retain=True)
            for _ in range(count + 1):
                acked.get(timeout=TIMEOUT)  # PUBACK: the broker has counted the PUBLISH
            after = scrape(self.server)
            received = ("akasa_messages_received_total", '{qos="1"}')
            self.assertGreaterEqual(after[received] - before[received], count + 1)
            self.assertGreaterEqual(after[("akasa_connections_current", "")], 1)
            self.assertGreaterEqual(after[("akasa_sessions_current", "")], 1)
            self.assertGreaterEqual(after[("akasa_subscriptions_current", "")], 1)
            self.assertGreaterEqual(after[("akasa_retained_messages_current", "")], 1)
            self.assertGreater(after[("akasa_bytes_received_total", "")],
                               before[("akasa_bytes_received_total", "")])
        finally:
            client.publish("http/metrics/retained", b"", qos=1, retain=True)
            client.disconnect()
            client.loop_stop()

    def test_online_clients_under_our_name_and_akasas(self):
        # Issue 16 item 7: the Rust Akasa's gauge, ONLINE_CLIENTS, for existing scrapes.
        with AkasaServer(http="") as server:
            clients = [RawClient(server.port, f"online-{i}", 4) for i in range(3)]
            for c in clients:
                self.assertEqual(c.connect(), 0)
            raw = socket.create_connection(("127.0.0.1", server.port))  # no CONNECT: not a client
            samples = scrape(server)
            self.assertEqual(samples[("ONLINE_CLIENTS", "")], 3)
            self.assertEqual(samples[("akasa_clients_online", "")], 3)
            clients[0].send(0xE0, b"")  # DISCONNECT
            wait_for_log(server, "client online-0 disconnected")
            # Logged just before the gauge changes, on the worker thread: poll briefly.
            deadline = time.monotonic() + TIMEOUT
            while scrape(server)[("ONLINE_CLIENTS", "")] != 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertEqual(scrape(server)[("ONLINE_CLIENTS", "")], 2)
            for c in clients:
                c.close()
            raw.close()

    def test_unknown_path_is_404(self):
        code, _, _ = curl(self.url("/nothing-here"))
        self.assertEqual(code, 404)

    def test_post_is_405_with_allow(self):
        code, _, verbose = curl(self.url("/health"), "-X", "POST", "-d", "x=1")
        self.assertEqual(code, 405)
        self.assertRegex(verbose, r"(?im)^< allow: GET")

    def test_keep_alive_reuses_the_connection_with_curl(self):
        done = subprocess.run(
            ["curl", "-sS", "-v", "--max-time", str(TIMEOUT), "-o", "/dev/null", "-o",
             "/dev/null", self.url("/health"), self.url("/metrics")],
            capture_output=True, text=True, timeout=TIMEOUT + 5, check=True)
        self.assertIn("Re-using existing connection", done.stderr)

    def test_keep_alive_and_pipelining_on_a_raw_socket(self):
        request = f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{self.server.http_port}\r\n\r\n"
        with socket.create_connection(("127.0.0.1", self.server.http_port), TIMEOUT) as sock:
            sock.sendall(request.encode())
            status, _, body, rest = read_response(sock)
            self.assertEqual(status, 200)
            self.assertEqual(json.loads(body)["status"], "ok")
            self.assertEqual(rest, b"")
            # The same connection serves two more requests sent in one write.
            sock.sendall((request + request.replace("/health", "/missing")).encode())
            status, _, _, rest = read_response(sock)
            self.assertEqual(status, 200)
            status, _, _, rest = read_response(sock, rest)
            self.assertEqual(status, 404)

    def test_half_closed_client_still_gets_its_response(self):
        # Like `printf 'GET ...' | nc`: the request, then FIN before the answer.
        request = f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{self.server.http_port}\r\n\r\n"
        with socket.create_connection(("127.0.0.1", self.server.http_port), TIMEOUT) as sock:
            sock.sendall(request.encode())
            sock.shutdown(socket.SHUT_WR)
            reply = wait_for_close(sock)
            self.assertTrue(reply.startswith(b"HTTP/1.1 200 "), reply[:60])
            self.assertIn(b'"status":"ok"', reply)

    def test_malformed_request_is_400_and_closed(self):
        with socket.create_connection(("127.0.0.1", self.server.http_port), TIMEOUT) as sock:
            sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            reply = wait_for_close(sock)
            self.assertTrue(reply.startswith(b"HTTP/1.1 400 "), reply[:60])

    def test_oversized_head_is_refused_and_closed(self):
        with socket.create_connection(("127.0.0.1", self.server.http_port), TIMEOUT) as sock:
            head = b"GET /health HTTP/1.1\r\nX-Filler: " + b"a" * 20000 + b"\r\n\r\n"
            try:
                sock.sendall(head)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may answer and close before taking it all
            reply = wait_for_close(sock)
            self.assertTrue(reply.startswith(b"HTTP/1.1 431 "), reply[:60])


class HttpListenerOptionsTests(unittest.TestCase):
    def test_prometheus_false_hides_metrics(self):
        with AkasaServer(http="prometheus: false") as server:
            code, _, _ = curl(f"http://127.0.0.1:{server.http_port}/metrics")
            self.assertEqual(code, 404)
            code, body, _ = curl(f"http://127.0.0.1:{server.http_port}/health")
            self.assertEqual(code, 200)
            self.assertEqual(json.loads(body)["status"], "ok")

    def test_idle_connection_closed_after_connect_timeout(self):
        with AkasaServer(extra_yaml="connect_timeout: 1\n", http="") as server:
            with socket.create_connection(("127.0.0.1", server.http_port), TIMEOUT) as sock:
                # A started request that never completes: the server gives up on it.
                sock.sendall(b"GET /health HTTP/1.1\r\n")
                self.assertEqual(wait_for_close(sock), b"")


if __name__ == "__main__":
    unittest.main(verbosity=2)
