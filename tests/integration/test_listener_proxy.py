"""PROXY protocol (issue 5 item 3) on the real binary: haproxy from Debian in front of
listeners (send-proxy-v2, send-proxy, TLS terminated by haproxy with proxy_mode
TlsTermination, TLS passed through to an mqtts listener with proxy: true), and hand-built
headers from raw sockets for v1, v2, LOCAL, IPv6, split headers, malformed headers and a
header that never completes. The proxied client address must be the one in the log."""

import os
import socket
import struct
import subprocess
import tempfile
import unittest

from akasa_harness import AkasaServer, free_port
from listener_fixtures import (CONNACK_OK, TIMEOUT, Certificates, Haproxy, PahoClient,
                               connect_packet, recv_exactly, recv_until_closed, require_tools,
                               tls_listener_yaml, wait_for_log)

CERTS_DIR = None
CERTS = None
V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


def setUpModule():
    global CERTS_DIR, CERTS
    require_tools("haproxy", "openssl", "mosquitto_pub", "mosquitto_sub")
    CERTS_DIR = tempfile.TemporaryDirectory(prefix="akasa-proxy-certs-")
    CERTS = Certificates(CERTS_DIR.name)


def tearDownModule():
    CERTS_DIR.cleanup()


def tlv(kind, value):
    return bytes([kind]) + struct.pack("!H", len(value)) + value


def v2_header(command=0x21, family=0x11, addresses=None, tlvs=b""):
    """A v2 header: version 2 + command, family/transport, then addresses and TLVs."""
    if addresses is None:
        addresses = (socket.inet_pton(socket.AF_INET, "192.0.2.20") +
                     socket.inet_pton(socket.AF_INET, "127.0.0.1") + struct.pack("!HH", 41000, 1883))
    body = addresses + tlvs
    return V2_SIGNATURE + bytes([command, family]) + struct.pack("!H", len(body)) + body


def v2_ipv6(source="2001:db8::20", port=42000):
    return v2_header(family=0x21, addresses=socket.inet_pton(socket.AF_INET6, source) +
                     socket.inet_pton(socket.AF_INET6, "::1") + struct.pack("!HH", port, 1883))


def proxy_server(mode="Normal", extra_yaml=""):
    return AkasaServer(mqtt_keys=f"proxy_mode: {mode}", extra_yaml=extra_yaml)


class HandBuiltHeaderTests(unittest.TestCase):
    def connect_through(self, server, header, client_id, pieces=1):
        """Sends header + CONNECT (in `pieces` sends); returns the log line's address."""
        with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if pieces == 1:
                sock.sendall(header + connect_packet(client_id))
            else:
                step = max(1, len(header) // pieces)
                for i in range(0, len(header), step):
                    sock.sendall(header[i:i + step])
                sock.sendall(connect_packet(client_id))
            self.assertEqual(recv_exactly(sock, 4), CONNACK_OK)
            local_port = sock.getsockname()[1]
            sock.sendall(b"\xe0\x00")
            self.assertEqual(recv_until_closed(sock), b"")
        log = wait_for_log(server, f"client {client_id} connected from ")
        line = [l for l in log.splitlines() if f"client {client_id} connected from " in l][0]
        return line.split(" connected from ")[1].split(" ")[0], local_port

    def test_v1_tcp4_and_tcp6(self):
        with proxy_server() as server:
            address, _ = self.connect_through(
                server, b"PROXY TCP4 192.0.2.10 127.0.0.1 40000 1883\r\n", "v1-ipv4")
            self.assertEqual(address, "192.0.2.10:40000")
            address, _ = self.connect_through(
                server, b"PROXY TCP6 2001:db8::7 ::1 40001 1883\r\n", "v1-ipv6")
            self.assertEqual(address, "[2001:db8::7]:40001")

    def test_v1_unknown_keeps_the_real_address(self):
        with proxy_server() as server:
            address, local_port = self.connect_through(server, b"PROXY UNKNOWN\r\n", "v1-unknown")
            self.assertEqual(address, f"127.0.0.1:{local_port}")

    def test_v2_ipv4_with_tlvs_and_ipv6(self):
        with proxy_server() as server:
            tlvs = tlv(0x02, b"broker.example") + tlv(0x05, b"id-1234") + tlv(0x04, b"\0" * 3)
            address, _ = self.connect_through(server, v2_header(tlvs=tlvs), "v2-ipv4")
            self.assertEqual(address, "192.0.2.20:41000")
            address, _ = self.connect_through(server, v2_ipv6(), "v2-ipv6")
            self.assertEqual(address, "[2001:db8::20]:42000")

    def test_v2_local_command_keeps_the_real_address(self):
        with proxy_server() as server:
            address, local_port = self.connect_through(server, v2_header(command=0x20),
                                                       "v2-local")
            self.assertEqual(address, f"127.0.0.1:{local_port}")

    def test_header_split_over_many_sends(self):
        with proxy_server() as server:
            address, _ = self.connect_through(server, v2_ipv6("2001:db8::99", 43000),
                                              "v2-split", pieces=20)
            self.assertEqual(address, "[2001:db8::99]:43000")

    def test_malformed_headers_are_closed_without_an_answer(self):
        cases = {
            "plain MQTT": b"",
            "HTTP": b"GET / HTTP/1.1\r\n\r\n",
            "v2 version 1": V2_SIGNATURE + b"\x11\x11\x00\x0c" + b"\0" * 12,
            "v2 unknown family": V2_SIGNATURE + b"\x21\x51\x00\x0c" + b"\0" * 12,
            "v2 TLV overrun": v2_header(tlvs=b"\x02\x00\x10abc"),
            "v2 addresses too short": V2_SIGNATURE + b"\x21\x11\x00\x04" + b"\0" * 4,
            "v1 bad address": b"PROXY TCP4 999.0.0.1 127.0.0.1 1 2\r\n",
            "v1 bad port": b"PROXY TCP4 192.0.2.1 127.0.0.1 70000 2\r\n",
            "v1 too long": b"PROXY TCP4 " + b"1" * 120 + b"\r\n",
            "v1 no CRLF": b"PROXY TCP4 192.0.2.1 127.0.0.1 1 2\n",
        }
        with proxy_server() as server:
            for name, header in cases.items():
                with self.subTest(case=name), socket.create_connection(
                        ("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
                    try:
                        sock.sendall(header + connect_packet("malformed"))
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # closed before the whole of it was sent: just as good
                    self.assertEqual(recv_until_closed(sock), b"")
            log = wait_for_log(server, "PROXY header")
            self.assertNotIn("client malformed connected", log)

    def test_header_must_arrive_within_connect_timeout(self):
        with proxy_server(extra_yaml="connect_timeout: 1\n") as server:
            with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
                sock.sendall(V2_SIGNATURE[:7])  # a valid start, never finished
                self.assertEqual(recv_until_closed(sock), b"")
            wait_for_log(server, "no CONNECT within 1s")

    def test_tls_termination_tlvs_reach_the_server(self):
        ssl_tlv = tlv(0x20, b"\x03" + b"\0\0\0\0" + tlv(0x21, b"TLSv1.3") + tlv(0x22, b"dev-7"))
        with proxy_server("TlsTermination", extra_yaml="log_level: debug\n") as server:
            address, _ = self.connect_through(
                server, v2_header(tlvs=tlv(0x02, b"mqtt.example") + ssl_tlv), "terminated")
            self.assertEqual(address, "192.0.2.20:41000")
            wait_for_log(server, "SNI mqtt.example, client certificate CN dev-7")


class HaproxyTests(unittest.TestCase):
    def pub_sub_through(self, server, haproxy_port, client_id, host="127.0.0.1", **tls):
        sub = PahoClient(haproxy_port, client_id, **tls)
        self.assertEqual(sub.connect(host), 0)
        sub.subscribe("hp/#", 1)
        local_port = sub.local_port()
        pub = PahoClient(haproxy_port, client_id + "-pub", **tls)
        self.assertEqual(pub.connect(host), 0)
        pub.publish("hp/x", b"through haproxy", 1)
        self.assertEqual(sub.next_message().payload, b"through haproxy")
        pub.disconnect()
        sub.disconnect()
        # The log names the client's own address, not haproxy's backend connection.
        wait_for_log(server, f"client {client_id} connected from 127.0.0.1:{local_port} ")

    def test_send_proxy_v2_and_v1(self):
        for option in ("send-proxy-v2", "send-proxy"):
            with self.subTest(option=option), proxy_server() as server, \
                    tempfile.TemporaryDirectory() as tmp:
                front = free_port()
                config = (f"frontend mqtt\n    bind 127.0.0.1:{front}\n    default_backend akasa\n"
                          f"backend akasa\n    server akasa 127.0.0.1:{server.port} {option}\n")
                with Haproxy(tmp, config, [front]):
                    self.pub_sub_through(server, front, f"hp-{option}")

    def test_tls_terminated_by_haproxy(self):
        with proxy_server("TlsTermination", extra_yaml="log_level: debug\n") as server, \
                tempfile.TemporaryDirectory() as tmp:
            combined = os.path.join(tmp, "server.pem")
            with open(combined, "w") as f, open(CERTS.server_cert) as cert, \
                    open(CERTS.server_key) as key:
                f.write(cert.read() + key.read())  # haproxy wants both in one file
            front = free_port()
            config = (f"frontend mqtts\n"
                      f"    bind 127.0.0.1:{front} ssl crt {combined} ca-file {CERTS.ca} "
                      f"verify optional\n"
                      f"    default_backend akasa\n"
                      f"backend akasa\n"
                      f"    server akasa 127.0.0.1:{server.port} send-proxy-v2 "
                      f"send-proxy-v2-ssl-cn\n")
            with Haproxy(tmp, config, [front]):
                # mosquitto with a client certificate: haproxy verifies it, and passes its
                # CN on in the PROXY header's SSL TLV.
                args = ["-h", "localhost", "-p", str(front), "--cafile", CERTS.ca, "--cert",
                        CERTS.client_cert, "--key", CERTS.client_key, "-i", "hp-tls"]
                result = subprocess.run(["mosquitto_pub", *args, "-t", "hp/tls", "-m", "x"],
                                        capture_output=True, text=True, timeout=TIMEOUT)
                self.assertEqual(result.returncode, 0, result.stderr)
                log = wait_for_log(server, "client certificate CN device-1")
                self.assertIn("client hp-tls connected from 127.0.0.1:", log)
                # And a paho client over TLS to haproxy, plain TCP behind it.
                self.pub_sub_through(server, front, "hp-tls-paho", host="localhost",
                                     ca=CERTS.ca)

    def test_tls_passed_through_to_an_mqtts_listener_with_proxy_true(self):
        tls_port = free_port()
        with AkasaServer(listeners=tls_listener_yaml("mqtts", tls_port, CERTS, proxy=True),
                         wait_ports=[tls_port]) as server, tempfile.TemporaryDirectory() as tmp:
            front = free_port()
            config = (f"frontend mqtts\n    bind 127.0.0.1:{front}\n    default_backend akasa\n"
                      f"backend akasa\n    server akasa 127.0.0.1:{tls_port} send-proxy-v2\n")
            with Haproxy(tmp, config, [front]):
                self.pub_sub_through(server, front, "hp-passthrough", host="localhost",
                                     ca=CERTS.ca)


if __name__ == "__main__":
    unittest.main(verbosity=2)
