"""Issue 16, items 6-9 and 12 (ip_filter): input an authenticated (even read-only) user or a file
dropped in a folder can use to crash, hang or escape seedd, each refused with a clear error while
the daemon keeps serving.
- JSON nested 100,000 deep in id, params, claim.verify's claim, an events.poll param, a batch
  element, Transmission's arguments and fields: -32600 (Transmission: a result string), no
  SIGSEGV; 64 levels are fine, 65 are not; 16 MiB of '[' costs nothing, 16 MiB of '[],' little
  (at most 1,000,000 values); seedctl verify-claim refuses a deep claim file.
- A FIFO as torrent.add's path or in a watch folder: refused at once, workers and SIGTERM free.
- A 1 GiB file (or a link to one) as torrent.add's path or in a watch folder: refused without
  reading it (peak RSS stays low); a .torrent of exactly 100 MiB is read, one byte more is not;
  an ip_filter past 256 MiB or a FIFO is not read. A save path that is a FIFO or a file: -32602.
- Symbolic links: torrent.create refuses a link leading out of the allowed roots; torrent.add
  and torrent.move refuse a save path whose top folder is a link out of them; nothing is
  written outside.
- A relative ip_filter path is refused."""
import base64
import hashlib
import json
import os
import time
import unittest

from harness import Daemon, DaemonTestCase, bencode, make_file, make_torrent_bytes

INVALID_REQUEST, INVALID_PARAMS = -32600, -32602
MAX_JSON_DEPTH = 64  # daemon/util/json_input.hpp
MAX_JSON_VALUES = 1_000_000  # daemon/util/json_input.hpp
DEEP = 100_000
MAX_BODY_BYTES = 16 * 1024 * 1024  # rpc/http_server.hpp
GIB = 1 << 30
MAX_TORRENT_FILE_BYTES = 100 * 1024 * 1024  # kMaxTorrentFileBytes, daemon/engine/engine.hpp
MAX_IP_FILTER_BYTES = 256 * 1024 * 1024  # kMaxIpFilterBytes, daemon/engine/engine.cpp


def deep(n):
    return "[" * n + "]" * n


def vm_hwm_kib(pid):
    """The peak resident set size of a process, in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def multi_file_torrent(name, files):
    """A .torrent of folder `name` holding `files` ((path parts, length), ...); its pieces are
    those of zero bytes, which is all an add needs."""
    piece = 16384
    total = sum(length for _, length in files)
    pieces = b"".join(hashlib.sha1(b"\0" * min(piece, total - i)).digest() for i in range(0, total, piece))
    info = {"name": name, "piece length": piece, "pieces": pieces,
            "files": [{"length": length, "path": parts} for parts, length in files]}
    return bencode({"info": info})


class HostileInput(unittest.TestCase):
    """One daemon takes every hostile request; after each it must still answer."""

    @classmethod
    def setUpClass(cls):
        cls.d = d = Daemon("hostile")
        cls.watch = os.path.join(d.base, "watch")
        cls.outside = os.path.join(d.base, "outside")
        for p in (d.download_dir, cls.watch, cls.outside):
            os.makedirs(p)
        d.extra_args = [f"--watch-dir={cls.watch}", "--transmission-rpc=true"]
        d.start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def assert_alive(self):
        self.assertIsNone(self.d.proc.poll(), f"seedd died:\n{self.d.read_log()}")
        self.d.call("node.info")

    def post_rpc(self, body, timeout=30):
        status, _, data = self.d.post(body, {"Authorization": self.d.auth_header(),
                                             "Content-Type": "application/json"}, timeout=timeout)
        return status, data

    def assert_too_deep(self, body):
        status, data = self.post_rpc(body)
        self.assertEqual(status, 200, data[:200])
        reply = json.loads(data)
        self.assertEqual(reply["error"]["code"], INVALID_REQUEST, reply)
        self.assertIn(f"deeper than {MAX_JSON_DEPTH} levels", reply["error"]["message"])
        self.assert_alive()

    # Item 6: deep JSON.
    def test_deep_id(self):
        self.assert_too_deep('{"jsonrpc":"2.0","id":' + deep(DEEP) + ',"method":"node.info"}')

    def test_deep_params(self):
        self.assert_too_deep('{"jsonrpc":"2.0","id":1,"method":"node.info","params":{"x":' + deep(DEEP) + '}}')

    def test_deep_claim_in_claim_verify(self):
        self.assert_too_deep('{"jsonrpc":"2.0","id":1,"method":"claim.verify","params":{"claim":{"claim":'
                             + deep(DEEP) + '}}}')

    def test_deep_events_poll_param(self):
        self.assert_too_deep('{"jsonrpc":"2.0","id":1,"method":"events.poll","params":{"timeout_ms":1000,"since":'
                             + deep(DEEP) + '}}')

    def test_deep_batch_element(self):
        self.assert_too_deep('[{"jsonrpc":"2.0","id":1,"method":"node.info"},' + deep(DEEP) + ']')

    def test_deep_objects(self):
        self.assert_too_deep('{"jsonrpc":"2.0","id":1,"method":"node.info","params":' + '{"a":' * DEEP + '1'
                             + '}' * DEEP + '}')

    def test_nesting_at_the_limit_is_answered_and_one_more_level_is_refused(self):
        # Request object 1, params 2, claim 3, then arrays: 3 + 61 = 64 levels.
        def body(arrays):
            return ('{"jsonrpc":"2.0","id":7,"method":"claim.verify","params":{"claim":{"x":'
                    + deep(arrays) + '}}}')
        status, data = self.post_rpc(body(MAX_JSON_DEPTH - 3))
        reply = json.loads(data)
        self.assertEqual(reply["id"], 7)
        self.assertFalse(reply.get("error", {}).get("code") == INVALID_REQUEST, reply)
        self.assert_too_deep(body(MAX_JSON_DEPTH - 2))

    def test_16_mib_of_open_brackets_is_cheap(self):
        before = vm_hwm_kib(self.d.proc.pid)
        t0 = time.time()
        status, data = self.post_rpc(b"[" * (MAX_BODY_BYTES - 1), timeout=60)
        elapsed = time.time() - t0
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(data)["error"]["code"], INVALID_REQUEST)
        self.assertLess(elapsed, 3, "16 MiB of '[' took too long")
        # The body itself is buffered (16 MiB, maybe twice): not the 650 MB a parse built.
        self.assertLess(vm_hwm_kib(self.d.proc.pid) - before, 100 * 1024)
        self.assert_alive()

    def test_16_mib_of_empty_arrays_is_cheap_too(self):
        n = (MAX_BODY_BYTES - 200) // 3
        body = b'{"jsonrpc":"2.0","id":1,"method":"node.info","params":{"x":[' + b"[]," * (n - 1) + b"[]]}}"
        before = vm_hwm_kib(self.d.proc.pid)
        t0 = time.time()
        status, data = self.post_rpc(body, timeout=60)
        self.assertEqual(status, 200)
        reply = json.loads(data)
        self.assertEqual(reply["error"]["code"], INVALID_REQUEST, reply)
        self.assertIn(f"more than {MAX_JSON_VALUES} values", reply["error"]["message"])
        self.assertLess(time.time() - t0, 5)
        # 1,000,000 values parsed before the refusal: ~100 MB, not the 676 MB of 5.6 million.
        self.assertLess(vm_hwm_kib(self.d.proc.pid) - before, 250 * 1024)
        self.assert_alive()

    def transmission(self, payload):
        path = "/transmission/rpc"
        headers = {"Authorization": self.d.auth_header(), "Content-Type": "application/json"}
        status, hdrs, data = self.d.post(payload, headers, path=path)
        if status == 409:
            headers["X-Transmission-Session-Id"] = {k.lower(): v for k, v in hdrs.items()}["x-transmission-session-id"]
            status, hdrs, data = self.d.post(payload, headers, path=path)
        self.assertEqual(status, 200, data[:200])
        return json.loads(data)

    def test_deep_transmission_arguments_and_fields(self):
        for payload in ('{"method":"session-get","arguments":{"x":' + deep(DEEP) + '}}',
                        '{"method":"torrent-get","arguments":{"fields":' + deep(DEEP) + '}}'):
            answer = self.transmission(payload)
            self.assertIn(f"deeper than {MAX_JSON_DEPTH} levels", answer["result"])
            self.assert_alive()
        self.assertEqual(self.transmission('{"method":"session-get"}')["result"], "success")

    def test_seedctl_verify_claim_refuses_a_deep_file(self):
        path = os.path.join(self.d.base, "deep-claim.json")
        with open(path, "w") as f:
            f.write('{"claim":' + deep(DEEP) + '}')
        p = self.d.seedctl("verify-claim", path, check=False)
        self.assertGreater(p.returncode, 0, "seedctl crashed or accepted it")
        self.assertIn(f"deeper than {MAX_JSON_DEPTH} levels", p.stderr)

    # Item 7: FIFOs.
    def test_fifo_as_torrent_add_path_is_refused_at_once(self):
        fifo = os.path.join(self.d.download_dir, "f.torrent")
        os.mkfifo(fifo)
        try:
            for _ in range(3):  # more than there are workers
                t0 = time.time()
                e = self.d.call_error("torrent.add", path=fifo)
                self.assertEqual(e.code, INVALID_PARAMS, e.message)
                self.assertIn("FIFO", e.message)
                self.assertLess(time.time() - t0, 5)
            self.assert_alive()
        finally:
            os.unlink(fifo)

    def test_fifo_or_file_as_save_path_is_refused(self):
        fifo = os.path.join(self.d.download_dir, "save-fifo")
        os.mkfifo(fifo)
        plain = os.path.join(self.d.download_dir, "save-file")
        open(plain, "w").close()
        data, _ = make_torrent_bytes("fifo-save.bin", length=1000)
        try:
            for path, kind in ((fifo, "a FIFO"), (plain, "a regular file")):
                e = self.d.call_error("torrent.add", torrent=base64.b64encode(data).decode(), save_path=path)
                self.assertEqual(e.code, INVALID_PARAMS, e.message)
                self.assertIn(f"is {kind}, not a directory", e.message)
            self.assert_alive()
        finally:
            os.unlink(fifo)
            os.unlink(plain)

    # Item 8: big files are not read.
    def test_big_file_or_link_to_one_as_torrent_add_path_is_refused_unread(self):
        big = os.path.join(self.d.download_dir, "big.torrent")
        with open(big, "wb") as f:
            f.truncate(GIB)  # sparse: reading it would still cost 1 GiB of memory
        link = os.path.join(self.d.download_dir, "link-to-big.torrent")
        os.symlink(big, link)
        try:
            before = vm_hwm_kib(self.d.proc.pid)
            for path in (big, link):
                e = self.d.call_error("torrent.add", path=path)
                self.assertEqual(e.code, INVALID_PARAMS, e.message)
                self.assertIn("more than the limit", e.message)
            self.assertLess(vm_hwm_kib(self.d.proc.pid) - before, 100 * 1024, "the file was read")
        finally:
            os.unlink(link)
            os.unlink(big)

    def test_a_torrent_file_of_exactly_the_limit_is_read_and_one_byte_more_is_not(self):
        path = os.path.join(self.d.download_dir, "edge.torrent")
        try:
            for size, expected in ((MAX_TORRENT_FILE_BYTES, "not a valid .torrent"),
                                   (MAX_TORRENT_FILE_BYTES + 1, "more than the limit")):
                with open(path, "wb") as f:
                    f.truncate(size)
                e = self.d.call_error("torrent.add", path=path)
                self.assertEqual(e.code, INVALID_PARAMS, e.message)
                self.assertIn(expected, e.message)
        finally:
            os.unlink(path)

    def test_an_ip_filter_past_its_limit_is_not_read(self):
        path = os.path.join(self.outside, "huge.p2p")
        with open(path, "wb") as f:
            f.truncate(MAX_IP_FILTER_BYTES + 1)
        before = vm_hwm_kib(self.d.proc.pid)
        s = self.d.call("session.set", ip_filter=path)
        self.assertIn("more than the limit", s["ip_filter_error"])
        self.assertLess(vm_hwm_kib(self.d.proc.pid) - before, 100 * 1024, "the file was read")
        fifo = os.path.join(self.outside, "fifo.p2p")
        os.mkfifo(fifo)
        s = self.d.call("session.set", ip_filter=fifo)
        self.assertIn("a FIFO", s["ip_filter_error"])
        self.d.call("session.set", ip_filter="")

    def test_big_file_in_the_watch_folder_is_set_aside_unread(self):
        big = os.path.join(self.outside, "big-watched")
        with open(big, "wb") as f:
            f.truncate(GIB)
        before = vm_hwm_kib(self.d.proc.pid)
        # As a file moved in, and as a symbolic link made there.
        moved = os.path.join(self.watch, "big.torrent")
        os.rename(big, moved)
        self.d.wait_for(lambda: os.path.lexists(moved + ".invalid"), timeout=20, what="big.torrent.invalid")
        link = os.path.join(self.watch, "link.torrent")
        os.symlink(moved + ".invalid", link)
        self.d.wait_for(lambda: os.path.lexists(link + ".invalid"), timeout=20, what="link.torrent.invalid")
        self.assertLess(vm_hwm_kib(self.d.proc.pid) - before, 100 * 1024, "the file was read")
        self.assertIn("more than the limit", self.d.read_log())
        self.assert_alive()

    # Item 9: symbolic links.
    def test_torrent_create_refuses_a_link_out_of_the_roots(self):
        secret = os.path.join(self.outside, "secret.txt")
        with open(secret, "w") as f:
            f.write("the secret\n")
        folder = os.path.join(self.d.download_dir, "s")
        os.makedirs(folder)
        with open(os.path.join(folder, "a"), "w") as f:
            f.write("hi\n")
        os.symlink(secret, os.path.join(folder, "link"))
        before = self.d.call("torrent.list")["torrents"]
        e = self.d.call_error("torrent.create", path=folder)
        self.assertEqual(e.code, INVALID_PARAMS, e.message)
        self.assertIn("symbolic link", e.message)
        self.assertIn("link", e.message)
        # A link to a folder out of the roots, and a link to a file within one level down of it.
        os.unlink(os.path.join(folder, "link"))
        os.symlink(self.outside, os.path.join(folder, "dirlink"))
        e = self.d.call_error("torrent.create", path=folder)
        self.assertIn("dirlink", e.message)
        self.assertEqual(self.d.call("torrent.list")["torrents"], before)
        # A link that stays inside the roots is followed as before.
        os.unlink(os.path.join(folder, "dirlink"))
        make_file(os.path.join(self.d.download_dir, "inside.bin"), 5000, seed=4)
        os.symlink(os.path.join(self.d.download_dir, "inside.bin"), os.path.join(folder, "inside-link"))
        made = self.d.call("torrent.create", path=folder)
        files = self.d.call("torrent.files", info_hash=made["info_hash"])["files"]
        self.assertIn("s/inside-link", [f["path"] for f in files])
        self.d.call("torrent.remove", info_hash=made["info_hash"])

    def test_torrent_add_refuses_a_top_folder_that_is_a_link_out_of_the_roots(self):
        target = os.path.join(self.outside, "X")
        os.makedirs(target)
        os.symlink(target, os.path.join(self.d.download_dir, "linkout"))
        torrent = multi_file_torrent("linkout", [(["pwned.txt"], 1000)])
        e = self.d.call_error("torrent.add", torrent=base64.b64encode(torrent).decode())
        self.assertEqual(e.code, INVALID_PARAMS, e.message)
        self.assertIn("symbolic link", e.message)
        # A single-file torrent whose file is a link out: the same.
        os.symlink(os.path.join(self.outside, "victim.bin"), os.path.join(self.d.download_dir, "victim.bin"))
        data, _ = make_torrent_bytes("victim.bin", length=1000)
        e = self.d.call_error("torrent.add", torrent=base64.b64encode(data).decode())
        self.assertIn("symbolic link", e.message)
        time.sleep(1)
        self.assertEqual(os.listdir(target), [])
        self.assertFalse(os.path.lexists(os.path.join(self.outside, "victim.bin")))

    def test_torrent_move_refuses_a_location_where_the_top_folder_is_a_link_out(self):
        torrent = multi_file_torrent("movable", [(["a.bin"], 1000)])
        ih = self.d.call("torrent.add", torrent=base64.b64encode(torrent).decode(), paused=True)["info_hash"]
        try:
            elsewhere = os.path.join(self.d.download_dir, "elsewhere")
            os.makedirs(elsewhere)
            os.makedirs(os.path.join(self.outside, "M"))
            os.symlink(os.path.join(self.outside, "M"), os.path.join(elsewhere, "movable"))
            e = self.d.call_error("torrent.move", info_hash=ih, location=elsewhere)
            self.assertEqual(e.code, INVALID_PARAMS, e.message)
            self.assertIn("symbolic link", e.message)
        finally:
            self.d.call("torrent.remove", info_hash=ih)

    # Item 12: ip_filter.
    def test_relative_ip_filter_is_refused(self):
        e = self.d.call_error("session.set", ip_filter="blocklist.p2p")
        self.assertEqual(e.code, INVALID_PARAMS, e.message)
        self.assertIn("ip_filter", e.message)
        self.assertIn("absolute", e.message)


class MagnetThroughALink(DaemonTestCase):
    def test_a_magnet_whose_top_folder_is_a_link_out_downloads_nothing(self):
        a = self.daemon("magnet-seeder")
        folder = os.path.join(a.download_dir, "linkout")
        make_file(os.path.join(folder, "pwned.txt"), 100_000, seed=5)
        made = a.call("torrent.create", path=folder)
        b = self.daemon("magnet-leecher", start=False)
        outside = os.path.join(b.base, "outside")
        os.makedirs(outside)
        os.makedirs(b.download_dir)
        os.symlink(outside, os.path.join(b.download_dir, "linkout"))
        b.start()
        ih = b.call("torrent.add", magnet=made["magnet"], peers=[f"127.0.0.1:{a.bt_port}"])["info_hash"]
        b.wait_for(lambda: (lambda t: t["has_metadata"] and t["state"] == "paused")(b.torrent(ih)), timeout=30,
                   what="the metadata, then a pause")
        time.sleep(2)
        self.assertEqual(os.listdir(outside), [])
        self.assertIn("is a symbolic link to", b.read_log())
        self.assertEqual(int(b.torrent(ih)["downloaded_bytes"]), 0)
        # Resumed by hand it still downloads nothing: it stays in upload mode.
        b.call("torrent.resume", info_hash=ih)
        time.sleep(3)
        self.assertEqual(os.listdir(outside), [])
        self.assertEqual(int(b.torrent(ih)["downloaded_bytes"]), 0)


class FifoDoesNotHangShutdown(DaemonTestCase):
    def test_fifo_in_add_and_watch_folder_then_sigterm(self):
        d = self.daemon("fifo", start=False)
        watch = os.path.join(d.base, "watch")
        os.makedirs(watch)
        os.makedirs(d.download_dir)
        os.mkfifo(os.path.join(watch, "w.torrent"))
        fifo = os.path.join(d.download_dir, "f.torrent")
        os.mkfifo(fifo)
        d.extra_args = [f"--watch-dir={watch}", "--watch-poll-interval=1"]
        d.start()
        for _ in range(2):
            self.assertEqual(d.call_error("torrent.add", path=fifo).code, INVALID_PARAMS)
        time.sleep(2)  # the watch folder was scanned
        d.call("node.info")
        code, seconds = d.terminate(timeout=20)
        self.assertEqual(code, 0, d.read_log())
        self.assertLess(seconds, 15)


if __name__ == "__main__":
    unittest.main()
