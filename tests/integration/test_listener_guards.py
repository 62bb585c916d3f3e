"""Who may use a listener, on the real binary: `allowed_origins` on ws/wss (a browser page of
another site must not open a WebSocket: cross-site WebSocket hijacking) and
`proxy_allowed_sources` on PROXY listeners (only the proxies may send the trusted PROXY
header; anyone else could claim any client address)."""

import gc
import socket
import ssl
import tempfile
import unittest
import warnings

from akasa_harness import AkasaServer, free_port
from listener_fixtures import (CONNACK_OK, TIMEOUT, Certificates, PahoClient, connect_packet,
                               node_mqtt_ready, recv_exactly, recv_until_closed, require_tools,
                               start_node_client, tls_listener_yaml, wait_for_log)
from test_listener_proxy import v2_header
from test_listener_websocket import frame, read_frame, read_http_head, upgrade_request

CERTS_DIR = None
CERTS = None
APP = "https://app.example.com"


def setUpModule():
    global CERTS_DIR, CERTS
    require_tools("openssl", "node")
    node_mqtt_ready()
    CERTS_DIR = tempfile.TemporaryDirectory(prefix="akasa-guards-certs-")
    CERTS = Certificates(CERTS_DIR.name)


def tearDownModule():
    CERTS_DIR.cleanup()


def origin_header(origin):
    return b"" if origin is None else b"Origin: " + origin + b"\r\n"


def upgrade(sock, origin):
    """Sends an upgrade request with `origin` (bytes, or None for no Origin header); returns
    the response head and the bytes after it."""
    sock.sendall(upgrade_request(extra=origin_header(origin).decode("latin-1")))
    return read_http_head(sock)


def mqtt_over(sock, rest, client_id):
    """CONNECT in a frame on an upgraded socket; returns the CONNACK frame's payload."""
    sock.sendall(frame(connect_packet(client_id)))
    opcode, payload, _ = read_frame(sock, rest)
    assert opcode == 0x2, opcode
    return payload


class AllowedOriginsTests(unittest.TestCase):
    def test_listed_origin_upgrades_unlisted_is_403_none_upgrades(self):
        ws_port = free_port()
        listeners = (f"ws:\n  addr: 127.0.0.1:{ws_port}\n"
                     f"  allowed_origins: [\"{APP}\", \"http://localhost:3000\"]\n")
        with AkasaServer(listeners=listeners, wait_ports=[ws_port]) as server:
            # Listed (scheme and host are case-insensitive): 101, and MQTT works over it.
            with socket.create_connection(("127.0.0.1", ws_port), timeout=TIMEOUT) as sock:
                head, rest = upgrade(sock, b"HTTPS://App.Example.com")
                self.assertTrue(head.startswith("HTTP/1.1 101 "), head)
                self.assertEqual(mqtt_over(sock, rest, "listed-origin"), CONNACK_OK)
            wait_for_log(server, "client listed-origin connected from 127.0.0.1:")

            # Not listed: 403 and closed, before any MQTT.
            for origin in (b"https://evil.example", b"https://app.example.com.evil.example",
                           b"http://localhost:3001", b"null"):
                with self.subTest(origin=origin), socket.create_connection(
                        ("127.0.0.1", ws_port), timeout=TIMEOUT) as sock:
                    local_port = sock.getsockname()[1]
                    sock.sendall(upgrade_request(extra=origin_header(origin).decode()) +
                                 frame(connect_packet("evil-origin")))
                    response = recv_until_closed(sock)
                    self.assertTrue(response.startswith(b"HTTP/1.1 403 Forbidden\r\n"), response)
                    self.assertIn(b"Connection: close", response)
                    self.assertNotIn(b"\x20\x02", response.partition(b"\r\n\r\n")[2])
                    wait_for_log(server, f"closing connection from 127.0.0.1:{local_port}: "
                                 f"WebSocket upgrade: origin \"{origin.decode()}\" is not in "
                                 f"listeners.ws.allowed_origins")

            # No Origin at all (a client that is not a browser): 101 and MQTT.
            with socket.create_connection(("127.0.0.1", ws_port), timeout=TIMEOUT) as sock:
                head, rest = upgrade(sock, None)
                self.assertTrue(head.startswith("HTTP/1.1 101 "), head)
                self.assertEqual(mqtt_over(sock, rest, "no-origin"), CONNACK_OK)
            log = wait_for_log(server, "client no-origin connected from 127.0.0.1:")
            self.assertNotIn("client evil-origin connected", log)

    def test_the_origin_in_the_log_is_escaped(self):
        ws_port = free_port()
        listeners = f"ws:\n  addr: 127.0.0.1:{ws_port}\n  allowed_origins: [\"{APP}\"]\n"
        with AkasaServer(listeners=listeners, wait_ports=[ws_port]) as server:
            with socket.create_connection(("127.0.0.1", ws_port), timeout=TIMEOUT) as sock:
                # U+009B (CSI, a terminal control) goes out in UTF-8: bytes c2 9b.
                sock.sendall(upgrade_request(extra='Origin: https://a"b\u009b\r\n'))
                self.assertTrue(recv_until_closed(sock).startswith(b"HTTP/1.1 403 "))
            wait_for_log(server, 'origin "https://a\\"b\\xc2\\x9b" is not in '
                                 'listeners.ws.allowed_origins')

    def test_wss_listener_checks_the_origin_too(self):
        wss_port = free_port()
        listeners = (tls_listener_yaml("wss", wss_port, CERTS) +
                     f"  allowed_origins: [\"{APP}\"]\n")
        context = ssl.create_default_context(cafile=CERTS.ca)
        with AkasaServer(listeners=listeners, wait_ports=[wss_port]) as server:
            for origin, status in ((APP.encode(), "101"), (b"https://evil.example", "403")):
                with self.subTest(origin=origin), socket.create_connection(
                        ("127.0.0.1", wss_port), timeout=TIMEOUT) as raw, \
                        context.wrap_socket(raw, server_hostname="localhost") as sock:
                    head, rest = upgrade(sock, origin)
                    self.assertTrue(head.startswith(f"HTTP/1.1 {status} "), head)
                    if status == "101":
                        self.assertEqual(mqtt_over(sock, rest, "wss-origin"), CONNACK_OK)
            wait_for_log(server, 'origin "https://evil.example" is not in '
                                 'listeners.wss.allowed_origins')

    def test_real_clients_mqttjs_sends_no_origin_paho_sends_its_own(self):
        # MQTT.js in node sends no Origin: served whatever the list. paho-mqtt (Python) sends
        # "Origin: https://HOST:PORT": refused unless that origin is listed.
        ws_port = free_port()
        listeners = f"ws:\n  addr: 127.0.0.1:{ws_port}\n  allowed_origins: [\"{APP}\"]\n"
        with AkasaServer(listeners=listeners, wait_ports=[ws_port]) as server:
            proc = start_node_client({"url": f"ws://127.0.0.1:{ws_port}/mqtt",
                                      "subscribe": "guards/js", "expect": 0})
            out, err = proc.communicate(timeout=TIMEOUT + 10)
            self.assertEqual(proc.returncode, 0, out + err)
            self.assertIn("CONNECTED", out.splitlines())
            paho = PahoClient(ws_port, "paho-origin", transport="websockets")
            with warnings.catch_warnings():
                # paho drops the socket of a failed handshake without closing it: not ours.
                warnings.simplefilter("ignore", ResourceWarning)
                with self.assertRaises(Exception):
                    paho.connect("127.0.0.1")  # the 403 fails paho's handshake
                del paho
                gc.collect()
            wait_for_log(server, f'origin "https://127.0.0.1:{ws_port}" is not in '
                                 'listeners.ws.allowed_origins')
        listeners = (f"ws:\n  addr: 127.0.0.1:{ws_port}\n"
                     f"  allowed_origins: [\"https://127.0.0.1:{ws_port}\"]\n")
        with AkasaServer(listeners=listeners, wait_ports=[ws_port]):
            paho = PahoClient(ws_port, "paho-listed", transport="websockets")
            self.assertEqual(paho.connect("127.0.0.1"), 0)
            paho.disconnect()


def connect_from(source, port):
    """A TCP connection to 127.0.0.1:port from the local address `source` (all of 127/8 is
    the loopback interface on Linux)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    return sock


class ProxyAllowedSourcesTests(unittest.TestCase):
    def test_only_the_listed_proxy_may_send_a_proxy_header(self):
        keys = "proxy_mode: Normal\nproxy_allowed_sources: [127.0.0.2]"
        with AkasaServer(mqtt_keys=keys) as server:
            # Not the proxy: a valid header and CONNECT, closed without a CONNACK.
            with connect_from("127.0.0.1", server.port) as sock:
                local_port = sock.getsockname()[1]
                try:
                    sock.sendall(v2_header() + connect_packet("spoofer"))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # closed before the whole of it was sent: just as good
                self.assertEqual(recv_until_closed(sock), b"")
            wait_for_log(server, f"refusing connection from 127.0.0.1:{local_port} on listener "
                                 "mqtt: not in listeners.mqtt.proxy_allowed_sources")

            # The proxy: served, and the client address is the one in its header.
            with connect_from("127.0.0.2", server.port) as sock:
                sock.sendall(v2_header() + connect_packet("proxied"))
                self.assertEqual(recv_exactly(sock, 4), CONNACK_OK)
                sock.sendall(b"\xe0\x00")
                self.assertEqual(recv_until_closed(sock), b"")
            log = wait_for_log(server, "client proxied connected from 192.0.2.20:41000 ")
            self.assertNotIn("client spoofer connected", log)
            self.assertNotIn("reads PROXY headers from anyone", log)  # loopback and limited

    def test_tls_listener_with_proxy_true_refuses_other_sources(self):
        tls_port = free_port()
        listeners = (tls_listener_yaml("mqtts", tls_port, CERTS, proxy=True) +
                     "  proxy_allowed_sources: [127.0.0.2/32, \"::1\"]\n")
        with AkasaServer(listeners=listeners, wait_ports=[tls_port]) as server:
            with connect_from("127.0.0.1", tls_port) as sock:
                local_port = sock.getsockname()[1]
                try:
                    sock.sendall(v2_header())
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.assertEqual(recv_until_closed(sock), b"")
            wait_for_log(server, f"refusing connection from 127.0.0.1:{local_port} on listener "
                                 "mqtts: not in listeners.mqtts.proxy_allowed_sources")
            context = ssl.create_default_context(cafile=CERTS.ca)
            with connect_from("127.0.0.2", tls_port) as raw:
                raw.sendall(v2_header())
                with context.wrap_socket(raw, server_hostname="localhost") as sock:
                    sock.sendall(connect_packet("proxied-tls"))
                    self.assertEqual(recv_exactly(sock, 4), CONNACK_OK)
            wait_for_log(server, "client proxied-tls connected from 192.0.2.20:41000 ")

    def test_open_proxy_listener_is_warned_about_at_start(self):
        # Bound to every address without proxy_allowed_sources: anyone can claim any address.
        ws_port = free_port()
        listeners = f"ws:\n  addr: 0.0.0.0:{ws_port}\n  proxy_mode: Normal\n"
        with AkasaServer(mqtt_keys="proxy_mode: Normal", listeners=listeners,
                         wait_ports=[ws_port]) as server:
            log = wait_for_log(server, "listeners.ws reads PROXY headers from anyone who can "
                                       f"reach 0.0.0.0:{ws_port}")
            self.assertIn("set listeners.ws.proxy_allowed_sources", log)
            self.assertNotIn("listeners.mqtt reads PROXY headers", log)  # 127.0.0.1: loopback


if __name__ == "__main__":
    unittest.main(verbosity=2)
