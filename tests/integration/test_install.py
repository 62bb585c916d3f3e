"""`cmake --install` into a scratch DESTDIR (prefix /usr, as the package): the binary, both
man pages, the packaged config under /etc/akasa, the systemd unit and the plugin header land
where they should; the installed config is the default one with system paths; and the unit
passes `systemd-analyze verify` without a warning (nothing is started: the unit is verified
as a file, with ExecStart pointing at the scratch binary)."""

import os
import re
import shutil
import tempfile
import unittest

from akasa_harness import BINARY
from package_support import BUILD_DIR, require_tool, run

INSTALLED = [
    "usr/bin/akasa",
    "usr/share/man/man1/akasa.1",
    "usr/share/man/man5/akasa.yaml.5",
    "etc/akasa/akasa.yaml",
    "usr/lib/systemd/system/akasa.service",
    "usr/include/akasa/plugin.h",
]


class InstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.mkdtemp(prefix="akasa-install-")
        cls.root = os.path.join(cls.scratch, "root")
        cls.result = run(["cmake", "--install", BUILD_DIR, "--prefix", "/usr"],
                         env=dict(os.environ, DESTDIR=cls.root))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def path(self, relative):
        return os.path.join(self.root, relative)

    def read(self, relative):
        with open(self.path(relative)) as f:
            return f.read()

    def test_installs_every_file(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        for relative in INSTALLED:
            self.assertTrue(os.path.isfile(self.path(relative)), f"/{relative} not installed")
        self.assertTrue(os.access(self.path("usr/bin/akasa"), os.X_OK))

    def test_config_is_the_default_with_system_paths(self):
        config = self.read("etc/akasa/akasa.yaml")
        self.assertIn("password_file: /etc/akasa/passwords", config)
        self.assertIn("dir: /var/lib/akasa", config)
        self.assertNotIn("./data", config)
        self.assertNotIn("./passwords", config)
        self.assertRegex(config, r"(?m)^  enable: true ", "the packaged config must require logins")
        # Everything else is `akasa default-config`: same keys, in the same order.
        default = run([BINARY, "default-config"]).stdout

        def keys(text):
            return re.findall(r"(?m)^\s*([a-z_0-9]+):", text)

        self.assertEqual(keys(config), keys(default))

    def test_unit_passes_systemd_analyze_verify(self):
        require_tool(self, "systemd-analyze")
        unit = self.read("usr/lib/systemd/system/akasa.service")
        self.assertIn("ExecStart=/usr/bin/akasa start --config /etc/akasa/akasa.yaml", unit)
        for setting in ("Type=notify", "User=akasa", "StateDirectory=akasa", "NoNewPrivileges=yes",
                        "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes"):
            self.assertRegex(unit, rf"(?m)^{re.escape(setting)}$")
        # verify checks that ExecStart's binary exists: point it at the scratch one.
        check_dir = os.path.join(self.scratch, "verify")
        os.makedirs(check_dir, exist_ok=True)
        with open(os.path.join(check_dir, "akasa.service"), "w") as f:
            f.write(unit.replace("/usr/bin/akasa", self.path("usr/bin/akasa")))
        result = run(["systemd-analyze", "verify", "--man=no",
                      os.path.join(check_dir, "akasa.service")])
        self.assertEqual(result.returncode, 0, result.stderr)
        # A misspelt or unknown setting is only a warning (exit 0): none is allowed.
        self.assertEqual(result.stderr.strip(), "", "systemd-analyze verify warned")


if __name__ == "__main__":
    unittest.main()
