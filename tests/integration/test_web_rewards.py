"""Issue 17: the Rewards page on a real chain. A Hardhat node on 127.0.0.1 with the pool
deployed; a seedd funds a bounty for its torrent (`seedctl fund`) and a second seedd downloads
it. On the seeder's page: the node account's balances and the bounty (rate, seeded here), then
"Claim now" and "Settle": the claim shows settled, and the token balance the page shows after it
is the one the chain has, which grew by what the settlement paid."""
import unittest

import claimkit as ck
from browser import Browser, BrowserTestCase

RATE = 10**18        # base units per GiB
BOUNTY = 10**24
ETH = 10**19
SIZE = 4 * ck.MiB


class RewardsOnChain(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.hardhat = ck.LocalChain()

    def tearDown(self):
        super().tearDown()
        self.hardhat.stop()

    def cell(self, row_css, key):
        return self.browser.find(f'{row_css} td[data-key="{key}"]').text

    def test_claim_and_settle_from_the_page(self):
        h = self.hardhat
        chain_args = h.chain_args()
        seeder = self.daemon("seeder", *chain_args, f"--reward-rate={RATE}")
        leecher = self.daemon("leecher", *h.pool_args())
        address = seeder.call("node.info")["node_address"]
        h.run("fund", {"token": h.token, "mint": {address: str(BOUNTY)}, "eth": {address: str(ETH)}})
        made, _ = self.seed(seeder, SIZE, seed=21, name="film.mkv")
        ih = made["info_hash"]
        seeder.seedctl("fund", ih, f"--amount={BOUNTY // 2}", f"--rate={RATE}", "--days=2")
        leecher.call("torrent.add", torrent=made["torrent"], peers=[f"127.0.0.1:{seeder.bt_port}"])
        leecher.wait_for(lambda: leecher.torrent(ih)["state"] == "seeding", timeout=120, what="the download")
        seeder.wait_for(lambda: int(seeder.call("earnings.summary")["unclaimed_bytes"]) >= SIZE, timeout=60,
                        what="the receipts of the whole download")
        before = int(seeder.call("chain.info")["token_balance"])
        self.assertEqual(before, BOUNTY // 2)

        b = self.browser = Browser()
        b.get(seeder.seedctl("ui").stdout.strip().splitlines()[-1])
        b.wait_visible("#torrent-scroll")
        b.click('nav a[data-page="rewards"]')
        b.wait_text("#chain", address)
        self.assertEqual(self.cell("#chain tbody tr", "token_balance"), str(before))
        b.wait_text("#bounties", ih[:12])
        self.assertEqual(self.cell("#bounties tbody tr", "rate_per_gib"), str(RATE))
        self.assertEqual(self.cell("#bounties tbody tr", "seeding"), "yes")

        b.click("#claim-now")
        b.wait_text("#claim-message.ok", "claim 1:")
        b.wait_text('#claims td[data-key="settlement"]', "not settled")
        b.click("#claims button.settle")
        b.wait_text("#claim-message.ok", "claim 1: confirmed", timeout=120)
        settlement = seeder.call("rewards.list")["claims"][0]["settlement"]
        self.assertEqual(settlement["state"], "confirmed")
        paid = int(settlement["paid"])
        self.assertGreater(paid, 0)
        b.wait_text('#claims td[data-key="settlement"]', f"confirmed · paid {paid}")
        self.assertFalse(b.find_all("#claims button.settle"), "a settled claim still offers Settle")
        after = int(seeder.call("chain.info")["token_balance"])
        self.assertEqual(after, before + paid)
        b.wait(lambda _: self.cell("#chain tbody tr", "token_balance") == str(after), 10, "the new token balance")
        print(f"web_rewards: claim 1 settled on chain: {paid} base units paid; the page shows balance {after}")
        b.screenshot("rewards-chain")
        errors = b.console_errors()
        self.assertEqual(errors, [], f"console errors: {errors}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
