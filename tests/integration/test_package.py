"""The Debian package: CPack builds akasa_<version>_<arch>.deb from the build tree; its
control data (dependencies, conffiles, maintainer scripts creating the user akasa and
/var/lib/akasa) and its file list are checked with dpkg-deb; then it is extracted into a
scratch directory (never installed on this machine) and the extracted binary is started with
the extracted config, changed only to use free ports and scratch paths, and a paho client
logs in with a user added by the extracted binary. The man pages render with `man -l`."""

import os
import queue
import shutil
import signal
import subprocess
import tempfile
import unittest

import paho.mqtt.client as mqtt

from akasa_harness import free_port, wait_for_port
from package_support import BUILD_DIR, render_man_page, require_tool, run

TIMEOUT = 20


class PackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.mkdtemp(prefix="akasa-deb-")
        out = os.path.join(cls.scratch, "out")
        cls.cpack = run(["cpack", "-G", "DEB", "--config",
                         os.path.join(BUILD_DIR, "CPackConfig.cmake"), "-B", out])
        debs = [f for f in os.listdir(out) if f.endswith(".deb")] if os.path.isdir(out) else []
        cls.deb = os.path.join(out, debs[0]) if len(debs) == 1 else None
        cls.root = os.path.join(cls.scratch, "root")
        if cls.deb:
            subprocess.run(["dpkg-deb", "-x", cls.deb, cls.root], check=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def setUp(self):
        require_tool(self, "dpkg-deb")
        self.assertIsNotNone(self.deb, f"cpack made no single .deb:\n{self.cpack.stdout}\n"
                             f"{self.cpack.stderr}")

    def info(self, *control_file):
        result = run(["dpkg-deb", "-I", self.deb, *control_file])
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def test_control_data(self):
        control = self.info("control")
        self.assertRegex(control, r"(?m)^Package: akasa$")
        depends = next(line for line in control.splitlines() if line.startswith("Depends:"))
        self.assertIn("adduser", depends)
        self.assertIn("libc6", depends, "shared library dependencies were not computed")
        self.assertEqual(self.info("conffiles").split(), ["/etc/akasa/akasa.yaml"])
        postinst = self.info("postinst")
        self.assertIn("adduser --system --group", postinst)
        self.assertIn("install -d -o akasa -g akasa -m 0750 /var/lib/akasa", postinst)
        self.assertIn("chown root:akasa /etc/akasa/passwords", postinst)
        for script in ("postinst", "prerm", "postrm"):
            check = subprocess.run(["sh", "-n"], input=self.info(script), text=True,
                                   capture_output=True)
            self.assertEqual(check.returncode, 0, f"{script}: {check.stderr}")

    def test_file_list(self):
        listing = run(["dpkg-deb", "-c", self.deb]).stdout
        files = {line.split()[-1] for line in listing.splitlines()}
        for path in ("./usr/bin/akasa", "./etc/akasa/akasa.yaml",
                     "./usr/lib/systemd/system/akasa.service", "./usr/share/man/man1/akasa.1",
                     "./usr/share/man/man5/akasa.yaml.5", "./usr/include/akasa/plugin.h"):
            self.assertIn(path, files)
        self.assertEqual(sorted(f for f in files if f.startswith("./usr/bin/") and f[-1] != "/"),
                         ["./usr/bin/akasa"], "only the server goes to /usr/bin")
        for line in listing.splitlines():
            self.assertIn("root/root", line, "every file belongs to root")

    def test_man_pages_render(self):
        require_tool(self, "man")
        self.assertIn("insert-password",
                      render_man_page(self, os.path.join(self.root, "usr/share/man/man1/akasa.1")))
        self.assertIn("persistence.dir", render_man_page(
            self, os.path.join(self.root, "usr/share/man/man5/akasa.yaml.5")))

    def test_extracted_server_runs_with_the_packaged_config(self):
        binary = os.path.join(self.root, "usr/bin/akasa")
        work = os.path.join(self.scratch, "run")
        os.makedirs(work)
        passwords = os.path.join(work, "passwords")
        added = subprocess.run(
            [binary, "insert-password", "--create", "--path", passwords, "--username", "alice"],
            input="s3cret\ns3cret\n", text=True, capture_output=True, timeout=60)
        self.assertEqual(added.returncode, 0, added.stderr)

        with open(os.path.join(self.root, "etc/akasa/akasa.yaml")) as f:
            config = f.read()
        port, http_port = free_port(), free_port()
        for old, new in (("127.0.0.1:1883", f"127.0.0.1:{port}"),
                         ("127.0.0.1:8081", f"127.0.0.1:{http_port}"),
                         ("/etc/akasa/passwords", passwords),
                         ("/var/lib/akasa", os.path.join(work, "store"))):
            self.assertIn(old, config)
            config = config.replace(old, new)
        config_path = os.path.join(work, "akasa.yaml")
        with open(config_path, "w") as f:
            f.write(config)

        log = open(os.path.join(work, "log"), "w+")
        server = subprocess.Popen([binary, "start", "--config", config_path], stdout=log,
                                  stderr=subprocess.STDOUT, cwd=work)
        try:
            wait_for_port(port, server)
            self.assertEqual(connect(port, "alice", "s3cret", round_trip=True), 0)
            self.assertEqual(connect(port, None, None), 5, "anonymous clients must be refused")
            self.assertTrue(os.path.isdir(os.path.join(work, "store")))
        finally:
            server.send_signal(signal.SIGTERM)
            status = server.wait(timeout=60)
            log.seek(0)
            output = log.read()
            log.close()
        self.assertEqual(status, 0, output)
        self.assertNotIn("warn", output.lower(), "the packaged config should start cleanly")


def connect(port, username, password, round_trip=False):
    """The CONNACK code of a 3.1.1 login; with round_trip, a QoS 1 message to itself."""
    connack, messages = queue.Queue(), queue.Queue()
    client = mqtt.Client(client_id=f"pkg-{os.urandom(3).hex()}", protocol=mqtt.MQTTv311)
    if username is not None:
        client.username_pw_set(username, password)
    client.on_connect = lambda c, u, flags, rc: connack.put(rc)
    client.on_message = lambda c, u, msg: messages.put(msg.payload)
    client.connect("127.0.0.1", port, keepalive=60)
    client.loop_start()
    try:
        rc = connack.get(timeout=TIMEOUT)
        if rc == 0 and round_trip:
            client.subscribe("package/check", 1)
            client.publish("package/check", b"installed", 1).wait_for_publish(TIMEOUT)
            assert messages.get(timeout=TIMEOUT) == b"installed"
        if rc == 0:
            client.disconnect()
        return rc
    finally:
        client.loop_stop()


if __name__ == "__main__":
    unittest.main()
