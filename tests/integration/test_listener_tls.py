"""The `mqtts` listener (issue 5 item 1) of the real binary: mosquitto_pub / mosquitto_sub
over TLS with --cafile and with --cert/--key, certificates made by openssl at test time (a
CA, a server certificate, a client certificate from that CA, and one from another CA that
must be refused); verify_peer / fail_if_no_peer_cert; clear startup errors for a bad key;
SIGHUP reloading the certificates without dropping a live connection."""

import os
import shutil
import signal
import subprocess
import tempfile
import unittest

from akasa_harness import BINARY, AkasaServer, free_port
from hook_test_support import plugin_path
from listener_fixtures import (TIMEOUT, Certificates, PahoClient, require_tools,
                               server_certificate, tls_listener_yaml, wait_for_log)

CERTS_DIR = None
CERTS = None


def setUpModule():
    global CERTS_DIR, CERTS
    require_tools("openssl", "mosquitto_pub", "mosquitto_sub")
    CERTS_DIR = tempfile.TemporaryDirectory(prefix="akasa-tls-certs-")
    CERTS = Certificates(CERTS_DIR.name)


def tearDownModule():
    CERTS_DIR.cleanup()


def mqtts_server(**tls):
    port = free_port()
    server = AkasaServer(listeners=tls_listener_yaml("mqtts", port, CERTS, **tls),
                         wait_ports=[port])
    server.tls_port = port
    return server


def pub(port, *args):
    """mosquitto_pub over TLS to localhost (the name in the server certificate)."""
    return subprocess.run(["mosquitto_pub", "-h", "localhost", "-p", str(port), "--cafile",
                           CERTS.ca, *args], capture_output=True, text=True, timeout=TIMEOUT)


def start_sub(port, *args):
    return subprocess.Popen(["mosquitto_sub", "-h", "localhost", "-p", str(port), "--cafile",
                             CERTS.ca, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


class MqttsTests(unittest.TestCase):
    def round_trip(self, port, client_args, version="mqttv311"):
        """A retained message proves the subscription exists, then a live one arrives."""
        topic = f"tls/{version}"
        result = pub(port, *client_args, "-V", version, "-t", topic + "/ready", "-r", "-m",
                     "ready", "-q", "1")
        self.assertEqual(result.returncode, 0, result.stderr)
        sub = start_sub(port, *client_args, "-V", version, "-t", topic + "/#", "-q", "1", "-C",
                        "2", "-v")
        try:
            self.assertEqual(sub.stdout.readline().strip(), f"{topic}/ready ready")
            result = pub(port, *client_args, "-V", version, "-t", topic + "/live", "-m",
                         "over tls", "-q", "2")
            self.assertEqual(result.returncode, 0, result.stderr)
            out, err = sub.communicate(timeout=TIMEOUT)
        finally:
            if sub.poll() is None:
                sub.kill()
                sub.communicate()
        self.assertEqual(sub.returncode, 0, err)
        self.assertEqual(out.strip(), f"{topic}/live over tls")

    def test_cafile_only_server_authentication(self):
        with mqtts_server() as server:
            for version in ("mqttv311", "mqttv5"):
                with self.subTest(version=version):
                    self.round_trip(server.tls_port, [], version)
            log = server.log_text()
            self.assertIn("listening for mqtts on 127.0.0.1:", log)

    def test_tls12_and_tls13(self):
        with mqtts_server() as server:
            for version in ("tlsv1.2", "tlsv1.3"):
                with self.subTest(version=version):
                    result = pub(server.tls_port, "--tls-version", version, "-t", "v", "-m", "x")
                    self.assertEqual(result.returncode, 0, result.stderr)

    def test_plain_mqtt_on_the_tls_port_is_closed(self):
        with mqtts_server() as server:
            result = subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p",
                                     str(server.tls_port), "-t", "x", "-m", "y"],
                                    capture_output=True, text=True, timeout=TIMEOUT)
            self.assertNotEqual(result.returncode, 0)
            wait_for_log(server, "TLS handshake")

    def test_mutual_auth_with_a_client_certificate(self):
        with mqtts_server(verify_peer=True, fail_if_no_peer_cert=True) as server:
            self.round_trip(server.tls_port, ["--cert", CERTS.client_cert, "--key",
                                              CERTS.client_key])

    def test_hooks_see_the_listener_and_the_client_certificate_subject(self):
        # The test plugin's after_disconnect writes what the hook layer gave it.
        with tempfile.TemporaryDirectory() as tmp:
            events = os.path.join(tmp, "events")
            plugin = (f"plugins:\n  - path: {plugin_path('test_plugin.so')}\n"
                      f"    options: {{events_file: {events}}}\n")
            port = free_port()
            server = AkasaServer(plugin, wait_ports=[port], listeners=tls_listener_yaml(
                "mqtts", port, CERTS, verify_peer=True, fail_if_no_peer_cert=True))
            with server:
                result = pub(port, "--cert", CERTS.client_cert, "--key", CERTS.client_key, "-i",
                             "certified", "-t", "x", "-m", "y")
                self.assertEqual(result.returncode, 0, result.stderr)
                wait_for_log(server, "client certified disconnected")
            with open(events) as f:
                lines = f.read().splitlines()
            self.assertEqual(len(lines), 1, lines)
            self.assertRegex(lines[0], r"^disconnect certified taken_over=0 listener=mqtts "
                                       r"tls_subject=.*CN=device-1")

    def test_fail_if_no_peer_cert_refuses_a_client_without_certificate(self):
        with mqtts_server(verify_peer=True, fail_if_no_peer_cert=True) as server:
            result = pub(server.tls_port, "-t", "x", "-m", "y")
            self.assertNotEqual(result.returncode, 0)
            wait_for_log(server, "TLS handshake")
            self.assertNotIn(" connected from ", server.log_text())

    def test_certificate_from_another_ca_is_refused(self):
        for fail_if_none in (True, False):
            with self.subTest(fail_if_no_peer_cert=fail_if_none), mqtts_server(
                    verify_peer=True, fail_if_no_peer_cert=fail_if_none) as server:
                result = pub(server.tls_port, "--cert", CERTS.stranger_cert, "--key",
                             CERTS.stranger_key, "-t", "x", "-m", "y")
                self.assertNotEqual(result.returncode, 0)
                log = wait_for_log(server, "TLS handshake")
                self.assertIn("certificate", log)
                self.assertNotIn(" connected from ", log)

    def test_certificate_is_optional_without_fail_if_no_peer_cert(self):
        with mqtts_server(verify_peer=True, fail_if_no_peer_cert=False) as server:
            self.round_trip(server.tls_port, [])
            self.round_trip(server.tls_port, ["--cert", CERTS.client_cert, "--key",
                                              CERTS.client_key])

    def test_without_verify_peer_no_certificate_is_asked(self):
        # A certificate from an unknown CA does not matter when none is asked for.
        with mqtts_server(verify_peer=False) as server:
            result = pub(server.tls_port, "--cert", CERTS.stranger_cert, "--key",
                         CERTS.stranger_key, "-t", "x", "-m", "y")
            self.assertEqual(result.returncode, 0, result.stderr)

    def test_tls_and_plain_clients_share_topics(self):
        with mqtts_server() as server:
            plain = PahoClient(server.port, "plain-sub")
            self.assertEqual(plain.connect("127.0.0.1"), 0)
            plain.subscribe("mixed/#", 1)
            tls = PahoClient(server.tls_port, "tls-pub", ca=CERTS.ca)
            self.assertEqual(tls.connect(), 0)
            tls.publish("mixed/a", b"from tls", 1)
            message = plain.next_message()
            self.assertEqual((message.topic, message.payload), ("mixed/a", b"from tls"))
            tls.disconnect()
            plain.disconnect()


class StartupErrorTests(unittest.TestCase):
    def start_with(self, tls_yaml):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "akasa.yaml")
            with open(path, "w") as f:
                f.write("listeners:\n")
                f.write("".join("  " + line + "\n" for line in tls_yaml.splitlines()))
                f.write("auth:\n  enable: false\n")
            return subprocess.run([BINARY, "start", "--config", path], capture_output=True,
                                  text=True, timeout=20)

    def assert_refused(self, result, *fragments):
        self.assertNotEqual(result.returncode, 0)
        for fragment in fragments:
            self.assertIn(fragment, result.stderr)
        self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)

    def test_key_not_matching_the_certificate(self):
        for kind in ("mqtts", "wss"):
            with self.subTest(kind=kind):
                result = self.start_with(tls_listener_yaml(kind, free_port(), CERTS,
                                                           key=CERTS.client_key))
                self.assert_refused(result, f"listeners.{kind}", "does not match",
                                    CERTS.client_key)

    def test_unreadable_key(self):
        with tempfile.TemporaryDirectory() as tmp:
            key = os.path.join(tmp, "garbage.key")
            with open(key, "w") as f:
                f.write("this is not a PEM key\n")
            result = self.start_with(tls_listener_yaml("mqtts", free_port(), CERTS, key=key))
            self.assert_refused(result, "listeners.mqtts", "cannot load the private key", key)

    def test_encrypted_key_is_refused_not_prompted_for(self):
        with tempfile.TemporaryDirectory() as tmp:
            key = os.path.join(tmp, "encrypted.key")
            subprocess.run(["openssl", "pkey", "-in", CERTS.server_key, "-aes256", "-passout",
                            "pass:secret", "-out", key], check=True, capture_output=True,
                           timeout=TIMEOUT)
            result = self.start_with(tls_listener_yaml("mqtts", free_port(), CERTS, key=key))
            self.assert_refused(result, "listeners.mqtts", "cannot load the private key")


class ReloadTests(unittest.TestCase):
    def test_sighup_reloads_certificates_without_dropping_connections(self):
        with tempfile.TemporaryDirectory() as tmp:
            cert_a, key_a = CERTS.make_server("server_a", "localhost")
            cert_b, key_b = CERTS.make_server("server_b", "localhost")
            cert, key = os.path.join(tmp, "server.crt"), os.path.join(tmp, "server.key")
            shutil.copy(cert_a, cert)
            shutil.copy(key_a, key)
            port = free_port()
            with AkasaServer(listeners=tls_listener_yaml("mqtts", port, CERTS, cert=cert,
                                                         key=key),
                             wait_ports=[port]) as server:
                first = server_certificate(port, CERTS.ca)
                live = PahoClient(port, "live-sub", ca=CERTS.ca)
                self.assertEqual(live.connect(), 0)
                live.subscribe("reload/#", 1)

                shutil.copy(cert_b, cert)
                shutil.copy(key_b, key)
                server.proc.send_signal(signal.SIGHUP)
                wait_for_log(server, "reloaded the certificates of listeners.mqtts")
                second = server_certificate(port, CERTS.ca)
                self.assertNotEqual(first, second)

                # The connection made before the reload is still served.
                publisher = PahoClient(port, "publisher", ca=CERTS.ca)
                self.assertEqual(publisher.connect(), 0)
                publisher.publish("reload/x", b"after reload", 1)
                self.assertEqual(live.next_message().payload, b"after reload")

                # A broken key: the reload fails, says why, and the server keeps serving
                # with the certificates it has.
                with open(key, "w") as f:
                    f.write("broken\n")
                server.proc.send_signal(signal.SIGHUP)
                log = wait_for_log(server, "keeping the current certificates of listeners.mqtts")
                self.assertIn(key, log)
                self.assertEqual(server_certificate(port, CERTS.ca), second)
                publisher.publish("reload/y", b"still here", 1)
                self.assertEqual(live.next_message().payload, b"still here")
                publisher.disconnect()
                live.disconnect()
                # One connection from start to end: paho would reconnect silently otherwise.
                log = wait_for_log(server, "client live-sub disconnected")
            self.assertEqual(log.count("client live-sub connected"), 1, log)
            self.assertEqual(log.count("client live-sub disconnected"), 1, log)
            self.assertIn("client live-sub disconnected from 127.0.0.1", log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
