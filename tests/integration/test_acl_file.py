"""The ACL file (`acl_file`, Mosquitto's format) in the real binary (issue 6 item 4): publish,
subscribe, retained and queued deliveries, %u / %c patterns, MQTT 3.1.1 and 5.0 codes
(v5 0x87 in PUBACK / PUBREC / SUBACK; 3.1.1 SUBACK 0x80 and publishes dropped silently),
the ACL after a plugin's rewrite, SIGHUP reloads (a good file and a bad one), and a start
refused for an unreadable file."""

import os
import signal
import subprocess
import tempfile
import unittest

from akasa_harness import AkasaServer, BINARY, free_port
from hook_test_support import RawClient, plugin_path, wait_for_log

ACL = """\
# anonymous clients
topic read public/#
topic readwrite anon/#

user alice
topic readwrite alice/#
topic deny alice/private/#
topic write v2/#

user bob
topic read alice/#

user carol
topic readwrite #

pattern write devices/%c/status
pattern read users/%u/inbox/#
"""


class AclServer(AkasaServer):
    """A server whose acl_file is a file the test can rewrite."""

    def __init__(self, acl_text=ACL, extra_yaml=""):
        self.acl_dir = tempfile.TemporaryDirectory(prefix="akasa-acl-")
        self.acl_path = os.path.join(self.acl_dir.name, "acl")
        self.write_acl(acl_text)
        super().__init__(f"acl_file: {self.acl_path}\n{extra_yaml}")

    def write_acl(self, text):
        with open(self.acl_path, "w") as f:
            f.write(text)

    def __exit__(self, *exc):
        try:
            return super().__exit__(*exc)
        finally:
            self.acl_dir.cleanup()


def client(server, client_id, version, username=None, clean=True):
    c = RawClient(server.port, client_id, version, username, "pw" if username else None, clean)
    code = c.connect()
    assert code == 0, f"{client_id}: CONNACK {code}"
    return c


class AclTests(unittest.TestCase):
    def test_publish_allowed_and_denied(self):
        with AclServer() as server:
            carol = client(server, "carol", 4, "carol")
            carol.subscribe(["#"])
            v5 = client(server, "alice5", 5, "alice")
            self.assertEqual(v5.publish("alice/x", b"1", qos=1), 0)
            self.assertEqual(v5.publish("bob/x", b"2", qos=1), 0x87)  # PUBACK
            self.assertEqual(v5.publish("alice/private/x", b"3", qos=2, packet_id=2), 0x87)
            v3 = client(server, "alice3", 4, "alice")
            self.assertEqual(v3.publish("bob/y", b"4", qos=1), 0)  # dropped silently
            v3.publish("alice/y", b"5", qos=1)
            self.assertEqual(carol.next_message(), ("alice/x", b"1", False))
            self.assertEqual(carol.next_message(), ("alice/y", b"5", False))
            for c in (carol, v5, v3):
                c.close()

    def test_subscribe_allowed_and_denied(self):
        with AclServer() as server:
            v5 = client(server, "alice5", 5, "alice")
            self.assertEqual(v5.subscribe(["alice/#", "alice/private/#", "bob/#"]),
                             [1, 0x87, 0x87])
            v3 = client(server, "alice3", 4, "alice")
            self.assertEqual(v3.subscribe(["bob/#", "alice/a"]), [0x80, 1])
            anon = client(server, "anon", 4)
            self.assertEqual(anon.subscribe(["public/news", "alice/#"]), [1, 0x80])
            for c in (v5, v3, anon):
                c.close()

    def test_deliveries_need_read(self):
        with AclServer() as server:
            # alice/# is allowed as a filter, but alice/private/... may not be read.
            alice = client(server, "alice", 5, "alice")
            self.assertEqual(alice.subscribe(["alice/#"]), [1])
            carol = client(server, "carol", 4, "carol")
            carol.publish("alice/private/p", b"no", qos=1)
            carol.publish("alice/open", b"yes", qos=1)
            self.assertEqual(alice.next_message(), ("alice/open", b"yes", False))
            alice.close()
            carol.close()

    def test_retained_delivery_is_checked(self):
        with AclServer() as server:
            carol = client(server, "carol", 4, "carol")
            carol.publish("alice/private/r", b"secret", qos=1, retain=True)
            carol.publish("alice/open/r", b"open", qos=1, retain=True)
            for version in (4, 5):
                alice = client(server, f"alice{version}", version, "alice")
                self.assertEqual(alice.subscribe(["alice/#"]), [1])
                self.assertEqual(alice.next_message(), ("alice/open/r", b"open", True))
                carol.publish("alice/marker", b"m", qos=1)
                self.assertEqual(alice.next_message(), ("alice/marker", b"m", False))
                alice.close()
            carol.close()

    def test_queued_delivery_is_checked(self):
        with AclServer() as server:
            alice = client(server, "alice-q", 4, "alice", clean=False)
            self.assertEqual(alice.subscribe(["alice/#"]), [1])
            alice.send(0xE0, b"")  # DISCONNECT; the session stays
            wait_for_log(server, "client alice-q disconnected")
            alice.close()
            carol = client(server, "carol", 4, "carol")
            carol.publish("alice/private/q", b"no", qos=1)
            carol.publish("alice/q", b"yes", qos=1)
            alice = client(server, "alice-q", 4, "alice", clean=False)
            self.assertEqual(alice.next_message(), ("alice/q", b"yes", False))
            alice.close()
            carol.close()

    def test_patterns_substitute_client_id_and_username(self):
        with AclServer() as server:
            dev = client(server, "dev1", 5)
            self.assertEqual(dev.publish("devices/dev1/status", b"up", qos=1), 0)
            self.assertEqual(dev.publish("devices/dev2/status", b"up", qos=1), 0x87)
            bob = client(server, "bobs", 5, "bob")
            self.assertEqual(bob.subscribe(["users/bob/inbox/#", "users/alice/inbox/#"]),
                             [1, 0x87])
            # %u patterns do not apply to clients without a username.
            self.assertEqual(dev.subscribe(["users/+/inbox/#"]), [0x87])
            carol = client(server, "carol", 4, "carol")
            carol.publish("users/bob/inbox/1", b"mail", qos=1)
            self.assertEqual(bob.next_message(), ("users/bob/inbox/1", b"mail", False))
            for c in (dev, bob, carol):
                c.close()

    def test_a_client_id_with_a_slash_does_not_escape_its_pattern(self):
        # Issue 15 item 3: with `devices/%c/#`, client id `a/cmd` would be granted
        # `devices/a/cmd/#`, client `a`'s command topic.
        with AclServer("pattern readwrite devices/%c/#\n") as server:
            owner = client(server, "a", 5)
            self.assertEqual(owner.subscribe(["devices/a/cmd/#"]), [1])
            intruder = client(server, "a/cmd", 5)
            self.assertEqual(intruder.subscribe(["devices/a/cmd/#", "devices/a/#"]),
                             [0x87, 0x87])
            self.assertEqual(intruder.publish("devices/a/cmd/reboot", b"x", qos=1), 0x87)
            self.assertEqual(owner.publish("devices/a/cmd/ok", b"y", qos=1), 0)
            self.assertEqual(owner.next_message(), ("devices/a/cmd/ok", b"y", False))
            for c in (owner, intruder):
                c.close()

    def test_hook_switches_do_not_turn_the_acl_off(self):
        # Issue 15 item 10: `hook.enable_*` switch plugins' points, never the ACL's checks.
        switches = ("hook:\n  enable_before_connect: false\n  enable_publish: false\n"
                    "  enable_subscribe: false\n")
        with AclServer(extra_yaml=switches) as server:
            alice = client(server, "alice-sw", 5, "alice")
            self.assertEqual(alice.publish("bob/x", b"no", qos=1), 0x87)
            self.assertEqual(alice.subscribe(["bob/#", "alice/#"]), [0x87, 1])
            self.assertEqual(alice.publish("alice/x", b"yes", qos=1), 0)
            alice.close()

    def test_acl_checks_the_topic_a_plugin_rewrote(self):
        plugin = f"""
plugins:
  - path: {plugin_path('auth_plugin.so')}
    options: {{users: "alice:pw,carol:pw", rewrite_from: legacy/, rewrite_to: v2/}}
"""
        with AclServer(extra_yaml=plugin) as server:
            alice = client(server, "alice", 5, "alice")
            # alice may not write legacy/..., but the plugin runs first and makes it v2/...
            self.assertEqual(alice.publish("legacy/a", b"1", qos=1), 0)
            self.assertEqual(alice.publish("bob/a", b"2", qos=1), 0x87)
            alice.close()

    def test_sighup_reloads_and_a_bad_file_keeps_the_rules(self):
        with AclServer() as server:
            alice = client(server, "alice", 5, "alice")
            self.assertEqual(alice.publish("bob/x", b"", qos=1), 0x87)
            server.write_acl(ACL + "user alice\ntopic write bob/x\n")
            server.proc.send_signal(signal.SIGHUP)
            wait_for_log(server, "reloaded")
            # The same connection sees the new rules (its bound rules are rebound).
            self.assertEqual(alice.publish("bob/x", b"", qos=1, packet_id=2), 0)

            server.write_acl("user alice\ntopic rw bob/#\n")
            server.proc.send_signal(signal.SIGHUP)
            log = wait_for_log(server, "keeping the previous ACL rules")
            self.assertIn(f"{server.acl_path}:2: unknown access type \"rw\"", log)
            self.assertEqual(alice.publish("bob/x", b"", qos=1, packet_id=3), 0)
            self.assertEqual(alice.publish("bob/y", b"", qos=1, packet_id=4), 0x87)
            alice.close()

    def test_unreadable_acl_file_stops_the_start(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "akasa.yaml")
            with open(path, "w") as f:
                f.write(f"listeners:\n  mqtt:\n    addr: 127.0.0.1:{free_port()}\n"
                        "auth:\n  enable: false\nacl_file: /nonexistent/acl\n")
            result = subprocess.run([BINARY, "start", "--config", path], capture_output=True,
                                    text=True, timeout=20)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("acl_file: /nonexistent/acl: cannot open the ACL file", result.stderr)


if __name__ == "__main__":
    unittest.main()
