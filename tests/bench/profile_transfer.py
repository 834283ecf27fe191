#!/usr/bin/python3
"""bench_daemons.py's 1 GiB transfer, with optional `perf` attached to seedd for the transfers
only (not the start-up, the adding or the check), and the CPU and context switches per thread.
Not a test: it prints numbers (docs/benchmarks.md, "CPU per byte seeded").

  /usr/bin/python3 tests/bench/profile_transfer.py --seedd build/seedd --runs 3 --threads
  /usr/bin/python3 tests/bench/profile_transfer.py --perf /tmp/seedd --perf-opts "-F 4000"
      (writes /tmp/seedd-0.data, ...; perf report -i /tmp/seedd-0.data --sort pid,sym)
  /usr/bin/python3 tests/bench/profile_transfer.py --perf /tmp/st --perf-cmd stat \\
      --perf-opts "-e context-switches,syscalls:sys_enter_futex"
  --env SEEDD_DISK_THREADS=10 runs seedd with that environment variable (an option of seedd's).

Take `flock /tmp/seedd-bench.lock` around it on a shared machine."""
import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_daemons as bd  # noqa: E402
import harness  # noqa: E402


def threads(pid):
    """{tid: (name, CPU seconds, voluntary switches, involuntary switches)}"""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                st = f.read()
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                status = f.read()
        except (FileNotFoundError, ProcessLookupError):
            continue
        fields = st.rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        vol = int(re.search(r"^voluntary_ctxt_switches:\s+(\d+)", status, re.M).group(1))
        invol = int(re.search(r"^nonvoluntary_ctxt_switches:\s+(\d+)", status, re.M).group(1))
        out[tid] = (st[st.index("(") + 1:st.rindex(")")], cpu, vol, invol)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seedd", default="build/seedd")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--size-mib", type=int, default=1024)
    p.add_argument("--perf", help="output prefix: attach perf to seedd during each transfer")
    p.add_argument("--perf-cmd", default="record", help="record or stat")
    p.add_argument("--perf-opts", default="-F 4000")
    p.add_argument("--env", action="append", default=[], help="KEY=VALUE for seedd's environment")
    p.add_argument("--threads", action="store_true", help="CPU and context switches per thread")
    a = p.parse_args()
    for kv in a.env:
        k, v = kv.split("=", 1)
        os.environ[k] = v
    harness.SEEDD = os.path.abspath(a.seedd)
    root = tempfile.mkdtemp(prefix="seedd-prof-", dir="/var/tmp")
    shm = tempfile.mkdtemp(prefix="seedd-prof-", dir="/dev/shm")
    load0 = os.getloadavg()[0]
    results = []
    try:
        big = bd.BigFile(os.path.join(shm, "big"), a.size_mib * bd.MiB)
        d = bd.SeeddDaemon(root, [big.dir])
        d.start()
        try:
            for i in range(a.runs):
                ih, tb = big.torrent(f"prof-{i}-{time.time()}")
                d.add([(ih, tb)], big.dir)
                bd.wait_all_seeding(d, i + 1, 600)
                dest = tempfile.mkdtemp(prefix="client-", dir=shm)
                perf = None
                if a.perf:
                    ext = "data" if a.perf_cmd == "record" else "txt"
                    perf = subprocess.Popen(["perf", a.perf_cmd, *a.perf_opts.split(), "-o", f"{a.perf}-{i}.{ext}",
                                             "-p", str(d.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    time.sleep(0.5)  # attached before the first byte
                cpu0, th0 = bd.cpu_seconds(d.pid), threads(d.pid)
                took = bd.client_download(d.bt_port, ih, tb, dest, timeout=600)
                cpu, th1 = bd.cpu_seconds(d.pid) - cpu0, threads(d.pid)
                if perf:
                    perf.send_signal(signal.SIGINT)
                    perf.wait()
                shutil.rmtree(dest, ignore_errors=True)
                if a.threads:
                    def used(t):
                        return th1[t][1] - th0.get(t, (None, 0, 0, 0))[1]
                    for tid in sorted(th1, key=used, reverse=True):
                        name, c, v, nv = th1[tid]
                        _, c0, v0, nv0 = th0.get(tid, (name, 0, 0, 0))
                        if c - c0 > 0.005 or v - v0 > 50:
                            print(f"   {tid} {name:16s} CPU {c - c0:.2f} s, switches {v - v0} voluntary, {nv - nv0} not")
                mbps, mb_per_cpu = big.size / took / 1e6, big.size / 1e6 / cpu
                results.append((mbps, mb_per_cpu))
                print(f"run {i}: {mbps:.1f} MB/s, seeder CPU {cpu:.2f} s, {mb_per_cpu:.0f} MB per CPU-second", flush=True)
        finally:
            d.stop()
            d.kill()
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(shm, ignore_errors=True)
    print(f"median: {statistics.median(r[0] for r in results):.1f} MB/s, "
          f"{statistics.median(r[1] for r in results):.0f} MB per CPU-second; "
          f"load average {load0:.2f} -> {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
