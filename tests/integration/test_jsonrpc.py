"""JSON-RPC 2.0 conformance of one running seedd over real HTTP on 127.0.0.1: the standard
error codes, batches, notifications, ids, authentication, the HTTP routes around /rpc, and
rpc.discover agreeing with dispatch."""
import glob
import json
import os
import re
import time
import unittest

from harness import Daemon

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
ZEROS = "0" * 40
MAX_BATCH_LENGTH = 100  # rpc/jsonrpc.hpp

# Every method DESIGN.md names, and the methods the sources declare: each one either is in
# rpc.discover and dispatched, or is in neither.
DESIGN_METHODS = [
    "node.info", "torrent.add", "torrent.create", "torrent.list", "torrent.get", "torrent.pause",
    "torrent.resume", "torrent.remove", "torrent.recheck", "torrent.reannounce", "torrent.move",
    "torrent.set", "torrent.peers", "torrent.files", "torrent.trackers", "session.stats",
    "session.get", "session.set", "earnings.summary", "earnings.by_torrent", "earnings.history",
    "receipts.list", "rewards.claim", "rewards.list", "rewards.get", "claim.verify", "events.poll",
    "rpc.discover",
]
CORE_METHODS = ["node.info", "torrent.add", "torrent.create", "torrent.list", "torrent.get",
                "torrent.pause", "torrent.resume", "torrent.remove", "session.stats", "rpc.discover"]


def source_declared_methods():
    src = os.environ.get("SEEDD_SOURCE_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    names = set()
    for path in glob.glob(os.path.join(src, "rpc", "methods", "*.cpp")):
        with open(path, encoding="utf-8", errors="replace") as f:
            names.update(re.findall(r'\.name\s*=\s*"([a-z_]+\.[a-z_]+)"', f.read()))
    return names


class JsonRpcConformance(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon("jsonrpc").start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def rpc(self, payload, credentials=None):
        return self.d.rpc_raw(payload, credentials)

    def assert_error(self, reply, code, id_=None, mentions=()):
        self.assertIsInstance(reply, dict, reply)
        self.assertEqual(reply.get("jsonrpc"), "2.0", reply)
        self.assertNotIn("result", reply)
        self.assertIn("id", reply, "an error response must carry id (null when unknown)")
        self.assertEqual(reply["id"], id_, reply)
        self.assertEqual(reply["error"]["code"], code, reply)
        self.assertIsInstance(reply["error"]["message"], str)
        for word in mentions:
            self.assertIn(word, reply["error"]["message"], reply)

    def single_error(self, payload, code, id_=None, mentions=()):
        status, reply = self.rpc(payload)
        self.assertEqual(status, 200, reply)
        self.assert_error(reply, code, id_, mentions)
        return reply

    # -32700

    def test_parse_error_has_null_id(self):
        for body in [b'{"jsonrpc": "2.0", "method": "node.info", "id": 1', b"", b"{'jsonrpc': '2.0'}",
                     b'[{"jsonrpc": "2.0", "method": "node.info", "id": 1},]', b"\xff\xfe{}",
                     b'{"jsonrpc": "2.0", "method": "node.info", "id": 1} trailing']:
            with self.subTest(body=body):
                self.single_error(body, PARSE_ERROR, None)

    # -32600

    def test_request_that_is_not_an_object_is_invalid(self):
        for payload in [1, "node.info", True, None, [1], ["x"]]:
            with self.subTest(payload=payload):
                status, reply = self.rpc(json.dumps(payload))
                self.assertEqual(status, 200)
                if isinstance(payload, list):
                    self.assertIsInstance(reply, list, "a batch gets an array back")
                    self.assertEqual(len(reply), 1)
                    reply = reply[0]
                self.assert_error(reply, INVALID_REQUEST, None)

    def test_jsonrpc_member_missing_or_wrong_is_invalid(self):
        for request in [{"id": 7, "method": "node.info"},
                        {"jsonrpc": "1.0", "id": 7, "method": "node.info"},
                        {"jsonrpc": 2.0, "id": 7, "method": "node.info"},
                        {"jsonrpc": None, "id": 7, "method": "node.info"}]:
            with self.subTest(request=request):
                self.single_error(request, INVALID_REQUEST, 7, mentions=["jsonrpc"])

    def test_method_that_is_not_a_string_is_invalid(self):
        for method in [5, None, ["node.info"], {"name": "node.info"}]:
            with self.subTest(method=method):
                self.single_error({"jsonrpc": "2.0", "id": 8, "method": method}, INVALID_REQUEST, 8,
                                  mentions=["method"])
        self.single_error({"jsonrpc": "2.0", "id": 8}, INVALID_REQUEST, 8, mentions=["method"])

    def test_id_that_is_an_object_array_or_boolean_is_invalid(self):
        for id_ in [{"a": 1}, [1], True]:
            with self.subTest(id=id_):
                self.single_error({"jsonrpc": "2.0", "id": id_, "method": "node.info"}, INVALID_REQUEST, None,
                                  mentions=["id"])

    def test_params_that_are_neither_object_nor_array_are_invalid(self):
        for params in ["info_hash", 5, True]:
            with self.subTest(params=params):
                self.single_error({"jsonrpc": "2.0", "id": 9, "method": "torrent.get", "params": params},
                                  INVALID_REQUEST, 9, mentions=["params"])

    # -32601

    def test_unknown_method(self):
        self.single_error({"jsonrpc": "2.0", "id": "u", "method": "torrent.frobnicate"}, METHOD_NOT_FOUND, "u",
                          mentions=["torrent.frobnicate"])
        # Case matters; a namespace alone is no method.
        self.single_error({"jsonrpc": "2.0", "id": 1, "method": "Node.Info"}, METHOD_NOT_FOUND, 1)
        self.single_error({"jsonrpc": "2.0", "id": 1, "method": "node"}, METHOD_NOT_FOUND, 1)
        self.single_error({"jsonrpc": "2.0", "id": 1, "method": ""}, METHOD_NOT_FOUND, 1)

    def test_unknown_method_with_a_long_non_ascii_name_still_gets_a_json_answer(self):
        # The message quotes the name cut at a byte limit; the cut must not leave invalid UTF-8
        # that makes the response unserialisable (it was an HTTP 500).
        name = "a" + "\u00e9" * 60
        reply = self.single_error({"jsonrpc": "2.0", "id": 2, "method": name}, METHOD_NOT_FOUND, 2)
        self.assertIn("a\u00e9\u00e9", reply["error"]["message"])
        status, batch = self.rpc([{"jsonrpc": "2.0", "id": 3, "method": name}])
        self.assertEqual(status, 200)
        self.assert_error(batch[0], METHOD_NOT_FOUND, 3)

    # -32602

    def test_param_of_the_wrong_type_is_named(self):
        for value in [123, True, ["a"], {"x": 1}, "0" * 39, "g" * 40]:
            with self.subTest(info_hash=value):
                self.single_error({"jsonrpc": "2.0", "id": 4, "method": "torrent.get", "params": {"info_hash": value}},
                                  INVALID_PARAMS, 4, mentions=["info_hash"])
        self.single_error({"jsonrpc": "2.0", "id": 4, "method": "torrent.remove",
                           "params": {"info_hash": ZEROS, "delete_data": "yes"}}, INVALID_PARAMS, 4,
                          mentions=["delete_data"])
        self.single_error({"jsonrpc": "2.0", "id": 4, "method": "torrent.list", "params": {"fields": ["name", 1]}},
                          INVALID_PARAMS, 4, mentions=["fields"])

    def test_wrong_value_quoted_in_a_message_cut_inside_a_character_still_answers(self):
        self.single_error({"jsonrpc": "2.0", "id": 5, "method": "torrent.get",
                           "params": {"info_hash": "x" + "\u00e9" * 40}}, INVALID_PARAMS, 5, mentions=["info_hash"])

    def test_missing_required_param_is_named(self):
        self.single_error({"jsonrpc": "2.0", "id": 5, "method": "torrent.get"}, INVALID_PARAMS, 5,
                          mentions=["info_hash"])
        self.single_error({"jsonrpc": "2.0", "id": 5, "method": "torrent.get", "params": {}}, INVALID_PARAMS, 5,
                          mentions=["info_hash"])
        # null means the same as missing (STYLE 3).
        self.single_error({"jsonrpc": "2.0", "id": 5, "method": "torrent.get", "params": {"info_hash": None}},
                          INVALID_PARAMS, 5, mentions=["info_hash"])
        self.single_error({"jsonrpc": "2.0", "id": 5, "method": "torrent.create", "params": {}}, INVALID_PARAMS, 5,
                          mentions=["path"])

    def test_unknown_param_is_named(self):
        self.single_error({"jsonrpc": "2.0", "id": 6, "method": "node.info", "params": {"verbose": True}},
                          INVALID_PARAMS, 6, mentions=["verbose"])
        self.single_error({"jsonrpc": "2.0", "id": 6, "method": "torrent.get",
                           "params": {"info_hash": ZEROS, "infohash": ZEROS}}, INVALID_PARAMS, 6,
                          mentions=["infohash"])

    def test_positional_params_are_invalid_params(self):
        for params in [[ZEROS], []]:
            with self.subTest(params=params):
                self.single_error({"jsonrpc": "2.0", "id": 7, "method": "torrent.get", "params": params},
                                  INVALID_PARAMS, 7, mentions=["params"])

    def test_valid_params_reach_the_handler(self):
        # The counterpart of the -32602 cases: well-formed params pass validation (the torrent
        # does not exist, so the handler itself answers -32001), upper-case hex included.
        for ih in [ZEROS, "AbCdEf" + "0" * 34]:
            self.single_error({"jsonrpc": "2.0", "id": 1, "method": "torrent.get", "params": {"info_hash": ih}},
                              -32001, 1, mentions=["info_hash"])
        status, reply = self.rpc({"jsonrpc": "2.0", "id": 1, "method": "node.info", "params": {}})
        self.assertIn("node_address", reply["result"])
        status, reply = self.rpc({"jsonrpc": "2.0", "id": 1, "method": "node.info", "params": None})
        self.assertIn("node_address", reply["result"])

    # batches and notifications

    def test_mixed_batch_answers_all_but_the_notification(self):
        batch = [
            {"jsonrpc": "2.0", "id": "call", "method": "node.info"},
            {"jsonrpc": "2.0", "id": "bad", "method": 42},
            {"foo": "bar"},
            {"jsonrpc": "2.0", "id": 3, "method": "no.such_method"},
            {"jsonrpc": "2.0", "method": "node.info"},
            {"jsonrpc": "2.0", "id": 4, "method": "torrent.get", "params": {"info_hash": 1}},
        ]
        status, reply = self.rpc(batch)
        self.assertEqual(status, 200)
        self.assertIsInstance(reply, list)
        self.assertEqual(len(reply), 5, reply)
        by_id = {}
        for r in reply:
            self.assertNotIn(json.dumps(r["id"]), by_id, f"two responses with id {r['id']!r}")
            by_id[json.dumps(r["id"])] = r
        self.assertIn("node_address", by_id['"call"']["result"])
        self.assert_error(by_id['"bad"'], INVALID_REQUEST, "bad")
        self.assert_error(by_id["null"], INVALID_REQUEST, None)
        self.assert_error(by_id["3"], METHOD_NOT_FOUND, 3)
        self.assert_error(by_id["4"], INVALID_PARAMS, 4, mentions=["info_hash"])

    def test_empty_batch_is_one_invalid_request(self):
        status, reply = self.rpc([])
        self.assertEqual(status, 200)
        self.assertIsInstance(reply, dict, "an empty batch gets one response, not an array")
        self.assert_error(reply, INVALID_REQUEST, None)

    def test_batch_length_limit(self):
        status, reply = self.rpc([{"jsonrpc": "2.0", "id": i, "method": "node.info"} for i in range(MAX_BATCH_LENGTH)])
        self.assertEqual(status, 200)
        self.assertEqual(sorted(r["id"] for r in reply), list(range(MAX_BATCH_LENGTH)))
        self.assertTrue(all("result" in r for r in reply))
        status, reply = self.rpc([{"jsonrpc": "2.0", "id": i, "method": "node.info"}
                                  for i in range(MAX_BATCH_LENGTH + 1)])
        self.assertEqual(status, 200)
        self.assert_error(reply, INVALID_REQUEST, None, mentions=[str(MAX_BATCH_LENGTH)])

    def assert_no_content(self, payload):
        status, headers, body = self.d.post(json.dumps(payload), {"Authorization": self.d.auth_header(),
                                                                  "Content-Type": "application/json"})
        self.assertEqual(status, 204, body)
        self.assertEqual(body, b"")

    def test_notification_alone_gets_204_and_no_body(self):
        self.assert_no_content({"jsonrpc": "2.0", "method": "node.info"})
        # Not even an error is sent back for a notification.
        self.assert_no_content({"jsonrpc": "2.0", "method": "no.such_method"})
        self.assert_no_content({"jsonrpc": "2.0", "method": "torrent.get", "params": {"info_hash": 1}})

    def test_notification_runs_the_method(self):
        # Only the answer is dropped: a notification that adds a torrent adds it, and one that
        # removes it removes it.
        ih = "ab" * 20
        self.assert_no_content({"jsonrpc": "2.0", "method": "torrent.add",
                                "params": {"magnet": f"magnet:?xt=urn:btih:{ih}", "paused": True}})
        self.d.wait_for(lambda: any(t["info_hash"] == ih for t in self.d.call("torrent.list")["torrents"]),
                        timeout=10, what="the notified torrent.add to take effect")
        self.assert_no_content({"jsonrpc": "2.0", "method": "torrent.remove", "params": {"info_hash": ih}})
        self.d.wait_for(lambda: self.d.call("torrent.list")["torrents"] == [], timeout=10,
                        what="the notified torrent.remove to take effect")

    def test_torrents_added_and_removed_at_once_leave_no_ghost(self):
        # A magnet removed before libtorrent's add alert is handled: its handle then answers an
        # all-zero info-hash, and the alert made a ghost entry "000...0" that no call removed.
        for i in range(200):
            ih = "%040x" % (0xab00 + i)
            self.assert_no_content({"jsonrpc": "2.0", "method": "torrent.add",
                                    "params": {"magnet": f"magnet:?xt=urn:btih:{ih}", "paused": True}})
            self.assert_no_content({"jsonrpc": "2.0", "method": "torrent.remove", "params": {"info_hash": ih}})
        self.d.wait_for(lambda: self.d.call("torrent.list")["torrents"] == [], timeout=10,
                        what="every torrent added and removed to be gone")
        time.sleep(1)  # an add alert handled late would bring one back now
        self.assertEqual(self.d.call("torrent.list")["torrents"], [])
        self.single_error({"jsonrpc": "2.0", "id": 1, "method": "torrent.get", "params": {"info_hash": ZEROS}},
                          -32001, 1, mentions=["info_hash"])

    def test_batch_of_only_notifications_gets_204(self):
        self.assert_no_content([{"jsonrpc": "2.0", "method": "node.info"},
                                {"jsonrpc": "2.0", "method": "session.stats"},
                                {"jsonrpc": "2.0", "method": "no.such_method"}])

    # ids

    def test_ids_are_echoed_as_given(self):
        for id_ in ["abc", "", "\u00e9\u4e2d", 42, 0, -1, 1.5, 2 ** 53 + 1, None]:
            with self.subTest(id=id_):
                status, reply = self.rpc({"jsonrpc": "2.0", "id": id_, "method": "node.info"})
                self.assertEqual(status, 200)
                self.assertIn("id", reply)
                self.assertIs(type(reply["id"]), type(id_))
                self.assertEqual(reply["id"], id_)
                self.assertIn("result", reply)
        # The same on error responses.
        status, reply = self.rpc({"jsonrpc": "2.0", "id": "err-id", "method": "torrent.get"})
        self.assert_error(reply, INVALID_PARAMS, "err-id")

    # HTTP around /rpc

    def test_missing_auth_is_401_with_challenge_and_delay(self):
        t0 = time.monotonic()
        status, headers, body = self.d.post(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "node.info"}),
                                            {"Content-Type": "application/json"})
        took = time.monotonic() - t0
        self.assertEqual(status, 401)
        challenge = {k.lower(): v for k, v in headers.items()}.get("www-authenticate", "")
        self.assertTrue(challenge.startswith("Basic"), headers)
        self.assertGreaterEqual(took, 0.25)
        self.assertNotIn(b"node_address", body)

    def test_wrong_cookie_is_401(self):
        user, _, password = self.d.cookie().partition(":")
        wrong = password[:-1] + ("0" if password[-1] != "0" else "1")
        for creds in [f"{user}:{wrong}", f"{user}:", f"someone:{password}", f"{user}:{password}x"]:
            with self.subTest(creds=creds):
                t0 = time.monotonic()
                status, headers, body = self.d.post(
                    json.dumps({"jsonrpc": "2.0", "id": 1, "method": "node.info"}),
                    {"Authorization": self.d.auth_header(creds), "Content-Type": "application/json"})
                self.assertEqual(status, 401)
                self.assertGreaterEqual(time.monotonic() - t0, 0.25)
        for header in ["Bearer " + password, "Basic !!!", "Basic", self.d.cookie()]:
            with self.subTest(header=header):
                status, _, _ = self.d.post("{}", {"Authorization": header})
                self.assertEqual(status, 401)
        # The right cookie, for contrast, is let in.
        status, _, _ = self.d.post(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "node.info"}),
                                   {"Authorization": self.d.auth_header(), "Content-Type": "application/json"})
        self.assertEqual(status, 200)

    def test_get_on_rpc_is_405(self):
        status, headers, _ = self.d.request("GET", "/rpc", headers={"Authorization": self.d.auth_header()})
        self.assertEqual(status, 405)
        self.assertIn("POST", {k.lower(): v for k, v in headers.items()}.get("allow", ""))
        status, _, _ = self.d.request("PUT", "/rpc", body="{}", headers={"Authorization": self.d.auth_header()})
        self.assertEqual(status, 405)

    def test_healthz_needs_no_auth(self):
        status, _, body = self.d.request("GET", "/healthz")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["status"], "ok")
        status, _, _ = self.d.request("GET", "/healthz?probe=1")
        self.assertEqual(status, 200)

    def test_unknown_path_is_404(self):
        for method, path in [("GET", "/"), ("GET", "/nope"), ("POST", "/rpc/extra"), ("POST", "/RPC")]:
            with self.subTest(path=path):
                status, _, _ = self.d.request(method, path, body="{}" if method == "POST" else None,
                                              headers={"Authorization": self.d.auth_header()})
                self.assertEqual(status, 404)

    # rpc.discover

    def test_discover_lists_exactly_the_methods_that_dispatch(self):
        doc = self.d.call("rpc.discover")
        self.assertTrue(doc["openrpc"].startswith("1."), doc.get("openrpc"))
        self.assertIn("title", doc["info"])
        self.assertIn("version", doc["info"])
        names = [m["name"] for m in doc["methods"]]
        self.assertEqual(len(names), len(set(names)), "a method is listed twice")
        for name in CORE_METHODS:
            self.assertIn(name, names)
        for m in doc["methods"]:
            self.assertRegex(m["name"], r"^[a-z_]+\.[a-z_]+$")
            self.assertTrue(m["description"])
            self.assertIsInstance(m["params"], list)
            for p in m["params"]:
                self.assertTrue(p["name"] and isinstance(p["required"], bool) and "schema" in p, p)

        def dispatched(name):
            # An unknown param fails validation before any handler runs: -32602 proves the method
            # was found without doing anything.
            status, reply = self.rpc({"jsonrpc": "2.0", "id": 1, "method": name, "params": {"__probe__": 1}})
            self.assertEqual(status, 200)
            code = reply["error"]["code"]
            if code != METHOD_NOT_FOUND:
                self.assertEqual(code, INVALID_PARAMS, reply)
                self.assertIn("__probe__", reply["error"]["message"])
            return code != METHOD_NOT_FOUND

        for name in names:
            self.assertTrue(dispatched(name), f"{name} is in rpc.discover but not dispatched")
        candidates = set(DESIGN_METHODS) | source_declared_methods() | {"torrent.frobnicate", "rpc.help"}
        self.assertTrue(set(CORE_METHODS) <= source_declared_methods(),
                        "the source scan of rpc/methods did not find every core method")
        for name in sorted(candidates - set(names)):
            self.assertFalse(dispatched(name), f"{name} is dispatched but missing from rpc.discover")

    def test_discover_params_match_validation(self):
        # A required param in the document is reported missing by dispatch; an optional one is not.
        doc = self.d.call("rpc.discover")
        for m in doc["methods"]:
            required = [p["name"] for p in m["params"] if p["required"]]
            if not required:
                continue
            status, reply = self.rpc({"jsonrpc": "2.0", "id": 1, "method": m["name"], "params": {}})
            self.assertEqual(reply["error"]["code"], INVALID_PARAMS, (m["name"], reply))
            self.assertTrue(any(r in reply["error"]["message"] for r in required), (m["name"], reply))

    def test_daemon_still_serves(self):
        self.assertIn("node_address", self.d.call("node.info"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
