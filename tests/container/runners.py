"""Two ways tests/container/run starts the image's server: `podman run`, and, where no OCI
runtime can start a container, the image's own files through `podman image mount` and chroot.

Both follow the image's config (its user, working directory, environment, volume, entrypoint
and command), so the fallback checks the same image a container runtime would run. Each
start is a `Server` the scenario drives the same way: clients reach it through `client()`,
and it is stopped with SIGTERM or SIGKILL sent to the process (or container) it started."""

import json
import os
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "integration"))
from akasa_harness import free_port  # noqa: E402  (the integration tests' free-port pick)

MQTT_PORT = 1883  # the port the image's config listens on, inside its network


def image_config(podman, image):
    """The image's runtime config (User, WorkingDir, Env, Entrypoint, Cmd, Volumes...)."""
    return json.loads(podman.run("image", "inspect", image).stdout)[0]["Config"]


def command_of(config, args):
    """What a runtime executes: the entrypoint, then the arguments given or the image's CMD."""
    return (config.get("Entrypoint") or []) + (list(args) if args else (config.get("Cmd") or []))


def _uids_of(pid):
    """The user ids (real, effective, saved, file system) of a process of this machine."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Uid:"):
                return set(int(x) for x in line.split()[1:])
    raise AssertionError(f"no Uid line in /proc/{pid}/status")


class PodmanServer:
    """`podman run --init -d -p 127.0.0.1:PORT:1883 -v OPT:/opt -v VOLUME:/var/lib/akasa
    IMAGE [ARGS]`: a container of its own, restarted with `podman start` (same volume)."""

    def __init__(self, podman, image, name, opt_dir, volume, args):
        self.podman = podman
        self.name = name
        self.port = free_port()
        command = ["run", "--init", "--detach", "--name", name,
                   "--publish", f"127.0.0.1:{self.port}:{MQTT_PORT}",
                   "--volume", f"{volume}:/var/lib/akasa"]
        if opt_dir is not None:
            command += ["--volume", f"{opt_dir}:/opt"]
        podman.run(*command, image, *args)

    def client(self, tool, *args):
        """The command line of a mosquitto client `tool` connected to this server."""
        return [tool, "-h", "127.0.0.1", "-p", str(self.port), *args]

    def process_uids(self):
        """The user ids of the container's processes (its init and the server)."""
        pids = self.podman.run("top", self.name, "hpid").stdout.split()[1:]
        return set().union(*(_uids_of(pid) for pid in pids))

    def running(self):
        state = self.podman.run("inspect", "--format", "{{.State.Running}}", self.name,
                                check=False).stdout.strip()
        return state == "true"

    def kill9(self):
        """SIGKILL (a crash); returns the exit status podman reports."""
        self.podman.run("kill", "--signal", "KILL", self.name)
        return int(self.podman.run("wait", self.name).stdout.strip())

    def restart(self):
        self.podman.run("start", self.name)

    def stop(self):
        """SIGTERM (the image's STOPSIGNAL, forwarded by --init); SIGKILL only after 30 s.
        Returns the server's exit status."""
        self.podman.run("stop", "--time", "30", self.name)
        return int(self.podman.run("inspect", "--format", "{{.State.ExitCode}}",
                                   self.name).stdout.strip())

    def log_text(self):
        return self.podman.run("logs", self.name, check=False).stdout

    def remove(self):
        self.podman.run("rm", "--force", self.name, check=False)


# The fallback's launcher, run by `unshare --mount --net`: a network of its own (only the
# loopback, so the image's ports never meet the machine's), /opt and the volume bound in a
# mount namespace that ends with the server, then the image's user, working directory and
# environment. Every step execs the next, so the process started is the server itself.
_CHROOT_LAUNCHER = r"""
set -eu
root=$1 opt=$2 volume=$3 store=$4 userspec=$5 workdir=$6; shift 6
ip link set lo up
mount --rbind /dev "$root/dev"
mount --bind /proc "$root/proc"
if [ -n "$opt" ]; then mount --bind "$opt" "$root/opt"; fi
mount --bind "$store" "$root$volume"
exec chroot --userspec="$userspec" --groups="${userspec#*:}" "$root" \
  /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$workdir" "$@"
"""


class MountedImage:
    """The image's root file system (`podman image mount`, read-only) and what its config
    says a runtime does with it: the user (looked up in the image's own /etc/passwd), the
    working directory, the environment and the one volume."""

    def __init__(self, podman, image):
        self.podman = podman
        self.image = image
        self.config = image_config(podman, image)
        volumes = list((self.config.get("Volumes") or {}).keys())
        if len(volumes) != 1:
            raise AssertionError(f"the image declares volumes {volumes}, expected one")
        self.volume = volumes[0]
        self.workdir = self.config.get("WorkingDir") or "/"
        self.env = self.config.get("Env") or []
        self.rootfs = podman.run("image", "mount", image).stdout.strip()
        self.uid, self.gid = self._user_ids(self.config.get("User") or "root")

    def _user_ids(self, user):
        name = user.split(":", 1)[0]
        with open(os.path.join(self.rootfs, "etc", "passwd")) as f:
            for line in f:
                fields = line.rstrip("\n").split(":")
                if name in (fields[0], fields[2]):
                    return int(fields[2]), int(fields[3])
        raise AssertionError(f"the image's user {user!r} is not in its /etc/passwd")

    def unmount(self):
        self.podman.run("image", "unmount", self.image, check=False)


class ChrootServer:
    """The image's files run directly: its root file system as the root of a chroot, entered
    as the image's user. The directory `store` stands for the volume and outlives the process,
    as a volume does."""

    def __init__(self, mounted, opt_dir, store, args, log_path):
        self.mounted = mounted
        self.opt_dir = opt_dir
        self.store = store
        self.command = command_of(mounted.config, args)
        self.log_path = log_path
        self.proc = None
        self._launch()

    def _launch(self):
        m = self.mounted
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(
                ["unshare", "--mount", "--net", "--propagation", "private", "--",
                 "sh", "-c", _CHROOT_LAUNCHER, "launcher", m.rootfs, self.opt_dir or "",
                 m.volume, self.store, f"{m.uid}:{m.gid}", m.workdir,
                 "/usr/bin/env", "-i", *m.env, *self.command],
                stdout=log, stderr=subprocess.STDOUT)

    def client(self, tool, *args):
        """A mosquitto client on the machine, in the server's network namespace."""
        return ["nsenter", f"--net=/proc/{self.proc.pid}/ns/net",
                tool, "-h", "127.0.0.1", "-p", str(MQTT_PORT), *args]

    def process_uids(self):
        return _uids_of(self.proc.pid)

    def running(self):
        return self.proc.poll() is None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        return self.proc.wait()

    def restart(self):
        self._launch()

    def stop(self):
        """SIGTERM to the server's PID; SIGKILL only after 30 s. Returns its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()

    def remove(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def podman_run_works(podman, image):
    """(True, "") when `podman run` starts a container of the image here; else (False, the
    runtime's reason), e.g. crun failing at setrlimit inside a sandbox."""
    result = podman.run("run", "--rm", image, "akasa", "--version", check=False)
    if result.returncode == 0:
        return True, ""
    reason = (result.stderr or result.stdout).strip().splitlines()
    return False, reason[-1] if reason else f"exit status {result.returncode}"


def prepare_store(path, uid, gid):
    """A fresh directory standing for the volume: owned by the image's user, as a new volume
    gets the image's /var/lib/akasa (akasa:akasa, 0750)."""
    if os.path.exists(path):
        shutil.rmtree(path)
    os.makedirs(path)
    os.chown(path, uid, gid)
    os.chmod(path, 0o750)
