"""SIGHUP reloads the config file (issue 19 item 7), against the real binary: log_level takes
effect at once; a new limit reaches new connections while a connected client keeps the
limits its CONNACK announced; a key that needs a restart (listeners.mqtt.addr) is named in a
warning and the old port goes on serving; a file that does not load, or names a file that
cannot be read, changes nothing and says why; a moved password file and TLS certificate are
read from their new paths; the log can move to a file (a file that cannot be opened changes
nothing); the example plugin takes new options while a plugin without
akasa_plugin_reconfigure waits for a restart."""

import os
import re
import signal
import socket
import tempfile
import time
import unittest

from akasa_harness import AkasaServer, free_port, wait_for_log
from hook_test_support import RawClient, plugin_path
from listener_fixtures import Certificates, require_tools, server_certificate, tls_listener_yaml
from test_packet_size_keys import connect_v5
from test_password_file_server import sha256_line

# The last line of every reload: its summary, or why nothing changed.
RELOAD_DONE = re.compile(r"SIGHUP: .*(key\(s\) applied|no key changed|nothing changed)")
RELOAD_TIMEOUT = 15


def read(path):
    with open(path) as f:
        return f.read()


def edit_config(server, old, new):
    text = read(server.config_path)
    assert old in text, f"{old!r} not in the config:\n{text}"
    with open(server.config_path, "w") as f:
        f.write(text.replace(old, new))


def reload(server, log_path=None):
    """SIGHUP, then the log (server's, or `log_path`) once the reload has finished: one more
    summary line. The log file has no change event, so it is polled."""
    path = log_path or server.log_path
    before = len(RELOAD_DONE.findall(read(path))) if os.path.exists(path) else 0
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + RELOAD_TIMEOUT
    while True:
        text = read(path) if os.path.exists(path) else ""
        if len(RELOAD_DONE.findall(text)) > before:
            return text
        if time.monotonic() >= deadline:
            raise AssertionError(f"no end of the reload in {path} within {RELOAD_TIMEOUT} s:\n"
                                 f"{server.log_text()}")
        time.sleep(0.05)


def maximum_packet_size(connack):
    """The Maximum Packet Size property (0x27) of a v5 CONNACK body, or None. The body is
    flags, reason code, property length, properties: the test servers send few properties,
    none of them with a 0x27 byte before this one's identifier."""
    at = connack.find(b"\x27", 3)
    return None if at < 0 else int.from_bytes(connack[at + 1:at + 5], "big")


def connects(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except OSError:
        return False


class ConfigReloadTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="akasa-reload-")

    def tearDown(self):
        self.tmp.cleanup()

    def file(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_log_level_applies_at_once(self):
        # The ACL refuses PUBLISHes to denied/...: the refusal is a debug line.
        acl = self.file("acl", "topic readwrite allowed/#\n")
        with AkasaServer(f"log_level: info\nacl_file: {acl}\n") as server:
            client = RawClient(server.port, "c", 5)
            self.assertEqual(client.connect(), 0)
            self.assertEqual(client.publish("denied/1", b"", qos=1), 0x87)
            self.assertNotIn("PUBLISH of client c to denied/1 refused", server.log_text())

            edit_config(server, "log_level: info", "log_level: debug")
            log = reload(server)
            self.assertIn("SIGHUP: applied log_level: info -> debug", log)
            self.assertEqual(client.publish("denied/2", b"", qos=1, packet_id=2), 0x87)
            wait_for_log(server, "PUBLISH of client c to denied/2 refused")
            client.close()

    def test_new_limits_reach_new_connections_a_connected_client_keeps_its_own(self):
        with AkasaServer("max_packet_size_server: 100000\nmax_topic_levels: 8\n") as server:
            old, connack = connect_v5(server.port, "old")
            self.assertEqual(maximum_packet_size(connack), 100000)

            edit_config(server, "max_packet_size_server: 100000", "max_packet_size_server: 1000")
            edit_config(server, "max_topic_levels: 8", "max_topic_levels: 2")
            log = reload(server)
            self.assertIn("SIGHUP: applied max_packet_size_server: 100000 -> 1000", log)
            self.assertIn("SIGHUP: applied max_topic_levels: 8 -> 2", log)

            new, connack = connect_v5(server.port, "new")
            self.assertEqual(maximum_packet_size(connack), 1000)
            self.assertEqual(new.publish("a/b/c", b"", qos=1), 0x90)  # Topic Name invalid
            # What the old connection's CONNACK announced still holds for it.
            self.assertEqual(old.publish("a/b/c", b"x" * 5000, qos=1), 0)
            old.ping()
            new.publish("t", b"x" * 5000, qos=0)
            kind, _, body = new.recv_packet()
            self.assertEqual((kind, body[0]), (14, 0x95))  # DISCONNECT, packet too large
            old.ping()
            new.close()
            old.close()

    def test_a_listener_address_needs_a_restart(self):
        with AkasaServer("max_topic_levels: 8\n") as server:
            client = RawClient(server.port, "stays", 4)
            self.assertEqual(client.connect(), 0)
            new_port = free_port()
            edit_config(server, f"addr: 127.0.0.1:{server.port}", f"addr: 127.0.0.1:{new_port}")
            edit_config(server, "max_topic_levels: 8", "max_topic_levels: 3")
            log = reload(server)
            self.assertIn(
                f"SIGHUP: restart needed for listeners.mqtt.addr (127.0.0.1:{server.port} -> "
                f"127.0.0.1:{new_port}); until then the server keeps 127.0.0.1:{server.port}",
                log)
            self.assertIn("SIGHUP: applied max_topic_levels: 8 -> 3", log)  # the rest applies
            self.assertIn("1 key(s) applied, 1 need a restart", log)
            self.assertTrue(connects(server.port))
            self.assertFalse(connects(new_port))
            client.ping()
            # Said again at the next reload: the file still differs from what runs.
            self.assertEqual(reload(server).count("restart needed for listeners.mqtt.addr"), 2)
            client.close()

    def test_a_file_that_does_not_load_changes_nothing(self):
        allow = self.file("allow.acl", "topic readwrite #\n")
        deny = self.file("deny.acl", "topic read #\n")
        with AkasaServer(f"max_topic_levels: 8\nacl_file: {allow}\n") as server:
            client = RawClient(server.port, "stays", 5)
            self.assertEqual(client.connect(), 0)
            good = read(server.config_path)

            # Broken YAML that also names another ACL file and a lower limit.
            edit_config(server, "max_topic_levels: 8", "max_topic_levels: 2\nx: [")
            edit_config(server, allow, deny)
            log = reload(server)
            self.assertRegex(log, re.escape(f"SIGHUP: {server.config_path}:") + r"\d+: .*invalid YAML")
            self.assertIn("nothing changed, the server goes on with the config it had", log)
            self.assertNotIn("SIGHUP: applied", log)
            self.assertNotIn("acl_file: " + deny, log)

            # A value out of range: the error names the key.
            with open(server.config_path, "w") as f:
                f.write(good.replace("max_topic_levels: 8", "max_topic_levels: 0"))
            log = reload(server)
            self.assertRegex(log, re.escape(f"SIGHUP: {server.config_path}:") +
                             r"\d+: max_topic_levels: .*nothing changed")

            fresh = RawClient(server.port, "fresh", 5)
            self.assertEqual(fresh.connect(), 0)
            self.assertEqual(fresh.publish("a/b/c", b"", qos=1), 0)  # 8 levels, allow.acl
            self.assertEqual(client.publish("a/b/c", b"", qos=1), 0)
            fresh.close()
            client.close()

    def test_a_named_file_that_cannot_be_read_changes_nothing(self):
        acl = self.file("acl", "topic readwrite #\n")
        with AkasaServer(f"max_topic_levels: 8\nacl_file: {acl}\n") as server:
            edit_config(server, "max_topic_levels: 8", "max_topic_levels: 2")
            self.file("acl", "topic rw #\n")
            log = reload(server)
            self.assertIn(f"{acl}:1: unknown access type", log)
            self.assertIn("(keeping the previous ACL rules)", log)
            self.assertIn(f"SIGHUP: {server.config_path}: nothing changed (the reason is above)",
                          log)
            self.assertNotIn("SIGHUP: applied", log)
            client = RawClient(server.port, "c", 5)
            self.assertEqual(client.connect(), 0)
            self.assertEqual(client.publish("a/b/c", b"", qos=1), 0)  # still 8 levels
            client.close()

    def test_the_password_file_is_read_from_its_new_path(self):
        first = self.file("first", sha256_line("alice", "a-pass") + "\n")
        second = self.file("second", sha256_line("bob", "b-pass") + "\n")
        with AkasaServer(allow_anonymous=False, password_file=first) as server:
            alice = RawClient(server.port, "alice", 4, username="alice", password="a-pass")
            self.assertEqual(alice.connect(), 0)
            edit_config(server, f"password_file: {first}", f"password_file: {second}")
            log = reload(server)
            self.assertIn(f"SIGHUP: applied auth.password_file: {first} -> {second}", log)
            self.assertIn(f"password_file: {second}: reloaded, 1 user", log)
            bob = RawClient(server.port, "bob", 4, username="bob", password="b-pass")
            self.assertEqual(bob.connect(), 0)
            again = RawClient(server.port, "alice2", 4, username="alice", password="a-pass")
            self.assertNotEqual(again.connect(), 0)
            alice.ping()  # logged in before: stays
            for c in (alice, bob, again):
                c.close()

    def test_tls_certificates_are_read_from_their_new_paths(self):
        require_tools("openssl")
        certs = Certificates(self.tmp.name)
        cert, key = certs.make_server("moved", "localhost")
        port = free_port()
        with AkasaServer(listeners=tls_listener_yaml("mqtts", port, certs),
                         wait_ports=[port]) as server:
            first = server_certificate(port, certs.ca)
            edit_config(server, f"cert_file: {certs.server_cert}", f"cert_file: {cert}")
            edit_config(server, f"key_file: {certs.server_key}", f"key_file: {key}")
            log = reload(server)
            self.assertIn(f"SIGHUP: applied listeners.mqtts.cert_file: {certs.server_cert} -> "
                          f"{cert}", log)
            self.assertIn("SIGHUP: reloaded the certificates of listeners.mqtts", log)
            self.assertNotEqual(server_certificate(port, certs.ca), first)

    def test_the_log_moves_to_a_file(self):
        with AkasaServer("log_level: info\nmax_topic_levels: 8\n") as server:
            # A file that cannot be opened: nothing changes, the other key included.
            missing = os.path.join(self.tmp.name, "no", "such", "dir.log")
            edit_config(server, "max_topic_levels: 8", f"max_topic_levels: 2\nlog_file: {missing}")
            log = reload(server)
            self.assertIn(f"SIGHUP: log_file: cannot open {missing}", log)
            self.assertIn("nothing changed", log)
            self.assertNotIn("SIGHUP: applied", log)
            edit_config(server, f"max_topic_levels: 2\nlog_file: {missing}", "max_topic_levels: 8")

            log_file = os.path.join(self.tmp.name, "moved.log")
            edit_config(server, "log_level: info", f"log_level: info\nlog_file: {log_file}")
            moved = reload(server, log_path=log_file)
            self.assertIn(f"SIGHUP: the log goes to log_file {log_file} from now on",
                          server.log_text())
            self.assertIn(f"SIGHUP: applied log_file: null -> {log_file}", moved)
            self.assertNotIn("SIGHUP: applied", server.log_text())
            client = RawClient(server.port, "after-move", 4)
            self.assertEqual(client.connect(), 0)
            client.close()
            deadline = time.monotonic() + RELOAD_TIMEOUT
            while "after-move" not in read(log_file):
                self.assertLess(time.monotonic(), deadline, read(log_file))
                time.sleep(0.05)

    def test_plugin_options(self):
        auth = plugin_path("auth_plugin.so")
        test = plugin_path("test_plugin.so")
        marker = os.path.join(self.tmp.name, "deinit")
        plugins = (f"plugins:\n"
                   f"  - path: {auth}\n"
                   f"    options:\n"
                   f"      users: \"alice:one\"\n"
                   f"  - path: {test}\n"
                   f"    options:\n"
                   f"      deinit_marker: {marker}\n"
                   f"max_topic_levels: 8\n")
        with AkasaServer(plugins) as server:
            alice = RawClient(server.port, "alice", 5, username="alice", password="one")
            self.assertEqual(alice.connect(), 0)

            # The example plugin takes new options; the test plugin cannot.
            edit_config(server, "alice:one", "alice:two")
            edit_config(server, f"deinit_marker: {marker}", f"deinit_marker: {marker}.2")
            log = reload(server)
            self.assertIn("SIGHUP: applied plugins[0].options: changed", log)
            self.assertIn("plugin: auth_plugin: new options in force", log)
            self.assertIn("SIGHUP: restart needed for plugins[1].options (changed)", log)
            self.assertNotIn("alice:two", log)  # options may hold secrets
            two = RawClient(server.port, "two", 5, username="alice", password="two")
            self.assertEqual(two.connect(), 0)
            one = RawClient(server.port, "one", 5, username="alice", password="one")
            self.assertEqual(one.connect(), 0x86)
            alice.ping()

            # Options the plugin refuses: nothing changes, the new limit included, and the
            # new log file it named (opened before the refusal) is not left behind.
            refused_log = os.path.join(self.tmp.name, "refused.log")
            edit_config(server, "alice:two", "nocolon")
            edit_config(server, "max_topic_levels: 8",
                        f"max_topic_levels: 2\nlog_file: {refused_log}")
            log = reload(server)
            self.assertIn("SIGHUP: plugins[0] (" + auth + "): akasa_plugin_reconfigure refused "
                          "the new options", log)
            self.assertIn("nothing changed (the reason is above)", log)
            self.assertFalse(os.path.exists(refused_log))
            self.assertEqual(two.publish("a/b/c", b"", qos=1), 0)
            three = RawClient(server.port, "three", 5, username="alice", password="two")
            self.assertEqual(three.connect(), 0)
            self.assertEqual(three.publish("a/b/c", b"", qos=1), 0)
            for c in (alice, two, one, three):
                c.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
