"""Issue 8, Transmission's RPC at /transmission/rpc, against running daemons: the protocol's
edges over raw HTTP (the Basic challenge, the 409 handshake for every HTTP method, tag echo,
integer types, the forms of `ids`, errors, paths kept under download_dir), requests replayed
from Sonarr/Radarr's Transmission client, Debian's real transmission-remote 3.00 driving seedd,
and the same transmission-remote script run against Debian's transmission-daemon and seedd
giving the same response keys."""
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from harness import Daemon, free_port, make_file, make_torrent_bytes, read_until_close

TRANSMISSION_REMOTE = shutil.which("transmission-remote")
TRANSMISSION_DAEMON = shutil.which("transmission-daemon")
USER, PASSWORD, SALT = "sonarr", "tv shows", "c0ffee"
READER, READER_PASSWORD, READER_SALT = "viewer", "just looking", "beef"
PATH = "/transmission/rpc"

# Fields whose values Transmission defines as integers: a float here (even -1.0) makes
# transmission-remote drop the torrent's row.
INTEGER_FIELDS = [
    "activityDate", "addedDate", "bandwidthPriority", "corruptEver", "dateCreated", "desiredAvailable", "doneDate",
    "downloadedEver", "downloadLimit", "error", "eta", "etaIdle", "fileCount", "haveUnchecked", "haveValid", "id",
    "leftUntilDone", "manualAnnounceTime", "maxConnectedPeers", "peer-limit", "peersConnected",
    "peersGettingFromUs", "peersSendingToUs", "pieceCount", "pieceSize", "queuePosition", "rateDownload",
    "rateUpload", "secondsDownloading", "secondsSeeding", "seedIdleLimit", "seedIdleMode", "seedRatioMode",
    "sizeWhenDone", "startDate", "status", "totalSize", "uploadedEver", "uploadLimit", "webseedsSendingToUs",
]


def rpc_auth_entry(user, password, salt, scope=""):
    entry = f"{user}:{salt}${hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest()}"
    return entry + (f":{scope}" if scope else "")


def basic(creds):
    return "Basic " + base64.b64encode(creds.encode()).decode()


def exchange(port, method, path=PATH, headers=None, body=b""):
    """One HTTP/1.1 request on its own connection; returns (status, raw head text, headers with
    lower-case names, body bytes). The raw head shows header names exactly as sent."""
    h = {"Host": f"127.0.0.1:{port}", "Connection": "close"}
    h.update(headers or {})
    if body or method == "POST":
        h["Content-Length"] = str(len(body))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items() if v is not None)
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(head.encode() + b"\r\n" + body)
        data = read_until_close(s)
    raw_head, _, rest = data.partition(b"\r\n\r\n")
    text = raw_head.decode(errors="replace")
    lines = text.split("\r\n")
    headers_out = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers_out[k.strip().lower()] = v.strip()
    return int(lines[0].split()[1]), text, headers_out, rest


class Client:
    """A Transmission RPC client as Sonarr's: learns the session id from a 409, then POSTs."""

    def __init__(self, daemon, creds):
        self.d = daemon
        self.creds = creds
        self.session = None

    def raw(self, payload, content_type="application/json"):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        for _ in range(2):
            headers = {"Authorization": basic(self.creds), "Content-Type": content_type,
                       "X-Transmission-Session-Id": self.session}
            status, head, hdrs, data = exchange(self.d.rpc_port, "POST", PATH, headers, body)
            if status != 409:
                return status, head, data
            self.session = hdrs["x-transmission-session-id"]
        raise AssertionError("409 twice in a row")

    def call(self, method, tag=None, **arguments):
        """The whole answer (result, arguments, tag) of one call."""
        payload = {"method": method, "arguments": arguments}
        if tag is not None:
            payload["tag"] = tag
        status, _, data = self.raw(payload)
        assert status == 200, (status, data)
        return json.loads(data)

    def ok(self, method, **arguments):
        answer = self.call(method, **arguments)
        assert answer["result"] == "success", (method, arguments, answer)
        return answer["arguments"]

    def fails(self, method, **arguments):
        answer = self.call(method, **arguments)
        assert answer["result"] != "success", (method, arguments, answer)
        return answer["result"]

    def torrents(self, fields, **arguments):
        return self.ok("torrent-get", fields=fields, **arguments)["torrents"]


def seeding_torrent(d, name, size):
    """Makes a file under download_dir, has seedd hash it and seed it; returns (hash, .torrent bytes)."""
    make_file(os.path.join(d.download_dir, name), size, seed=len(name) + size)
    made = d.call("torrent.create", path=name)
    return made["info_hash"], base64.b64decode(made["torrent"])


class Protocol(unittest.TestCase):
    """The wire protocol and every method, over raw HTTP."""

    @classmethod
    def setUpClass(cls):
        users = ",".join([rpc_auth_entry(USER, PASSWORD, SALT), rpc_auth_entry(READER, READER_PASSWORD, READER_SALT, "read")])
        cls.d = Daemon("trpc", extra_args=[f"--rpc-auth={users}"]).start()
        cls.c = Client(cls.d, f"{USER}:{PASSWORD}")

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def add(self, name, length=50_000, **arguments):
        data, ih = make_torrent_bytes(name, length)
        args = self.c.ok("torrent-add", metainfo=base64.b64encode(data).decode(), **arguments)
        return ih, args

    def test_a_request_without_credentials_gets_the_basic_challenge(self):
        # Many in a row (curl --anyauth asks this way first each time) are each held 250 ms,
        # never longer: they are not failures that build up the back-off.
        for _ in range(8):
            t0 = time.monotonic()
            status, _, headers, _ = exchange(self.d.rpc_port, "POST", PATH, {"Content-Type": "application/json"},
                                             b'{"method":"session-get"}')
            took = time.monotonic() - t0
            self.assertEqual(status, 401)
            self.assertRegex(headers.get("www-authenticate", ""), r'^Basic realm=".+"$')
            self.assertGreaterEqual(took, 0.25)
            self.assertLess(took, 0.9, "requests without credentials were slowed down more and more")
        # Wrong credentials are refused too, and slowed (the guards of /rpc apply here as well).
        t0 = time.monotonic()
        status, _, headers, _ = exchange(self.d.rpc_port, "GET", PATH, {"Authorization": basic(f"{USER}:wrong")})
        self.assertEqual(status, 401)
        self.assertGreaterEqual(time.monotonic() - t0, 0.25)
        self.assertIn("www-authenticate", headers)

    def test_the_handshake_answers_409_with_the_id_to_every_http_method(self):
        auth = {"Authorization": basic(f"{USER}:{PASSWORD}")}
        ids = set()
        for method in ["GET", "POST", "HEAD", "PUT", "DELETE"]:
            for path in [PATH, PATH + "/"]:
                status, head, headers, _ = exchange(self.d.rpc_port, method, path, auth)
                self.assertEqual(status, 409, (method, path))
                # transmission-remote 3.00 matches the header name byte for byte.
                self.assertRegex(head, r"\r\nX-Transmission-Session-Id: [0-9a-f]{48}(\r\n|$)")
                self.assertNotIn("x-transmission-rpc-version", head.lower())
                ids.add(headers["x-transmission-session-id"])
        self.assertEqual(len(ids), 1, "one session id per process")
        sid = ids.pop()
        wrong = dict(auth, **{"X-Transmission-Session-Id": "0" * 48})
        self.assertEqual(exchange(self.d.rpc_port, "POST", PATH, wrong, b'{"method":"session-get"}')[0], 409)
        right = dict(auth, **{"X-Transmission-Session-Id": sid})
        self.assertEqual(exchange(self.d.rpc_port, "GET", PATH, right)[0], 405)
        status, head, _, body = exchange(self.d.rpc_port, "POST", PATH, right, b'{"method":"session-get"}')
        self.assertEqual(status, 200)
        self.assertNotIn("x-transmission-rpc-version", head.lower())
        self.assertEqual(json.loads(body)["arguments"]["session-id"], sid)

    def test_the_host_and_origin_guards_apply_before_anything(self):
        auth = {"Authorization": basic(f"{USER}:{PASSWORD}")}
        self.assertEqual(exchange(self.d.rpc_port, "POST", PATH, dict(auth, Host="evil.example"))[0], 403)
        self.assertEqual(exchange(self.d.rpc_port, "POST", PATH, dict(auth, Origin="http://evil.example"))[0], 403)
        self.assertEqual(exchange(self.d.rpc_port, "POST", PATH, dict(auth, Host=f"localhost:{self.d.rpc_port}"))[0], 409)

    def test_any_content_type_is_accepted(self):
        for ctype in ["application/json", "application/x-www-form-urlencoded", "text/plain", None]:
            status, _, data = self.c.raw({"method": "session-get", "tag": 3}, content_type=ctype)
            self.assertEqual(status, 200, ctype)
            self.assertEqual(json.loads(data)["result"], "success")

    def test_the_tag_is_echoed_and_errors_are_result_text(self):
        self.assertEqual(self.c.call("session-stats", tag=4242)["tag"], 4242)
        self.assertEqual(self.c.call("session-stats", tag=-7)["tag"], -7)
        self.assertNotIn("tag", self.c.call("session-stats"))
        answer = self.c.call("torrent-frobnicate", tag=9)
        self.assertEqual((answer["result"], answer["tag"]), ("method name not recognized", 9))
        self.assertEqual(json.loads(self.c.raw({"arguments": {}})[2])["result"], "no method name")
        status, _, data = self.c.raw(b"{this is not json")
        self.assertEqual((status, json.loads(data)["result"]), (200, "request is not valid JSON"))
        self.assertEqual(self.c.fails("torrent-get"), "no fields specified")
        self.assertIn("ids", self.c.fails("torrent-get", fields=["id"], ids={"a": 1}))
        self.assertIn("ids", self.c.fails("torrent-stop", ids="not-a-hash"))
        self.assertIn("format", self.c.fails("torrent-get", fields=["id"], format="csv"))
        self.assertIn("'paused' must be true or false", self.c.fails("torrent-add", filename="magnet:?xt=urn:btih:" + "1" * 40, paused="yes"))
        self.assertEqual(self.c.fails("torrent-add"), "no filename or metainfo specified")
        self.assertIn("metainfo", self.c.fails("torrent-add", metainfo=base64.b64encode(b"not a torrent").decode()))

    def test_a_read_only_user_reads_but_cannot_change(self):
        reader = Client(self.d, f"{READER}:{READER_PASSWORD}")
        self.assertIsInstance(reader.torrents(["id"]), list)
        self.assertTrue(reader.fails("torrent-stop").startswith("forbidden"))
        self.assertTrue(reader.fails("session-set", **{"speed-limit-up": 1}).startswith("forbidden"))

    def test_every_field_is_answered_and_counts_are_integers(self):
        ih, _ = self.add("typed.bin")
        seeding, _ = seeding_torrent(self.d, "typed-seed.bin", 70_000)
        all_fields = INTEGER_FIELDS + ["comment", "creator", "downloadDir", "errorString", "files", "fileStats",
                                       "hashString", "honorsSessionLimits", "isFinished", "isPrivate", "isStalled",
                                       "labels", "magnetLink", "metadataPercentComplete", "name", "percentDone",
                                       "pieces", "priorities", "recheckProgress", "seedRatioLimit", "trackerStats",
                                       "trackers", "uploadRatio", "wanted", "webseeds", "downloadLimited",
                                       "uploadLimited", "peersFrom", "percentComplete", "trackerList", "torrentFile"]
        status, _, raw = self.c.raw({"method": "torrent-get", "arguments": {"fields": all_fields, "ids": [ih, seeding]}})
        self.assertEqual(status, 200)
        self.assertNotIn(b"-1.0", raw)
        torrents = json.loads(raw)["arguments"]["torrents"]
        self.assertEqual(len(torrents), 2)
        for t in torrents:
            self.assertEqual(set(t), set(all_fields), "every field asked for is answered")
            for f in INTEGER_FIELDS:
                self.assertTrue(isinstance(t[f], int) and not isinstance(t[f], bool), f"{f} = {t[f]!r}")
            self.assertIsInstance(t["trackerStats"], list)
            self.assertIn(t["status"], range(7))
            self.assertIsInstance(t["isFinished"], bool)
            self.assertIsInstance(t["uploadRatio"], (int, float))
        seed = next(t for t in torrents if t["hashString"] == seeding)
        self.assertEqual(seed["leftUntilDone"], 0)
        self.assertEqual(seed["sizeWhenDone"], 70_000)
        self.assertEqual(seed["percentDone"], 1)
        self.assertEqual(seed["downloadDir"], self.d.download_dir)
        self.assertEqual([f["name"] for f in seed["files"]], ["typed-seed.bin"])
        self.assertEqual((seed["priorities"], seed["wanted"]), ([0], [1]))
        self.assertEqual(seed["pieceCount"], (70_000 + seed["pieceSize"] - 1) // seed["pieceSize"])
        self.assertEqual(base64.b64decode(seed["pieces"])[0] & 0x80, 0x80)
        self.assertTrue(seed["magnetLink"].startswith("magnet:?xt=urn:btih:" + seeding))
        self.wait_status(seeding, 6)
        # -1: no ratio while nothing was uploaded of what is there; eta -1: no goal to reach.
        got = self.c.torrents(["eta", "uploadRatio", "status"], ids=seeding)[0]
        self.assertEqual((got["eta"], got["uploadRatio"]), (-1, 0))

    def wait_status(self, ih, status, timeout=20):
        self.d.wait_for(lambda: self.c.torrents(["status"], ids=ih)[0]["status"] == status, timeout=timeout,
                        what=f"status {status}")

    def test_ids_in_every_form_and_never_reused(self):
        hashes = [self.add(f"ids-{i}.bin")[0] for i in range(3)]
        by_hash = {t["hashString"]: t["id"] for t in self.c.torrents(["id", "hashString"])}
        ids = [by_hash[h] for h in hashes]
        self.assertEqual(ids, sorted(ids))
        self.assertEqual([t["id"] for t in self.c.torrents(["id"], ids=ids[1])], [ids[1]])
        got = self.c.torrents(["id"], ids=[ids[0], hashes[2].upper()])
        self.assertEqual(sorted(t["id"] for t in got), [ids[0], ids[2]])
        self.assertEqual([t["id"] for t in self.c.torrents(["id"], ids=hashes[1])], [ids[1]])
        self.assertEqual(self.c.torrents(["id"], ids=[]), [])
        self.assertEqual(self.c.torrents(["id"], ids=[10_000]), [])
        recent = self.c.ok("torrent-get", fields=["id"], ids="recently-active")
        self.assertTrue({ids[0], ids[1], ids[2]} <= {t["id"] for t in recent["torrents"]})
        self.assertIn("removed", recent)
        # Removed: reported in `removed`; added again: a new id.
        self.c.ok("torrent-remove", ids=[ids[1]])
        self.assertIn(ids[1], self.c.ok("torrent-get", fields=["id"], ids="recently-active")["removed"])
        again = self.add("ids-1.bin")[1]["torrent-added"]["id"]
        self.assertGreater(again, max(ids))
        # The table format: the field names, then one row per torrent.
        table = self.c.torrents(["id", "name", "hashString"], ids=[ids[0], again], format="table")
        self.assertEqual(table[0], ["id", "name", "hashString"])
        self.assertEqual(sorted(row[0] for row in table[1:]), [ids[0], again])
        self.assertEqual({row[1] for row in table[1:]}, {"ids-0.bin", "ids-1.bin"})

    def test_add_answers_added_then_duplicate(self):
        data, ih = make_torrent_bytes("dup.bin", 30_000)
        first = self.c.ok("torrent-add", metainfo=base64.b64encode(data).decode(), paused=True, labels=["tv"])
        self.assertEqual(set(first), {"torrent-added"})
        self.assertEqual(first["torrent-added"]["hashString"], ih)
        self.assertEqual(first["torrent-added"]["name"], "dup.bin")
        second = self.c.ok("torrent-add", metainfo=base64.b64encode(data).decode())
        self.assertEqual(second, {"torrent-duplicate": first["torrent-added"]})
        t = self.c.torrents(["status", "labels"], ids=ih)[0]
        self.assertEqual((t["status"], t["labels"]), (0, ["tv"]))
        magnet = "magnet:?xt=urn:btih:" + "ab" * 20 + "&dn=from%20a%20magnet"
        added = self.c.ok("torrent-add", filename=magnet, paused=True)["torrent-added"]
        self.assertEqual(added["hashString"], "ab" * 20)
        self.assertIn("does not fetch", self.c.fails("torrent-add", filename="http://example.com/x.torrent"))

    def test_labels_at_their_limits(self):
        ih, _ = self.add("labels.bin")
        self.c.ok("torrent-set", ids=[ih], labels=[f"l{i}" for i in range(64)])
        self.assertEqual(len(self.c.torrents(["labels"], ids=ih)[0]["labels"]), 64)
        self.assertIn("more than 64", self.c.fails("torrent-set", ids=[ih], labels=[f"l{i}" for i in range(65)]))
        self.c.ok("torrent-set", ids=[ih], labels=["x" * 128])
        self.assertIn("128", self.c.fails("torrent-set", ids=[ih], labels=["x" * 129]))
        self.assertIn("comma", self.c.fails("torrent-set", ids=[ih], labels=["a,b"]))
        self.assertEqual(self.c.torrents(["labels"], ids=ih)[0]["labels"], ["x" * 128], "a refused set changes nothing")
        data, ih2 = make_torrent_bytes("labels-2.bin", 20_000)
        self.assertIn("comma", self.c.fails("torrent-add", metainfo=base64.b64encode(data).decode(), labels=["a,b"]))
        self.assertEqual(self.c.torrents(["id"], ids=ih2), [], "not added")

    def test_start_stop_verify_reannounce_and_remove_with_data(self):
        ih, _ = seeding_torrent(self.d, "life.bin", 40_000)
        self.wait_status(ih, 6)
        self.c.ok("torrent-stop", ids=[ih])
        self.wait_status(ih, 0)
        self.c.ok("torrent-start", ids=[ih])
        self.wait_status(ih, 6)
        checks = self.d.torrent(ih)["full_checks"]
        self.c.ok("torrent-verify", ids=[ih])
        self.d.wait_for(lambda: self.d.torrent(ih)["full_checks"] > checks, timeout=20, what="a recheck")
        self.wait_status(ih, 6)
        self.c.ok("torrent-reannounce", ids=[ih])
        self.c.ok("queue-move-top", ids=[ih])
        self.c.ok("torrent-start-now", ids=[ih])
        path = os.path.join(self.d.download_dir, "life.bin")
        self.c.ok("torrent-remove", ids=[ih], **{"delete-local-data": True})
        self.assertEqual(self.c.torrents(["id"], ids=ih), [])
        self.d.wait_for(lambda: not os.path.exists(path), timeout=10, what="the data to be deleted")

    def test_paths_stay_under_download_dir(self):
        data, ih = make_torrent_bytes("confined.bin", 20_000)
        before = len(self.c.torrents(["id"]))
        outside = tempfile.mkdtemp(prefix="seedd-outside-")
        err = self.c.fails("torrent-add", metainfo=base64.b64encode(data).decode(), **{"download-dir": outside})
        self.assertIn("download-dir", err)
        self.assertIn("outside", err)
        self.assertIn("filename", self.c.fails("torrent-add", filename="/etc/hostname"))
        self.assertIn("..", self.c.fails("torrent-add", metainfo=base64.b64encode(data).decode(),
                                         **{"download-dir": "../escape"}))
        self.assertEqual(len(self.c.torrents(["id"])), before, "nothing was added")
        self.assertEqual(os.listdir(outside), [])
        ih2, _ = seeding_torrent(self.d, "moved.bin", 30_000)
        self.assertIn("location", self.c.fails("torrent-set-location", ids=[ih2], location=outside, move=True))
        self.assertIn("path", self.c.fails("free-space", path="/"))
        space = self.c.ok("free-space", path=self.d.download_dir)
        self.assertEqual(space["path"], self.d.download_dir)
        self.assertTrue(isinstance(space["size-bytes"], int) and space["size-bytes"] > 0)
        self.assertTrue(isinstance(space["total_size"], int) and space["total_size"] >= space["size-bytes"])
        # Inside download_dir the move happens, and the torrent keeps seeding from there.
        self.c.ok("torrent-set-location", ids=[ih2], location="shelf", move=True)
        target = os.path.join(self.d.download_dir, "shelf", "moved.bin")
        self.d.wait_for(lambda: os.path.exists(target), timeout=20, what="the data to move")
        self.d.wait_for(lambda: self.c.torrents(["downloadDir"], ids=ih2)[0]["downloadDir"] == os.path.dirname(target),
                        timeout=20, what="downloadDir to follow")

    def test_session_get_says_transmission_4_and_session_set_changes_limits(self):
        s = self.c.ok("session-get")
        self.assertRegex(s["version"], r"^4\.0\.6 \(seedd \d+\.\d+\.\d+\)$")
        self.assertEqual((s["rpc-version"], s["rpc-version-minimum"], s["rpc-version-semver"]), (17, 14, "5.3.0"))
        self.assertEqual(s["download-dir"], self.d.download_dir)
        self.assertEqual(s["peer-port"], self.d.bt_port)
        self.assertEqual(s["units"]["speed-bytes"], 1000)
        self.assertEqual(self.c.ok("session-get", fields=["version", "rpc-version"]).keys(), {"version", "rpc-version"})
        self.c.ok("session-set", **{"speed-limit-up": 250, "speed-limit-up-enabled": True, "peer-limit-global": 321})
        s = self.c.ok("session-get")
        self.assertEqual((s["speed-limit-up"], s["speed-limit-up-enabled"], s["peer-limit-global"]), (250, True, 321))
        native = self.d.call("session.get")
        self.assertEqual((native["upload_limit"], native["max_connections"]), (250_000, 321))
        # Sent back unchanged (GUIs send the whole page): fine. Changed to what seedd cannot do: refused.
        self.c.ok("session-set", **{"dht-enabled": s["dht-enabled"], "download-dir": s["download-dir"]})
        err = self.c.fails("session-set", **{"dht-enabled": not s["dht-enabled"], "speed-limit-up-enabled": False})
        self.assertIn("dht-enabled", err)
        self.assertEqual(self.c.ok("session-get")["speed-limit-up-enabled"], True, "a refused set changes nothing")
        self.c.ok("session-set", **{"speed-limit-up-enabled": False, "peer-limit-global": 500})
        self.assertEqual(self.d.call("session.get")["upload_limit"], 0)
        st = self.c.ok("session-stats")
        for k in ["activeTorrentCount", "pausedTorrentCount", "torrentCount", "uploadSpeed", "downloadSpeed"]:
            self.assertIsInstance(st[k], int)
        for block in ["current-stats", "cumulative-stats"]:
            self.assertEqual(set(st[block]), {"uploadedBytes", "downloadedBytes", "filesAdded", "sessionCount", "secondsActive"})

    def test_a_seeding_limit_stops_the_torrent_and_starting_it_lifts_the_limit(self):
        ih, _ = seeding_torrent(self.d, "ratio.bin", 30_000)
        self.wait_status(ih, 6)
        self.c.ok("torrent-set", ids=[ih], seedRatioLimit=0, seedRatioMode=1)
        self.wait_status(ih, 0)
        t = self.c.torrents(["isFinished", "seedRatioMode", "seedRatioLimit"], ids=ih)[0]
        self.assertEqual(t, {"isFinished": True, "seedRatioMode": 1, "seedRatioLimit": 0})
        self.c.ok("torrent-start", ids=[ih])
        self.wait_status(ih, 6)
        t = self.c.torrents(["isFinished", "seedRatioMode"], ids=ih)[0]
        self.assertEqual(t, {"isFinished": False, "seedRatioMode": 0})
        self.c.ok("torrent-set", ids=[ih], seedIdleLimit=0, seedIdleMode=1)
        self.wait_status(ih, 0)
        self.assertTrue(self.c.torrents(["isFinished"], ids=ih)[0]["isFinished"])


class SonarrReplay(unittest.TestCase):
    """The requests Sonarr/Radarr's TransmissionProxy sends, with the fields it reads and the
    JSON types it parses them into; and what torrent-set keeps across a restart."""

    RADARR_FIELDS = ["id", "hashString", "name", "downloadDir", "totalSize", "leftUntilDone", "isFinished", "eta",
                     "status", "secondsDownloading", "secondsSeeding", "errorString", "uploadedEver",
                     "downloadedEver", "seedRatioLimit", "seedRatioMode", "seedIdleLimit", "seedIdleMode",
                     "fileCount", "labels"]

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon("sonarr", extra_args=[f"--rpc-auth={rpc_auth_entry(USER, PASSWORD, SALT)}"]).start()
        cls.c = Client(cls.d, f"{USER}:{PASSWORD}")

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def test_the_conversation_of_a_download_client(self):
        c = self.c
        # GetSessionId: a bare GET with Basic credentials, answered 409 with the header.
        status, _, headers, _ = exchange(self.d.rpc_port, "GET", PATH, {"Authorization": basic(f"{USER}:{PASSWORD}")})
        self.assertEqual(status, 409)
        c.session = headers["x-transmission-session-id"]
        config = c.ok("session-get")
        types = {"version": str, "rpc-version": int, "download-dir": str, "seedRatioLimit": (int, float),
                 "seedRatioLimited": bool, "idle-seeding-limit": int, "idle-seeding-limit-enabled": bool}
        for key, kind in types.items():
            self.assertIsInstance(config[key], kind, key)
        # Radarr's GetClientVersion: the first number not in parentheses, >= 2.40 (and >= 3.0 for labels).
        version = re.search(r"(?<!\(|(\d|\.))(\d|\.)+(?!\)|(\d|\.))", config["version"]).group(0)
        self.assertGreaterEqual(tuple(int(p) for p in version.split(".")), (3, 0))

        ih, torrent = seeding_torrent(self.d, "Show.S01E01.mkv", 60_000)
        self.d.call("torrent.remove", info_hash=ih)  # keep the data: Sonarr adds it again
        c.ok("torrent-add", metainfo=base64.b64encode(torrent).decode(), paused=False,
             labels=["tv-sonarr"], **{"download-dir": self.d.download_dir})
        c.ok("torrent-set", ids=[ih], seedRatioLimit=1.5, seedRatioMode=1, seedIdleLimit=90, seedIdleMode=1)
        c.ok("torrent-set", ids=[ih], labels=["tv-sonarr", "done"])
        c.ok("queue-move-top", ids=[ih])
        self.d.wait_for(lambda: c.torrents(["status"], ids=[ih])[0]["status"] == 6, timeout=30, what="seeding")
        t = c.torrents(self.RADARR_FIELDS, ids=[ih])[0]
        expect = {"id": int, "hashString": str, "name": str, "downloadDir": str, "totalSize": int,
                  "leftUntilDone": int, "isFinished": bool, "eta": int, "status": int, "secondsDownloading": int,
                  "secondsSeeding": int, "errorString": str, "uploadedEver": int, "downloadedEver": int,
                  "seedRatioLimit": (int, float), "seedRatioMode": int, "seedIdleLimit": int, "seedIdleMode": int,
                  "fileCount": int, "labels": list}
        self.assertEqual(set(t), set(expect))
        for key, kind in expect.items():
            self.assertIsInstance(t[key], kind, key)
            if kind is int:
                self.assertNotIsInstance(t[key], bool, key)
        self.assertEqual((t["hashString"], t["name"], t["totalSize"], t["leftUntilDone"]), (ih, "Show.S01E01.mkv", 60_000, 0))
        self.assertEqual((t["seedRatioLimit"], t["seedRatioMode"], t["seedIdleLimit"], t["seedIdleMode"]), (1.5, 1, 90, 1))
        self.assertEqual((t["fileCount"], t["labels"]), (1, ["tv-sonarr", "done"]))
        self.assertEqual(t["downloadDir"], self.d.download_dir)
        c.ok("torrent-set", ids=[ih], uploadLimit=64, uploadLimited=True)

        # What torrent-set changed survives a restart (seedd's keys in the resume data).
        self.d.terminate()
        self.d.start()
        c.session = None
        t = self.d.wait_for(lambda: (c.torrents(["labels", "seedRatioLimit", "seedRatioMode", "seedIdleLimit",
                                                  "uploadLimit", "uploadLimited"], ids=[ih]) or [None])[0],
                            timeout=20, what="the torrent back")
        self.assertEqual(t, {"labels": ["tv-sonarr", "done"], "seedRatioLimit": 1.5, "seedRatioMode": 1,
                             "seedIdleLimit": 90, "uploadLimit": 64, "uploadLimited": True})

        path = os.path.join(self.d.download_dir, "Show.S01E01.mkv")
        c.ok("torrent-remove", ids=[ih], **{"delete-local-data": True})
        self.d.wait_for(lambda: not os.path.exists(path), timeout=10, what="the data deleted")
        self.assertEqual(c.torrents(["id"], ids=[ih]), [])


def transmission_remote(port, creds, *args, debug=False):
    cmd = [TRANSMISSION_REMOTE, f"127.0.0.1:{port}", "-n", creds] + (["--debug"] if debug else []) + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


# One row of transmission-remote -l (its printf format; Debian's 3.00 pads the id to 6).
LIST_ROW = re.compile(
    r"^\s*(?P<id>\d+)(?P<error>\*?)\s+(?P<done>\d+%|n/a)\s+(?P<have>None|Unknown|[\d.]+ [kMGT]?B)\s+"
    r"(?P<eta>Done|Unknown|\d+ (?:sec|min|hrs|days))\s+(?P<up>[\d.]+)\s+(?P<down>[\d.]+)\s+(?P<ratio>None|Inf|[\d.]+)\s+"
    r"(?P<status>Up & Down|Will Verify(?: \(\d+%\))?|Verifying(?: \(\d+%\))?|[A-Z][a-z]+)\s+(?P<name>\S.*)$")


def list_rows(output):
    """transmission-remote -l's rows; a row that does not parse fails the test."""
    lines = output.rstrip("\n").split("\n")
    assert lines[0].split()[:3] == ["ID", "Done", "Have"], output
    assert lines[-1].startswith("Sum:"), output
    rows = []
    for line in lines[1:-1]:
        m = LIST_ROW.match(line)
        assert m, f"a row of -l does not parse: {line!r}"
        row = m.groupdict()
        row["id"] = int(row["id"])
        rows.append(row)
    return rows


def responses(stderr):
    """The JSON answers transmission-remote --debug printed, in order."""
    out = []
    for m in re.finditer(r"got response \(len \d+\):\n--------\n(.*?)\n--------", stderr, re.S):
        out.append(json.loads(m.group(1)))
    return out


@unittest.skipUnless(TRANSMISSION_REMOTE, "transmission-remote (Debian's transmission-cli) is not installed")
class TransmissionRemote(unittest.TestCase):
    """Debian's transmission-remote 3.00 driving seedd, as a user would."""

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon("tremote", extra_args=[f"--rpc-auth={rpc_auth_entry(USER, PASSWORD, SALT)}"]).start()
        cls.files = tempfile.mkdtemp(prefix="seedd-tremote-")

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def tr(self, *args, creds=None, check=True):
        p = transmission_remote(self.d.rpc_port, creds or f"{USER}:{PASSWORD}", *args)
        if check:
            self.assertEqual(p.returncode, 0, f"transmission-remote {args}: {p.stdout}{p.stderr}")
        return p

    def torrent_file(self, name, size):
        """A .torrent whose data is in download_dir (hashed by seedd, then removed from it)."""
        ih, data = seeding_torrent(self.d, name, size)
        self.d.call("torrent.remove", info_hash=ih)
        path = os.path.join(self.files, name + ".torrent")
        with open(path, "wb") as f:
            f.write(data)
        return ih, path

    def rows(self):
        return {r["id"]: r for r in list_rows(self.tr("-l").stdout)}

    def test_a_user_session_with_transmission_remote(self):
        ih, path = self.torrent_file("Some Movie (2024).mkv", 150_000)
        out = self.tr("-a", path)
        self.assertIn('responded: "success"', out.stdout)
        self.assertIn('responded: "success"', self.tr("-a", path).stdout, "the duplicate succeeds")
        ih2, path2 = self.torrent_file("second.iso", 80_000)
        self.tr("-a", path2, creds=self.d.cookie())  # the cookie works as user:password too
        data3, ih3 = make_torrent_bytes("no-data-here.bin", 64_000)  # downloads, never finishes
        path3 = os.path.join(self.files, "nodata.torrent")
        with open(path3, "wb") as f:
            f.write(data3)
        self.tr("-a", path3)

        c = Client(self.d, f"{USER}:{PASSWORD}")
        ids = {t["hashString"]: t["id"] for t in c.torrents(["id", "hashString"])}
        self.assertEqual(len(ids), 3, "the duplicate was not added twice")
        self.d.wait_for(lambda: all(c.torrents(["status"], ids=h)[0]["status"] == 6 for h in (ih, ih2)),
                        timeout=30, what="both seeding")
        rows = self.rows()
        self.assertEqual(sorted(rows), sorted(ids.values()), "a row for every torrent (none dropped)")
        movie = rows[ids[ih]]
        self.assertEqual((movie["name"], movie["done"], movie["have"], movie["eta"]),
                         ("Some Movie (2024).mkv", "100%", "150.0 kB", "Done"))
        self.assertIn(movie["status"], ("Idle", "Seeding"))
        self.assertEqual(rows[ids[ih3]]["done"], "0%")

        n = str(ids[ih])
        self.tr("-t", n, "-S")
        self.assertEqual(self.rows()[ids[ih]]["status"], "Stopped")
        self.tr("-t", n, "-s")
        self.d.wait_for(lambda: self.rows()[ids[ih]]["status"] != "Stopped", timeout=20, what="started")

        info = self.tr("-t", ih.upper(), "-i").stdout
        self.assertIn(f"Hash: {ih}", info)
        self.assertIn("Name: Some Movie (2024).mkv", info)
        self.assertIn(f"Location: {self.d.download_dir}", info)
        self.assertIn("Total size: 150.0 kB", info)
        files = self.tr("-t", n, "-f").stdout
        self.assertRegex(files, r"0: 100% Normal\s+Yes\s+150.0 kB  Some Movie \(2024\)\.mkv")

        session = self.tr("-si").stdout
        self.assertIn("RPC version: 17", session)
        self.assertIn("Daemon version: 4.0.6 (seedd", session)
        self.assertIn(f"Download directory: {self.d.download_dir}", session)
        stats = self.tr("-st").stdout
        self.assertIn("CURRENT SESSION", stats)
        self.assertIn("TOTAL", stats)

        self.tr("-t", n, "-L", "tv")
        self.assertIn("Labels: tv", self.tr("-t", n, "-i").stdout)
        self.assertEqual(c.torrents(["labels"], ids=ih)[0]["labels"], ["tv"])
        self.tr("-t", n, "-v")
        self.tr("-t", n, "--reannounce")
        self.tr("-u", "300")
        self.assertEqual(self.d.call("session.get")["upload_limit"], 300_000)
        self.tr("-U")

        # Move inside download_dir works; outside it is an error that transmission-remote shows.
        self.tr("-t", n, "--move", os.path.join(self.d.download_dir, "films"))
        moved = os.path.join(self.d.download_dir, "films", "Some Movie (2024).mkv")
        self.d.wait_for(lambda: os.path.exists(moved), timeout=20, what="the move")
        bad = self.tr("-t", n, "--move", self.files, check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("outside", bad.stdout)

        # -r keeps the data, --remove-and-delete deletes it.
        self.tr("-t", n, "-r")
        self.assertTrue(os.path.exists(moved))
        second_data = os.path.join(self.d.download_dir, "second.iso")
        self.tr("-t", str(ids[ih2]), "--remove-and-delete")
        self.d.wait_for(lambda: not os.path.exists(second_data), timeout=10, what="the data deleted")
        self.assertEqual(sorted(self.rows()), [ids[ih3]])

    def test_wrong_credentials_fail_cleanly(self):
        p = self.tr("-l", creds=f"{USER}:nope", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("authentication required", p.stdout + p.stderr)


try:
    import transmissionrpc  # Debian's python3-transmissionrpc, the client of older tools (FlexGet and others)
except ImportError:
    transmissionrpc = None


@unittest.skipUnless(transmissionrpc, "python3-transmissionrpc is not installed")
class PythonClient(unittest.TestCase):
    """The transmissionrpc Python library (0.11) drives seedd: connect, add, list, stop, start,
    set a seeding goal, read the files, remove with the data."""

    def test_the_library_works_unchanged(self):
        d = Daemon("pyclient").start()
        try:
            ih, torrent = seeding_torrent(d, "library.bin", 50_000)
            d.call("torrent.remove", info_hash=ih)
            user, _, password = d.cookie().partition(":")
            c = transmissionrpc.Client("127.0.0.1", port=d.rpc_port, user=user, password=password)
            self.assertEqual(c.rpc_version, 17)
            added = c.add_torrent(base64.b64encode(torrent).decode())
            self.assertEqual(added.hashString, ih)
            self.assertEqual([(t.id, t.name) for t in c.get_torrents()], [(added.id, "library.bin")])
            self.assertEqual(c.get_session().download_dir, d.download_dir)
            self.assertEqual(c.session_stats().torrentCount, 1)
            c.stop_torrent(added.id)
            self.assertEqual(c.get_torrent(added.id).status, "stopped")
            c.start_torrent(added.id)
            d.wait_for(lambda: c.get_torrent(added.id).status == "seeding", timeout=20, what="seeding")
            c.change_torrent(added.id, seedRatioLimit=2.5, seedRatioMode=1)
            t = c.get_torrent(added.id)
            self.assertEqual((t.seedRatioLimit, t.seedRatioMode, t.progress), (2.5, 1, 100.0))
            files = c.get_files(added.id)[added.id]
            self.assertEqual((files[0]["name"], files[0]["size"], files[0]["completed"]), ("library.bin", 50_000, 50_000))
            c.remove_torrent(added.id, delete_data=True)
            self.assertEqual(c.get_torrents(), [])
            d.wait_for(lambda: not os.path.exists(os.path.join(d.download_dir, "library.bin")), timeout=10,
                       what="the data deleted")
        finally:
            d.stop()


def key_shape(value):
    """The keys of a JSON value and the JSON types under them (int and float are both number)."""
    if isinstance(value, dict):
        return {k: key_shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return ["list"]
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


# Keys of Transmission 4.0's session-get that 3.00 did not have.
SESSION_GET_4_0_KEYS = {"default-trackers", "rpc-version-semver", "script-torrent-added-enabled",
                        "script-torrent-added-filename", "script-torrent-done-seeding-enabled",
                        "script-torrent-done-seeding-filename", "tcp-enabled"}


@unittest.skipUnless(TRANSMISSION_REMOTE and TRANSMISSION_DAEMON,
                     "transmission-remote and transmission-daemon (Debian's transmission-cli, transmission-daemon) are needed")
class Differential(unittest.TestCase):
    """The same transmission-remote script against Debian's transmission-daemon and seedd: the
    answers of -l, -i, -si and -st have the same keys and JSON types."""

    def run_script(self, port, creds, torrent_path):
        self.assertEqual(transmission_remote(port, creds, "-a", torrent_path).returncode, 0)
        answers = {}
        for name, args in [("-l", ["-l"]), ("-i", ["-t", "1", "-i"]), ("-si", ["-si"]), ("-st", ["-st"])]:
            p = transmission_remote(port, creds, *args, debug=True)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr[-2000:])
            got = responses(p.stderr)
            self.assertEqual(len(got), 1, p.stderr[-2000:])
            self.assertEqual(got[0]["result"], "success")
            answers[name] = got[0]
        return answers

    def test_same_keys_and_types_as_transmission_daemon(self):
        base = tempfile.mkdtemp(prefix="seedd-differential-")
        data, _ = make_torrent_bytes("differential.bin", 100_000)
        torrent_path = os.path.join(base, "differential.torrent")
        with open(torrent_path, "wb") as f:
            f.write(data)

        rpc_port, peer_port = free_port(), free_port()
        cfg, downloads = os.path.join(base, "cfg"), os.path.join(base, "downloads")
        os.makedirs(downloads)
        with open(os.path.join(base, "transmission.log"), "wb") as log:
            trd = subprocess.Popen([TRANSMISSION_DAEMON, "-f", "-g", cfg, "-p", str(rpc_port), "-P", str(peer_port),
                                    "-w", downloads, "--no-dht", "--no-lpd", "-M", "-t", "-u", "u", "-v", "p",
                                    "--allowed", "127.0.0.1", "--no-incomplete-dir"], stdout=log, stderr=log)
        try:
            deadline = time.time() + 20
            while transmission_remote(rpc_port, "u:p", "-l").returncode != 0:
                self.assertLess(time.time(), deadline, "transmission-daemon did not start")
                time.sleep(0.2)
            theirs = self.run_script(rpc_port, "u:p", torrent_path)
        finally:
            trd.terminate()
            trd.wait(timeout=20)

        d = Daemon("differential", extra_args=[f"--rpc-auth={rpc_auth_entry(USER, PASSWORD, SALT)}"]).start()
        try:
            ours = self.run_script(d.rpc_port, f"{USER}:{PASSWORD}", torrent_path)
        finally:
            d.stop()

        for name in ["-l", "-i", "-st"]:
            self.assertEqual(key_shape(ours[name]), key_shape(theirs[name]), name)
        t_si, o_si = key_shape(theirs["-si"])["arguments"], key_shape(ours["-si"])["arguments"]
        missing = set(t_si) - set(o_si)
        self.assertEqual(missing, set(), "session-get keys transmission-daemon has and seedd lacks")
        self.assertLessEqual(set(o_si) - set(t_si), SESSION_GET_4_0_KEYS, "seedd's extra keys are 4.0's")
        self.assertEqual({k: o_si[k] for k in t_si}, t_si, "the same JSON types")
        self.assertEqual((theirs["-si"]["arguments"]["rpc-version"], ours["-si"]["arguments"]["rpc-version"]), (16, 17))


if __name__ == "__main__":
    unittest.main(verbosity=2)
