"""Bad input: a magnet with a malformed info-hash, base64 that is no torrent, a path outside the
allowed roots, a save_path with `..`, and more: each a clear -32602 naming the field (or -32001
for a torrent that does not exist), nothing written anywhere, the daemon keeps serving."""
import base64
import json
import os
import random
import unittest

from harness import Daemon, file_tree, http_raw, make_file, make_torrent_bytes

INVALID_PARAMS, NOT_FOUND, PARSE_ERROR = -32602, -32001, -32700
MAX_BODY_BYTES = 16 * 1024 * 1024  # rpc/http_server.hpp


def b64(data):
    return base64.b64encode(data).decode()


class BadInputIsRefused(unittest.TestCase):
    """One daemon takes every bad request; each must leave it exactly as it was."""

    @classmethod
    def setUpClass(cls):
        cls.d = d = Daemon("badinput")
        cls.outside = os.path.join(d.base, "outside")
        os.makedirs(d.download_dir)
        os.makedirs(cls.outside)
        cls.good_torrent, cls.good_ih = make_torrent_bytes("good.bin")
        outside_torrent, _ = make_torrent_bytes("outside.bin")
        with open(os.path.join(d.download_dir, "good.torrent"), "wb") as f:
            f.write(cls.good_torrent)
        with open(os.path.join(d.download_dir, "notes.torrent"), "w") as f:
            f.write("this is not a torrent\n")
        with open(os.path.join(cls.outside, "outside.torrent"), "wb") as f:
            f.write(outside_torrent)
        make_file(os.path.join(cls.outside, "data.bin"), 100_000, seed=3)
        os.makedirs(os.path.join(d.download_dir, "empty"))
        # Links inside download_dir that lead out of it.
        os.symlink(cls.outside, os.path.join(d.download_dir, "escape"))
        os.symlink(os.path.join(cls.outside, "outside.torrent"), os.path.join(d.download_dir, "escape.torrent"))
        os.symlink(os.path.join(cls.outside, "data.bin"), os.path.join(d.download_dir, "escape.bin"))
        d.start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def snapshot(self):
        return file_tree(self.d.data_dir, self.d.download_dir, self.outside)

    def assert_refused(self, method, params, code=INVALID_PARAMS, field=None):
        """`method(params)` fails with `code` and a message naming `field`, and changes nothing."""
        before = self.snapshot()
        e = self.d.call_error(method, **params)
        self.assertEqual(e.code, code, f"{method} {params!r}: {e.message}")
        if field:
            self.assertIn(field, e.message, f"the message does not name '{field}'")
        if code == INVALID_PARAMS:
            self.assertTrue(e.message.startswith("Invalid params"), e.message)
        after = self.snapshot()
        self.assertEqual({p: v for p, v in after.items() if p not in before}, {}, "files appeared")
        self.assertEqual({p: v for p, v in before.items() if p not in after}, {}, "files vanished")
        self.assertEqual(after, before, "a file changed")
        self.assertEqual(self.d.call("torrent.list")["torrents"], [])
        self.assertIsNone(self.d.proc.poll(), "seedd exited")
        self.assertIn("node_address", self.d.call("node.info"))
        return e

    def refuse_all(self, method, field, cases, code=INVALID_PARAMS, **extra):
        for value in cases:
            with self.subTest(**{field: value}):
                self.assert_refused(method, {field: value, **extra}, code, field)

    def test_magnet_with_a_malformed_info_hash(self):
        btih = "magnet:?xt=urn:btih:"
        self.refuse_all("torrent.add", "magnet", [
            btih + "a" * 39,                        # 39 hex digits
            btih + "a" * 41,
            btih + "a" * 39 + "z",                  # 40 chars, one not hex: libtorrent made up a hash
            btih + "0" * 20 + "x" * 20,
            btih + "z" * 40,
            btih + "1" * 32,                        # 32 chars, not base32: libtorrent made up a hash
            btih,
            btih + "a" * 40 + "&xt=urn:btih:" + "b" * 39 + "z",  # one good, one malformed
            "magnet:?xt=urn%3Abtih%3A" + "c" * 39 + "z",          # percent-encoded
            "magnet:?xt=urn:btmh:1220" + "d" * 63 + "z",
            "magnet:?xt=urn:btmh:12",
            "magnet:?dn=no-hash-at-all",
            "http://127.0.0.1:1/file.torrent",
            "",
        ])

    def test_base64_that_is_no_torrent(self):
        rng = random.Random(7)
        self.refuse_all("torrent.add", "torrent", [
            b64(rng.randbytes(1000)),
            b64(b"d3:foo3:bare"),                                  # bencoded, but no info dict
            b64(b"d4:infod4:name1:xee"),                           # an info dict without pieces
            b64(self.good_torrent[:-10]),                          # cut short
            b64(b"\0"),
        ])

    def test_torrent_that_is_not_base64(self):
        self.refuse_all("torrent.add", "torrent", [
            "not base64!!",
            b64(self.good_torrent).replace("A", "*", 1) if "A" in b64(self.good_torrent) else "*" + b64(self.good_torrent),
            "QUJD=QUJD",      # data after padding
            "A",              # a length no base64 has
            "QUJD===",
            "",
        ])

    def test_torrent_path_outside_the_allowed_roots(self):
        dl = self.d.download_dir
        self.refuse_all("torrent.add", "path", [
            "/etc/passwd",
            "../../etc/passwd",
            os.path.join(dl, "..", "outside", "outside.torrent"),
            "sub/../../outside/outside.torrent",
            os.path.join(self.outside, "outside.torrent"),
            os.path.join(dl, "escape.torrent"),                     # a file symlink leading out
            os.path.join(dl, "escape", "outside.torrent"),          # a directory symlink leading out
            "escape/outside.torrent",
            os.path.join(dl, "missing.torrent"),
            os.path.join(dl, "notes.torrent"),                      # inside, but not a torrent
            dl,                                                     # a directory
            os.path.join(dl, "good.torrent\0.txt"),
            "",
        ])

    def test_save_path_outside_the_allowed_roots(self):
        dl = self.d.download_dir
        torrent = b64(self.good_torrent)
        self.refuse_all("torrent.add", "save_path", [
            "/tmp/../etc",
            os.path.join(dl, "..", "elsewhere"),
            "../elsewhere",
            "sub/../../elsewhere",
            "/etc",
            "/",
            os.path.join(self.outside, "new"),                      # absolute outside: must not be made
            self.outside,
            os.path.join(dl, "escape"),                             # symlink to outside
            os.path.join(dl, "escape", "sub"),
            "escape/sub",
            dl + "-sibling",                                        # shares download_dir's prefix
            "/etc\0" + dl,                                          # NUL: the kernel would see /etc
            os.path.join(dl, "a\0b"),
            "",
        ], torrent=torrent)
        self.assertFalse(os.path.exists(os.path.join(self.outside, "new")))
        self.assertFalse(os.path.exists(dl + "-sibling"))
        self.assertFalse(os.path.exists(os.path.join(self.d.base, "elsewhere")))

    def test_create_from_a_path_outside_the_allowed_roots(self):
        dl = self.d.download_dir
        self.refuse_all("torrent.create", "path", [
            "/etc/passwd",
            os.path.join(self.outside, "data.bin"),
            os.path.join(dl, "escape.bin"),
            os.path.join(dl, "escape", "data.bin"),
            os.path.join(dl, "escape"),
            os.path.join(dl, "..", "outside", "data.bin"),
            os.path.join(dl, "missing.bin"),
            os.path.join(dl, "empty"),                              # holds no data
            "",
        ])

    def test_two_sources_at_once_or_none(self):
        magnet = "magnet:?xt=urn:btih:" + "e" * 40
        torrent = b64(self.good_torrent)
        path = os.path.join(self.d.download_dir, "good.torrent")
        for params in [{"magnet": magnet, "torrent": torrent}, {"torrent": torrent, "path": path},
                       {"magnet": magnet, "path": path}, {"magnet": magnet, "torrent": torrent, "path": path},
                       {}, {"save_path": self.d.download_dir}, {"magnet": None, "torrent": None}]:
            with self.subTest(params=list(params)):
                e = self.assert_refused("torrent.add", params)
                for field in ("magnet", "torrent", "path"):
                    self.assertIn(field, e.message)

    def test_bad_peers_add_nothing(self):
        self.refuse_all("torrent.add", "peers", [["not-an-endpoint"], ["127.0.0.1"], ["127.0.0.1:99999"],
                                                 ["127.0.0.1:6881", "example.invalid:1"]],
                        magnet="magnet:?xt=urn:btih:" + "f" * 40)

    def test_torrent_that_does_not_exist(self):
        for method in ["torrent.get", "torrent.pause", "torrent.resume", "torrent.remove"]:
            for ih in ["0" * 40, "AB" * 20, self.good_ih]:
                with self.subTest(method=method, info_hash=ih):
                    self.assert_refused(method, {"info_hash": ih}, NOT_FOUND, "info_hash")
        self.assert_refused("torrent.remove", {"info_hash": "0" * 40, "delete_data": True}, NOT_FOUND, "info_hash")

    def test_body_over_the_limit_is_413(self):
        auth = self.d.auth_header().encode()

        def post_of(size):
            body = b"[" + b" " * (size - 2) + b"]"  # an empty batch, if it were read
            return (b"POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + auth +
                    b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % size + body)

        before = self.snapshot()
        status, _, _ = http_raw(self.d.rpc_port, post_of(17 * 1024 * 1024))
        self.assertEqual(status, 413)
        status, _, _ = http_raw(self.d.rpc_port, post_of(MAX_BODY_BYTES + 1))
        self.assertEqual(status, 413)
        # At the limit the body is read and answered (an empty batch: -32600).
        status, _, body = http_raw(self.d.rpc_port, post_of(MAX_BODY_BYTES))
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["error"]["code"], -32600)
        self.assertEqual(self.snapshot(), before)
        self.assertIn("node_address", self.d.call("node.info"))

    def test_random_bytes_are_a_parse_error(self):
        for seed in range(5):
            rng = random.Random(seed)
            body = rng.randbytes(rng.randint(1, 8192))
            with self.subTest(seed=seed):
                status, reply = self.d.rpc_raw(body)
                self.assertEqual(status, 200)
                self.assertEqual(reply["error"]["code"], PARSE_ERROR)
                self.assertIsNone(reply["id"])
        self.assertIn("node_address", self.d.call("node.info"))


class GoodInputIsAccepted(unittest.TestCase):
    """The counterparts on a second daemon: the same fixtures with the bad field made good are
    accepted, so each refusal above was about that field."""

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon("goodinput").start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def test_good_sources_and_save_paths(self):
        d = self.d
        t1, ih1 = make_torrent_bytes("one.bin")
        self.assertEqual(d.call("torrent.add", torrent=b64(t1), paused=True)["info_hash"], ih1)
        t2, ih2 = make_torrent_bytes("two.bin")
        self.assertEqual(d.call("torrent.add", torrent=b64(t2), save_path="sub/dir", paused=True)["info_hash"], ih2)
        self.assertTrue(os.path.isdir(os.path.join(d.download_dir, "sub", "dir")))
        t3, ih3 = make_torrent_bytes("three.bin")
        with open(os.path.join(d.download_dir, "three.torrent"), "wb") as f:
            f.write(t3)
        self.assertEqual(d.call("torrent.add", path="three.torrent", paused=True)["info_hash"], ih3)
        self.assertEqual(d.call("torrent.add", magnet="magnet:?xt=urn:btih:" + "A" * 40, paused=True)["info_hash"],
                         "a" * 40)
        base32 = d.call("torrent.add", magnet="magnet:?xt=urn:btih:" + "CD" * 16, paused=True)["info_hash"]
        self.assertRegex(base32, "^[0-9a-f]{40}$")
        src = os.path.join(d.download_dir, "made.bin")
        make_file(src, 50_000, seed=9)
        made = d.call("torrent.create", path="made.bin")
        listed = {t["info_hash"] for t in d.call("torrent.list")["torrents"]}
        self.assertEqual(listed, {ih1, ih2, ih3, "a" * 40, base32, made["info_hash"]})
        for ih in listed:
            self.assertEqual(d.call("torrent.pause", info_hash=ih)["info_hash"], ih)
        self.assertEqual(d.call("torrent.remove", info_hash=ih1)["info_hash"], ih1)
        self.assertNotIn(ih1, {t["info_hash"] for t in d.call("torrent.list")["torrents"]})


if __name__ == "__main__":
    unittest.main(verbosity=2)
