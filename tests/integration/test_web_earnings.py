"""Issue 17: after a receipted transfer between two seedd nodes, the seeder's web page plots it:
its Earnings chart has a point above zero for the hour of the transfer, as earnings.history has.
The browser logs in with the one-time link `seedctl ui` prints."""
import time
import unittest

from browser import Browser, BrowserTestCase

SIZE = 8 * 1024 * 1024


class EarningsChart(BrowserTestCase):
    def test_a_receipted_transfer_shows_as_a_point_on_the_chart(self):
        seeder, leecher, made, _ = self.two_nodes(["--reward-rate=1000000000"], SIZE, seed=7, name="episode.mkv",
                                                  wait=True)
        ih = made["info_hash"]
        leecher.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
        leecher.wait_for(lambda: leecher.torrent(ih)["state"] == "seeding", timeout=120, what="the download")
        verified = seeder.wait_for(lambda: int(seeder.call("earnings.summary")["verified_bytes"]), timeout=60,
                                   what="verified bytes on the seeder")
        hour = int(time.time()) // 3600 * 3600
        history = seeder.call("earnings.history", bucket="hour", since=hour - 3600)["rows"]
        expected = {r["start"]: int(r["verified_bytes"]) for r in history if int(r["verified_bytes"]) > 0}
        self.assertTrue(expected, history)
        print(f"web_earnings: {verified} verified bytes; earnings.history's non-zero hours: {expected}")

        b = self.browser = Browser()
        link = seeder.seedctl("ui").stdout.strip().splitlines()[-1]
        b.get(link)
        b.wait_visible("#torrent-scroll")
        b.click('nav a[data-page="earnings"]')
        points = b.wait(lambda _: b.find_all("#chart circle.pt.verified"), 30, "a verified point on the chart")
        baseline = float(b.find("#chart svg").get_attribute("data-baseline"))
        drawn = {int(p.get_attribute("data-start")): (int(p.get_attribute("data-bytes")), float(p.get_attribute("cy")))
                 for p in points}
        print(f"web_earnings: the chart's verified points (start: bytes, y): {drawn}; baseline y {baseline}")
        # Every hour the ledger has is drawn, with its bytes, above the baseline; nothing else.
        # (A receipt that lands after the history was read may grow the last hour: re-read it.)
        history = seeder.call("earnings.history", bucket="hour", since=hour - 3600)["rows"]
        expected = {r["start"]: int(r["verified_bytes"]) for r in history if int(r["verified_bytes"]) > 0}
        self.assertEqual(set(drawn), set(expected))
        for start, (nbytes, y) in drawn.items():
            self.assertGreater(nbytes, 0)
            self.assertLessEqual(nbytes, expected[start])
            self.assertLess(y, baseline, f"the point of {start} is not above the baseline")
        b.wait(lambda _: "episode.mkv" in b.find("#earn-torrents").text, 10, "the torrent in the per-torrent table")
        address = seeder.call("node.info")["node_address"]
        self.assertEqual(b.find("#node-address").text, address)
        # Copy: to the clipboard where the browser allows it, else the address is selected.
        b.click("#copy-address")
        note = b.wait(lambda _: b.find("#copy-note").text, 10, "the copy button's note")
        if note == "copied":
            b.driver.execute_cdp_cmd("Browser.grantPermissions", {"permissions": ["clipboardReadWrite"]})
            self.assertEqual(b.js("return await navigator.clipboard.readText()"), address)
        else:
            self.assertIn("selected", note)
            self.assertEqual(b.js("return getSelection().toString()"), address)
        print(f"web_earnings: copy button: {note}")
        b.screenshot("earnings")
        b.click('#page-earnings .seg button[data-days="30"]')
        b.wait(lambda _: len(b.find_all("#chart circle.pt.verified")) >= 1 and
               b.find("#chart svg").get_attribute("data-baseline"), 10, "the 30-day chart")
        # Claim now: the claim of the receipted bytes shows on the Rewards page.
        b.click('nav a[data-page="rewards"]')
        b.wait_text("#claims", "no claims yet")
        b.click("#claim-now")
        message = b.wait_text("#claim-message.ok", "claim 1:")
        claims = seeder.call("rewards.list")["claims"]
        self.assertEqual(len(claims), 1)
        self.assertEqual(int(claims[0]["total_bytes"]), verified)
        self.assertIn(f"in {claims[0]['receipt_count']} receipts, {claims[0]['amount']} base units", message)
        b.wait(lambda _: b.find_all('#claims td[data-key="total_bytes"]'), 10, "the claim in the table")
        b.screenshot("rewards")
        errors = b.console_errors()
        self.assertEqual(errors, [], f"console errors: {errors}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
