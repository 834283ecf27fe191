#!/usr/bin/python3
"""Benchmark (issue 3, must-show 7): seeding throughput between two seedd on 127.0.0.1 with
receipts on versus off, in one run, as a ratio. Not a test: it prints numbers.

Data and both data directories live in /dev/shm (no disk in the way). The seeder makes a
1 GiB torrent once; every run starts a fresh leecher that downloads it over TCP and is thrown
away. The time of a run is from the leecher's "added" to its "finished" log line (ms); the CPU time
is what both daemons used meanwhile (less sensitive than the time to others' load).

Configurations (the seeder is restarted between them, on the same data):
  off           leecher --sign-receipts=false; seeder --credit-window=<large> (otherwise it
                would serve a leecher that never sends receipts only after a grace period)
  on, large     receipts on; seeder --credit-window=<large>: the same as `off` but receipts
  on, W         receipts on; seeder --credit-window=W for each W in --windows (default: the
                default window, 16 MiB)
With --vs-defaults instead (issue 18's target: defaults against tuned, >= 0.97):
  defaults      both daemons with every setting at its default (uTP, credit window, cadence)
  tcp, large    --utp=false on both, seeder --credit-window=<large>
A leecher receipts min(receipt_interval, cw/4) bytes at a time, at most one receipt every
10 ms (docs/protocol.md 4), and the seeder holds a peer whose unreceipted bytes reach its
credit window cw until the receipt comes.

  /usr/bin/python3 tests/bench/bench_transfer.py --seedd build/seedd [--rounds 3]
"""
import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402
from harness import Daemon, make_file  # noqa: E402

MiB = 1024 * 1024
LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) .*engine\s+(added|finished) (\S+)")


def parse_bytes(text):
    units = {"": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}
    m = re.fullmatch(r"(\d+)\s*([a-zA-Z]*)", text.strip())
    if not m or m.group(2).lower() not in units:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 16MiB)")
    return int(m.group(1)) * units[m.group(2).lower()]


def human(n):
    for unit, size in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20)):
        if n >= size and n % size == 0:
            return f"{n // size}{unit}"
    return str(n)


def cpu_seconds(pid):
    """User + system CPU seconds a process has used so far (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def receipt_counters(daemon):
    """(accepted, superseded) receipts since the daemon started, from its /metrics."""
    _, _, body = daemon.request("GET", "/metrics", headers={"Authorization": daemon.auth_header()})
    values = {}
    for line in body.decode().splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("seedd_receipts_accepted_total", "seedd_receipts_superseded_total"):
            values[parts[0]] = int(float(parts[1]))
    return values["seedd_receipts_accepted_total"], values["seedd_receipts_superseded_total"]


def transfer_seconds(log_path, info_hash, name):
    """Seconds between the leecher's 'added <info_hash>' and 'finished <name>' log lines."""
    added = finished = None
    with open(log_path, errors="replace") as f:
        for line in f:
            m = LOG_TIME.match(line)
            if not m:
                continue
            t = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
            if m.group(2) == "added" and m.group(3) == info_hash:
                added = t
            elif m.group(2) == "finished" and m.group(3) == name and added is not None:
                finished = t
    if added is None or finished is None:
        raise RuntimeError(f"no added/finished lines in {log_path}")
    return finished - added


class Bench:
    def __init__(self, args):
        self.args = args
        self.root = tempfile.mkdtemp(prefix="seedd-bench-", dir=args.dir)
        os.makedirs(os.path.join(self.root, "seeder"))
        self.seeder = Daemon("seeder", base_dir=os.path.join(self.root, "seeder"))
        self.seeder_args = None

    def seeder_with(self, window, extra=()):
        args = ([f"--credit-window={window}"] if window else []) + list(extra) + ["--log-level=info"]
        if self.seeder_args != args:
            if self.seeder.proc:
                self.seeder.stop()
            self.seeder.extra_args = args
            self.seeder.start()
            if self.seeder_args is not None:  # a restart: the torrent comes back from resume data
                self.seeder.wait_for(lambda: self.seeder.torrent(self.ih)["state"] == "seeding", timeout=120,
                                     what="the seeder to seed")
            self.seeder_args = args

    def setup(self):
        self.seeder_with(self.args.large_window)
        src = os.path.join(self.seeder.download_dir, "bench.bin")
        t0 = time.time()
        make_file(src, self.args.size, seed=77)
        made = self.seeder.call("torrent.create", path=src)
        self.ih, self.torrent = made["info_hash"], made["torrent"]
        print(f"# made {human(self.args.size)} of data and its v1+v2 torrent in {time.time() - t0:.1f} s")

    def run(self, window, sign, extra=()):
        """One transfer: `window` the seeder's credit window (None: its default), `extra` the
        options both daemons get besides."""
        self.seeder_with(window, extra)
        base = os.path.join(self.root, "leecher")
        os.makedirs(base)
        leecher = Daemon("leecher", base_dir=base,
                         extra_args=([] if sign else ["--sign-receipts=false"]) + list(extra) + ["--log-level=info"])
        leecher.start()
        try:
            cpu0 = cpu_seconds(self.seeder.proc.pid) + cpu_seconds(leecher.proc.pid)
            counted0 = receipt_counters(self.seeder)
            leecher.call("torrent.add", torrent=self.torrent, peers=[f"127.0.0.1:{self.seeder.bt_port}"])
            leecher.wait_for(lambda: leecher.torrent(self.ih)["state"] == "seeding", timeout=1800, interval=0.2,
                             what="the download")
            cpu = cpu_seconds(self.seeder.proc.pid) + cpu_seconds(leecher.proc.pid) - cpu0
            seconds = transfer_seconds(leecher.log_path, self.ih, "bench.bin")
            receipted = None
            if sign:
                addr = leecher.call("node.info")["node_address"]

                def total():
                    rows = self.seeder.call("receipts.list", info_hash=self.ih, leecher=addr, limit=1000)["receipts"]
                    return sum(int(r["message"]["bytes"]) for r in rows)

                deadline = time.time() + 15
                receipted = total()
                while receipted < self.args.size and time.time() < deadline:
                    time.sleep(0.5)
                    receipted = total()
                # The seeder verifies only the newest receipt of a channel in a batch: the
                # receipts it accepted (verified) against those superseded unverified.
                accepted, superseded = (b - a for a, b in zip(counted0, receipt_counters(self.seeder)))
                receipted = (receipted, accepted, superseded)
        finally:
            leecher.stop()
            shutil.rmtree(base, ignore_errors=True)
        return seconds, cpu, receipted

    def close(self):
        self.seeder.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seedd", default=os.environ.get("SEEDD_BIN", "build/seedd"))
    p.add_argument("--size", type=parse_bytes, default=1 << 30)
    p.add_argument("--rounds", type=int, default=3, help="runs of `off` and `on, large`, alternating")
    p.add_argument("--large-window", type=parse_bytes, default=1 << 40)
    p.add_argument("--windows", default="16MiB", help="comma-separated credit windows to run once each with receipts")
    p.add_argument("--dir", default="/dev/shm")
    p.add_argument("--vs-defaults", action="store_true",
                   help="compare all defaults with --utp=false and a large window, instead of receipts on/off")
    args = p.parse_args()
    harness.SEEDD = os.path.abspath(args.seedd)
    windows = [parse_bytes(w) for w in args.windows.split(",") if w.strip()]

    print(f"# seedd {harness.SEEDD}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}; "
          f"data in {args.dir}")
    bench = Bench(args)
    results, cpu_used = {}, {}
    try:
        bench.setup()
        plan = []
        if args.vs_defaults:
            tuned = f"tcp, window {human(args.large_window)}"
            for _ in range(args.rounds):
                plan += [(tuned, args.large_window, True, ["--utp=false"]), ("defaults", None, True, [])]
            baseline = tuned
        else:
            for _ in range(args.rounds):
                plan += [("off", args.large_window, False, []),
                         (f"on, window {human(args.large_window)}", args.large_window, True, [])]
            plan += [(f"on, window {human(w)}", w, True, []) for w in windows]
            baseline = "off"
        # A first transfer runs slower (fresh page cache, first mappings of the file): thrown away.
        seconds, _, _ = bench.run(args.large_window, False)
        print(f"{'warm-up (off, dropped)':>24}: {seconds:7.2f} s, {args.size / seconds / 1e6:7.1f} MB/s", flush=True)
        for name, window, sign, extra in plan:
            seconds, cpu, receipted = bench.run(window, sign, extra)
            mbps = args.size / seconds / 1e6
            results.setdefault(name, []).append(mbps)
            cpu_used.setdefault(name, []).append(cpu)
            note = ""
            if receipted is not None:
                got, accepted, superseded = receipted
                note = (f"; receipted {got} of {args.size} bytes; {accepted} receipts verified "
                        f"({accepted / seconds:.0f}/s on the one channel), {superseded} superseded unverified")
            print(f"{name:>24}: {seconds:7.2f} s, {mbps:7.1f} MB/s, {cpu:5.2f} CPU s (both daemons){note}",
                  flush=True)
    finally:
        bench.close()

    print(f"# medians over the runs; load average now {os.getloadavg()[0]:.2f}")
    base = statistics.median(results[baseline])
    for name, runs in results.items():
        med = statistics.median(runs)
        print(f"{name:>24}: {med:7.1f} MB/s (median of {len(runs)}), ratio to {baseline} {med / base:.3f}; "
              f"CPU {statistics.median(cpu_used[name]):.2f} s")


if __name__ == "__main__":
    main()
