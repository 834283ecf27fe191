"""seedd speaks systemd's notify protocol: with NOTIFY_SOCKET and WATCHDOG_USEC set as systemd
sets them for a Type=notify unit with WatchdogSec=2, it sends READY=1 once RPC answers,
WATCHDOG=1 at half the interval, STATUS= lines with the torrents seeding and the upload rate,
and STOPPING=1 at SIGTERM. The same with an abstract socket name ('@...'), and no pings when
WATCHDOG_PID names another process."""
import os
import re
import signal
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import Daemon, make_file  # noqa: E402


class NotifyListener:
    """The systemd side: an AF_UNIX datagram socket, every message with its arrival time."""

    def __init__(self, address):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.messages = []  # (time, [lines])

    def drain(self, until, stop=lambda msgs: False, proc=None):
        while time.time() < until:
            if proc is not None and proc.poll() is not None:
                break  # the daemon is gone: no more messages will come
            self.sock.settimeout(max(0.01, until - time.time()))
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                break
            self.messages.append((time.time(), data.decode().split("\n")))
            if stop(self.messages):
                return True
        return stop(self.messages)

    def lines(self, prefix):
        return [(t, l) for t, lines in self.messages for l in lines if l.startswith(prefix)]


def start(notify_address, env_extra, name):
    env = {"NOTIFY_SOCKET": notify_address, "WATCHDOG_USEC": "2000000"}
    env.update(env_extra)
    d = Daemon(name=name, env=env)
    d.start(wait=False)
    return d


def main():
    # --- a socket in the file system, all the messages ------------------------------------
    tmp = tempfile.mkdtemp(prefix="seedd-notify-")
    path = os.path.join(tmp, "notify.sock")
    listener = NotifyListener(path)
    d = start(path, {}, "notify")
    try:
        got_ready = listener.drain(time.time() + 30, lambda m: bool(listener.lines("READY=1")), d.proc)
        assert got_ready, f"no READY=1 within 30 s; got {listener.messages}\n{d.read_log()}"
        # READY=1 comes after the RPC server answers: node.info works at once.
        info = d.call("node.info")
        assert info["version"], info
        ready_status = [l for _, lines in listener.messages if "READY=1" in lines for l in lines
                        if l.startswith("STATUS=")]
        assert ready_status and re.fullmatch(r"STATUS=seeding 0 of 0 torrents, upload [0-9.]+ KiB/s, 0 peers",
                                             ready_status[0]), ready_status

        # One torrent seeding: the periodic STATUS= line (every 5 s) must count it.
        make_file(os.path.join(d.download_dir, "notify.bin"), 256 * 1024, seed=7)
        d.call("torrent.create", path=os.path.join(d.download_dir, "notify.bin"))
        t0 = time.time()
        seen = listener.drain(t0 + 15, lambda m: any(
            l.startswith("STATUS=seeding 1 of 1 torrents, upload ") for _, l in listener.lines("STATUS=")))
        assert seen, f"no STATUS= line with 1 torrent seeding in 15 s: {listener.lines('STATUS=')}"

        # Watchdog pings: WatchdogSec=2 s, so one per second; every gap must stay well below 2 s.
        pings = [t for t, _ in listener.lines("WATCHDOG=1")]
        assert len(pings) >= 5, f"only {len(pings)} WATCHDOG=1 pings in {time.time() - t0:.1f} s"
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        assert max(gaps) < 1.8, f"watchdog gaps {gaps}"
        assert min(gaps) > 0.3, f"watchdog pings too often: {gaps}"

        assert not listener.lines("STOPPING=1"), "STOPPING=1 before any signal"
        d.proc.send_signal(signal.SIGTERM)
        stopping = listener.drain(time.time() + 15, lambda m: bool(listener.lines("STOPPING=1")))
        assert stopping, f"no STOPPING=1 after SIGTERM: {listener.messages[-5:]}"
        code = d.proc.wait(timeout=20)
        assert code == 0, f"exit code {code}\n{d.read_log()}"
    finally:
        d.stop()
    print(f"file socket: READY, {len(pings)} pings (gaps {min(gaps):.2f}-{max(gaps):.2f} s), STATUS, STOPPING")

    # --- an abstract socket name, and WATCHDOG_PID of another process ---------------------
    name = f"seedd-test-notify-{os.getpid()}"
    listener2 = NotifyListener("\0" + name)
    d2 = start("@" + name, {"WATCHDOG_PID": "1"}, "notify-abstract")
    try:
        got_ready = listener2.drain(time.time() + 30, lambda m: bool(listener2.lines("READY=1")), d2.proc)
        assert got_ready, f"no READY=1 on the abstract socket\n{d2.read_log()}"
        listener2.drain(time.time() + 3)
        assert not listener2.lines("WATCHDOG=1"), "pinged although WATCHDOG_PID names another process"
        d2.proc.send_signal(signal.SIGTERM)
        assert listener2.drain(time.time() + 15, lambda m: bool(listener2.lines("STOPPING=1")))
        assert d2.proc.wait(timeout=20) == 0
    finally:
        d2.stop()
    print("abstract socket: READY, no pings for a foreign WATCHDOG_PID, STOPPING")
    print("PASS")


if __name__ == "__main__":
    main()
