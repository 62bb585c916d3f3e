"""Builds the container image for tests/container/run without a registry.

A Debian 12 base image is made locally from Debian packages (mmdebstrap, from the apt sources
this machine uses) and imported into podman; the Dockerfile at the root is then built on it
with `podman build --isolation chroot`, which needs no OCI runtime.

Everything lives in a podman storage of its own (`Podman(root)`): the images, layers,
containers and volumes this test makes never mix with the machine's own, and removing the
directory removes them all."""

import glob
import os
import re
import subprocess

DEBIAN_SUITE = "bookworm"


class Podman:
    """podman with a private storage: `root` holds images, containers and volumes, and
    `root`/run the runtime state; nothing of the machine's default storage is used."""

    def __init__(self, root):
        self.root = root
        self.base = ["podman", "--root", os.path.join(root, "storage"),
                     "--runroot", os.path.join(root, "run"),
                     "--tmpdir", os.path.join(root, "libpod")]

    def command(self, *args):
        return self.base + list(args)

    def run(self, *args, check=True, capture=True):
        """Runs podman; returns the CompletedProcess (text). Raises with podman's own
        message when `check` and it fails."""
        result = subprocess.run(self.command(*args), text=True,
                                stdout=subprocess.PIPE if capture else None,
                                stderr=subprocess.PIPE if capture else None)
        if check and result.returncode != 0:
            raise RuntimeError(f"podman {' '.join(args)} failed ({result.returncode}):\n"
                               f"{result.stderr or ''}")
        return result

    def image_exists(self, tag):
        return self.run("image", "exists", tag, check=False).returncode == 0


def _sources_list_entries(path):
    """One-line `deb URI SUITE COMPONENTS` entries of a sources.list file for DEBIAN_SUITE."""
    entries = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            words = line.split()
            if not words or words[0] != "deb":
                continue
            rest = words[1:]
            if rest and rest[0].startswith("["):  # options: kept as they are
                while rest and not rest[0].endswith("]"):
                    rest = rest[1:]
                rest = rest[1:]
            if len(rest) >= 2 and re.fullmatch(rf"{DEBIAN_SUITE}(-[a-z]+)?", rest[1]):
                entries.append(line)
    return entries


def _deb822_entries(path):
    """The same from a deb822 .sources file (its stanzas that are enabled and of type deb).
    Signed-By is left out: the base image trusts Debian's archive keyring of its own."""
    entries = []
    with open(path) as f:
        text = f.read()
    for stanza in re.split(r"\n\s*\n", text):
        fields = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line or line[0].isspace():
                continue
            key, value = line.split(":", 1)
            fields[key.strip().lower()] = value.split()
        if "deb" not in fields.get("types", []) or fields.get("enabled", ["yes"]) == ["no"]:
            continue
        for uri in fields.get("uris", []):
            for suite in fields.get("suites", []):
                if re.fullmatch(rf"{DEBIAN_SUITE}(-[a-z]+)?", suite):
                    entries.append(" ".join(["deb", uri, suite] + fields.get("components", [])))
    return entries


def host_debian_sources():
    """The machine's apt entries for Debian 12 (its mirror, updates and security), so the base
    image is made from the same mirror apt uses here. Empty: mmdebstrap's default mirror."""
    entries = []
    if os.path.exists("/etc/apt/sources.list"):
        entries += _sources_list_entries("/etc/apt/sources.list")
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        entries += _sources_list_entries(path)
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        entries += _deb822_entries(path)
    return entries


def build_debian_base(podman, tag, workdir, log):
    """A minimal Debian 12 (variant minbase: apt, dpkg and the required packages, as the
    official debian image) imported into podman as `tag`."""
    tarball = os.path.join(workdir, "debian-base.tar")
    command = ["mmdebstrap", "--variant=minbase", "--format=tar", DEBIAN_SUITE, tarball]
    command += host_debian_sources()
    log(f"base image: {' '.join(command)}")
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    podman.run("import", "--change", 'CMD ["/bin/bash"]', tarball, tag)
    os.remove(tarball)


def build_image(podman, repo, base_tag, tag, log_path):
    """`podman build` of the Dockerfile at `repo` on `base_tag`; its output goes to log_path."""
    command = podman.command("build", "--isolation", "chroot", "--pull=never",
                             "--build-arg", f"DEBIAN_IMAGE={base_tag}", "--tag", tag, repo)
    with open(log_path, "w") as log:
        status = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT).returncode
    if status != 0:
        with open(log_path) as f:
            tail = "".join(f.readlines()[-40:])
        raise RuntimeError(f"podman build failed ({status}); the end of {log_path}:\n{tail}")
