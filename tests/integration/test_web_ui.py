"""Issue 17: the web page under /ui/, in a real browser (Debian's headless chromium driven by
selenium). An admin logs in, uploads a .torrent and sees it seeding, creates one from a folder,
pauses and resumes; a read-only user can change nothing; a cross-origin form POST is refused;
the CSP header is there and the page logs no console errors; bad input (a wrong password, an
ended session, an upload that is not a torrent or is too big, a path outside the roots) gets a
clear message on the page and in the JSON. Screenshots go to SEEDD_WEB_SCREENSHOTS (docs/web/
when the docs are refreshed) or a scratch directory."""
import hashlib
import http.server
import json
import os
import threading
import unittest

from harness import bencode, http_raw, make_file
from browser import PHONE, Browser, BrowserTestCase, b64, rpc_auth_entry

ADMIN = ("alice", "alice-secret-1")
READER = ("bob", "bob-secret-2")


def torrent_of(path, piece=16384):
    """A v1 single-file .torrent of `path` (bytes) and its info-hash."""
    with open(path, "rb") as f:
        data = f.read()
    pieces = b"".join(hashlib.sha1(data[i:i + piece]).digest() for i in range(0, len(data), piece))
    info = {"name": os.path.basename(path), "length": len(data), "piece length": piece, "pieces": pieces}
    return bencode({"info": info}), hashlib.sha1(bencode(info)).hexdigest()


class WebPage(BrowserTestCase):
    def start_daemon(self, name="web"):
        users = ",".join([rpc_auth_entry(*ADMIN), rpc_auth_entry(*READER, "read")])
        return self.daemon(name, f"--rpc-auth={users}")

    def base(self, d):
        return f"http://127.0.0.1:{d.rpc_port}"

    def test_admin_adds_creates_pauses_and_resumes(self):
        d = self.start_daemon()
        base = self.base(d)
        # The page and its headers, without a browser: the CSP allows this origin's files only.
        status, headers, body = d.request("GET", "/ui/")
        self.assertEqual(status, 200)
        csp = headers.get("Content-Security-Policy", "")
        print(f"web_ui: Content-Security-Policy: {csp}")
        self.assertIn("script-src 'self'", csp)
        self.assertIn("default-src 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn(b"<script>", body, "an inline script would be refused by the CSP")
        self.assertEqual(headers.get("X-Frame-Options"), "DENY")

        b = self.browser = Browser()
        # A wrong password: the page says so, as the JSON does, and the server's back-off holds it.
        b.login(base, ADMIN[0], "not-the-password")
        shown = b.wait_text("#login-error", "wrong user or password")
        status, _, raw = d.post(json.dumps({"user": ADMIN[0], "password": "nope"}),
                                {"Content-Type": "application/json"}, path="/ui/login")
        self.assertIn(status, (401, 429))
        self.assertIn(json.loads(raw)["error"], (shown, "too many failed logins from this address: wait and retry"))
        b.screenshot("login")
        b.driver.get_log("browser")  # the refused logins' 401s are expected: start counting after them

        b.login(base, *ADMIN)
        b.wait_visible("#torrent-scroll")
        self.assertIn("alice", b.find("#who").text)
        cookie = b.driver.get_cookie("seedd_session")
        self.assertTrue(cookie["httpOnly"])
        self.assertEqual(cookie["sameSite"], "Strict")
        self.assertIn("expiry", cookie, "the session cookie has no expiry")
        b.wait_text("#live", "live")

        # Upload a .torrent whose data is in download_dir: it is checked and seeds.
        src = os.path.join(d.download_dir, "uploaded.bin")
        make_file(src, 300_000, seed=5)
        tbytes, ih = torrent_of(src)
        tfile = os.path.join(d.base, "uploaded.torrent")
        with open(tfile, "wb") as f:
            f.write(tbytes)
        b.click("#add-open")
        b.find("#add-file").send_keys(tfile)
        b.click("#add-file-go")
        b.wait_text("#add-message", ih)
        b.wait(lambda _: b.row_state(ih) == "seeding", 30, "the uploaded torrent to show seeding")
        self.assertEqual(d.torrent(ih)["state"], "seeding")

        # An upload that is not a torrent: the engine's message, on the page as in the JSON.
        junk = os.path.join(d.base, "junk.torrent")
        with open(junk, "wb") as f:
            f.write(b"this is not bencoded at all")
        b.find("#add-file").send_keys(junk)
        b.click("#add-file-go")
        page_text = b.wait_text("#add-message.error", "not a valid .torrent")
        err = d.call_error("torrent.add", torrent=b64(b"this is not bencoded at all"))
        self.assertEqual(page_text, err.message)

        # An upload over the size limit: the page refuses it before sending (base64 of it would not
        # fit a request body); the server refuses such a body in JSON too.
        big = os.path.join(d.base, "big.torrent")
        with open(big, "wb") as f:
            f.write(b"d" + b"0" * (13 * 1024 * 1024))
        b.find("#add-file").send_keys(big)
        b.click("#add-file-go")
        b.wait_text("#add-message.error", "the largest .torrent the page can upload is 12.0 MiB")
        size = 17 * 1024 * 1024
        status, _, raw = http_raw(d.rpc_port, b"POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " +
                                  d.auth_header().encode() + b"\r\nContent-Type: application/json\r\n" +
                                  b"Content-Length: %d\r\n\r\n" % size + b" " * size)
        self.assertEqual(status, 413)
        self.assertEqual(json.loads(raw), {"error": "request body too large: at most 16 MiB"})

        # Create from a folder under download_dir: made, seeded, listed.
        folder = os.path.join(d.download_dir, "album")
        for i in range(3):
            make_file(os.path.join(folder, f"track{i}.flac"), 100_000 + i, seed=10 + i)
        b.type("#create-path", folder)
        b.click("#create-go")
        created = b.wait_text("#add-message.ok", "created ")
        cih = created.split()[1].rstrip(",")
        b.wait(lambda _: b.row_state(cih) == "seeding", 30, "the created torrent to show seeding")
        self.assertEqual(d.torrent(cih)["name"], "album")

        # A magnet, and a .torrent by its path on the server.
        magnet_ih = "c" * 40
        b.type("#add-magnet", f"magnet:?xt=urn:btih:{magnet_ih}&dn=from-a-magnet")
        b.click("#add-magnet-go")
        b.wait_text("#add-message.ok", magnet_ih)
        b.wait(lambda _: b.row(magnet_ih), 20, "the magnet's row")
        on_server = os.path.join(d.download_dir, "on-server.torrent")
        with open(on_server, "wb") as f:
            f.write(torrent_of(folder + "/track0.flac")[0])
        path_ih = torrent_of(folder + "/track0.flac")[1]
        b.type("#add-path", on_server)
        b.click("#add-path-go")
        b.wait_text("#add-message.ok", path_ih)
        b.wait(lambda _: b.row(path_ih), 20, "the row of the torrent added by path")

        # A path outside download_dir and data_roots: refused, the message on the page and in the JSON.
        b.type("#create-path", "/etc")
        b.click("#create-go")
        page_text = b.wait_text("#add-message.error", "outside the allowed directories")
        self.assertEqual(page_text, d.call_error("torrent.create", path="/etc").message)
        b.screenshot("torrents")

        # Pause and resume from the details.
        b.filter_name("uploaded")
        b.wait(lambda _: len(b.find_all("#torrent-rows .row")) == 1, 10, "the filter to leave one row")
        b.click_row(ih)
        b.wait_visible("#details .pause")
        b.wait_text("#details .d-files", "uploaded.bin")
        b.screenshot("details")
        b.click("#details .pause")
        b.wait(lambda _: b.row_state(ih) == "paused", 20, "the row to show paused")
        self.assertTrue(d.torrent(ih)["paused"])
        b.click("#details .resume")
        b.wait(lambda _: b.row_state(ih) == "seeding", 30, "the row to show seeding again")
        self.assertFalse(d.torrent(ih)["paused"])
        # Labels and limits from the details; the label then filters the table.
        b.type("#details .labels-input", "tv, hd")
        b.click("#details .save-labels")
        b.wait_text("#details .detail-message.ok", "labels saved")
        b.type("#details .limit-upload_limit", "65536")
        b.click("#details .save-limits")
        b.wait_text("#details .detail-message.ok", "limits saved")
        t = d.torrent(ih)
        self.assertEqual(t["labels"], ["tv", "hd"])
        self.assertEqual(t["upload_limit"], 65536)
        b.click("#details .detail-head .link")
        b.filter_name("")
        b.wait(lambda _: "hd" in b.js("return [...document.querySelectorAll('#filter-label option')].map(o => o.value)"),
               10, "the label in the label filter")
        b.js("const s = document.getElementById('filter-label'); s.value = 'hd'; s.dispatchEvent(new Event('change'));")
        b.wait(lambda _: [r.get_attribute("data-hash") for r in b.find_all("#torrent-rows .row")] == [ih], 10,
               "only the labelled torrent")
        b.js("const s = document.getElementById('filter-label'); s.value = ''; s.dispatchEvent(new Event('change'));")

        # Remove, after the confirmation, keeping the data (the magnet's torrent has none).
        b.click_row(magnet_ih)
        b.click("#details .remove")
        alert = b.wait(lambda drv: drv.switch_to.alert, 10, "the confirmation")
        self.assertIn("from-a-magnet", alert.text)
        alert.accept()
        b.wait(lambda _: not b.row(magnet_ih), 20, "the removed torrent's row to go")
        d.wait_for(lambda: magnet_ih not in [t["info_hash"] for t in d.call("torrent.list")["torrents"]], 10,
                   what="the removal on the server")

        # The other pages load, and nothing so far logged an error in the console.
        b.click('nav a[data-page="earnings"]')
        b.wait_visible("#chart svg")
        b.wait(lambda _: b.find("#node-address").text.startswith("0x"), 10, "the node address")
        b.click('nav a[data-page="rewards"]')
        b.wait_text("#claims", "no claims yet")
        b.click('nav a[data-page="settings"]')
        b.wait_visible('[data-option="upload_limit"] input')
        b.type('[data-option="upload_limit"] input', "not-a-size")
        b.click('[data-option="upload_limit"] .apply')
        field_error = b.wait_text('[data-option="upload_limit"] .field-error.error', "upload_limit")
        self.assertIn("not-a-size", field_error)
        b.type('[data-option="upload_limit"] input', "1048576")
        b.click('[data-option="upload_limit"] .apply')
        b.wait_text('[data-option="upload_limit"] .field-error.ok', "applied")
        b.wait_text('[data-option="upload_limit"] .source', "session.set")
        self.assertEqual(d.call("session.get")["upload_limit"], 1048576)
        b.screenshot("settings")
        errors = b.console_errors()
        self.assertEqual(errors, [], f"console errors: {errors}")

        # A phone's width: the table keeps its first columns and the navigation wraps.
        b.driver.set_window_size(*PHONE)
        b.click('nav a[data-page="torrents"]')
        b.wait_visible(f'#torrent-rows .row[data-hash="{ih}"]')
        self.assertFalse(b.find("#torrent-head .c-peers").is_displayed())
        self.assertTrue(b.find("#torrent-head .c-state").is_displayed())
        width = b.js("return document.documentElement.scrollWidth")
        self.assertLessEqual(width, PHONE[0], "the page scrolls sideways on a phone")
        b.screenshot("phone")

        # seedd restarts: the session is gone, and the page says so and asks to log in again.
        d.terminate()
        d.start()
        b.wait_text("#login-error", "your session has ended")
        b.wait_visible("#login-form")

    def test_read_only_user_cannot_change_anything(self):
        d = self.start_daemon()
        made, _ = self.seed(d, 50_000, name="r.bin")
        ih = made["info_hash"]
        b = self.browser = Browser()
        b.login(self.base(d), *READER)
        b.wait_visible(f'#torrent-rows .row[data-hash="{ih}"]')
        self.assertIn("read only", b.find("#who").text)
        self.assertFalse(b.find("#add-open").is_displayed())
        b.click_row(ih)
        b.wait_text("#details .d-files", "r.bin")
        for css in (".pause", ".resume", ".recheck", ".remove", ".remove-data"):
            self.assertFalse(b.find(f"#details {css}").is_displayed(), f"{css} shows for a read-only user")
        b.screenshot("read-only")
        b.click('nav a[data-page="settings"]')
        b.wait_visible('[data-option="upload_limit"] input')
        self.assertFalse(b.find('[data-option="upload_limit"] input').is_enabled())
        self.assertFalse(b.find('[data-option="upload_limit"] .apply').is_displayed())
        # And the server refuses anyway, a call made by the page itself with its session and token.
        for method, params in (("torrent.pause", {"info_hash": ih}), ("torrent.remove", {"info_hash": ih}),
                               ("session.set", {"upload_limit": 1000}), ("rewards.claim", {}),
                               ("ui.login_link", {})):
            answer = b.rpc_from_page(method, params)
            self.assertEqual(answer["status"], 200)
            self.assertIn("read scope only", answer["body"]["error"]["message"], method)
        t = d.torrent(ih)
        self.assertFalse(t["paused"])
        self.assertNotEqual(d.call("session.get")["upload_limit"], 1000)

    def test_cross_origin_form_post_is_refused(self):
        d = self.start_daemon()
        made, _ = self.seed(d, 50_000, name="x.bin")
        ih = made["info_hash"]
        # Another origin of the same site (127.0.0.1, another port): a SameSite=Strict cookie still
        # goes along, so only the Origin check and the CSRF token stop its form.
        payload = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "torrent.pause", "params": {"info_hash": ih}})
        name, value = payload[:-1] + ',"pad":"', '"}'
        page = ("<!doctype html><title>evil</title>"
                f"<form method=POST enctype=text/plain action='http://127.0.0.1:{d.rpc_port}/rpc'>"
                f"<input type=hidden name='{name}' value='{value}'></form>"
                "<script>document.forms[0].submit()</script>").encode()

        class Evil(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *a):
                pass

        # Threads: the browser may hold a second, idle connection open, which must not block the page.
        evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Evil)
        evil.daemon_threads = True
        threading.Thread(target=evil.serve_forever, daemon=True).start()
        try:
            b = self.browser = Browser()
            b.login(self.base(d), *ADMIN)
            b.wait_visible(f'#torrent-rows .row[data-hash="{ih}"]')
            b.get(f"http://127.0.0.1:{evil.server_address[1]}/")
            text = b.wait(lambda drv: "error" in drv.page_source and drv.current_url.endswith("/rpc") and
                          drv.find_element("tag name", "body").text, 20, "the form's answer")
            print(f"web_ui: the cross-origin form got: {text}")
            self.assertIn("own page", text)
            self.assertFalse(d.torrent(ih)["paused"], "the cross-origin form paused the torrent")
        finally:
            evil.shutdown()
            evil.server_close()

        # The same checks, by hand: the session cookie with a foreign Origin, or without the token.
        cookie = b.driver.get_cookie("seedd_session")["value"]
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "torrent.pause", "params": {"info_hash": ih}})
        own = f"http://127.0.0.1:{d.rpc_port}"
        csrf = json.loads(d.request("GET", "/ui/session", headers={"Cookie": f"seedd_session={cookie}"})[2])["csrf"]
        for origin, token, what in ((f"http://127.0.0.1:{evil.server_address[1]}", csrf, "another origin"),
                                    (None, csrf, "no Origin"), (own, None, "no CSRF token"),
                                    (own, "0" * 64, "a wrong CSRF token")):
            headers = {"Cookie": f"seedd_session={cookie}", "Content-Type": "application/json"}
            if origin:
                headers["Origin"] = origin
            if token:
                headers["X-CSRF-Token"] = token
            status, _, raw = d.post(body, headers)
            self.assertEqual(status, 403, f"{what}: {raw!r}")
        self.assertFalse(d.torrent(ih)["paused"])
        status, _, raw = d.post(body, {"Cookie": f"seedd_session={cookie}", "Content-Type": "application/json",
                                       "Origin": own, "X-CSRF-Token": csrf})
        self.assertEqual(status, 200, raw)
        self.assertTrue(d.torrent(ih)["paused"], "the page's own call did not pause")

    def test_seedctl_ui_link_logs_in_once_and_the_page_reconnects_with_since(self):
        d = self.start_daemon()
        out = d.seedctl("ui").stdout
        link = out.strip().splitlines()[-1]
        self.assertTrue(link.startswith(f"http://127.0.0.1:{d.rpc_port}/ui/login?token="), out)
        b = self.browser = Browser()
        b.record_websockets()
        b.get(link)
        b.wait_visible("#torrent-scroll")
        self.assertIn("admin", b.find("#who").text)

        # Live: the connection drops, the page says so, and reconnects from the last event it saw,
        # so that an event of the gap still arrives.
        first = os.path.join(d.download_dir, "before.bin")
        make_file(first, 20_000)
        d.call("torrent.create", path=first)
        b.wait(lambda _: b.js("return window.__sockets[0].__got.some(m => m.includes('torrent.added'))"), 10,
               "the first torrent.added on the WebSocket")
        seen = b.js("return Math.max(...window.__sockets[0].__got.map(m => JSON.parse(m).params.seq || 0))")
        b.js("window.__sockets[0].close()")
        b.wait_text("#live", "connection lost")
        second = os.path.join(d.download_dir, "during.bin")
        make_file(second, 20_000)
        ih = d.call("torrent.create", path=second)["info_hash"]
        b.wait_text("#live", "live", timeout=20)
        url = b.js("return window.__sockets[window.__sockets.length - 1].url")
        self.assertTrue(url.endswith(f"/ws?since={seen}"), url)
        b.wait(lambda _: b.js("return window.__sockets[window.__sockets.length - 1].__got.some("
                              "m => m.includes('torrent.added') && m.includes(arguments[0]))", ih), 10,
               "the gap's torrent.added on the new WebSocket")
        b.click("#logout")
        b.wait_text("#login-error", "logged out")
        # Logged out means the cookie no longer opens /rpc.
        self.assertEqual(b.js("return fetch('/ui/session').then(r => r.json()).then(j => j.logged_in)"), False)
        b.get(link)
        b.wait_text("#login-error", "used already or has expired")


if __name__ == "__main__":
    unittest.main(verbosity=2)
