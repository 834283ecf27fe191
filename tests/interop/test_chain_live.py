"""The chain client against a real chain: starts a Hardhat node on 127.0.0.1 (contracts/, its
npm packages from the committed lock file), deploys the RewardPool and TestToken with
contracts/scripts/deploy.js, and runs the hidden Catch2 test [chain-live] (test_chain_live.cpp)
against them: fund, the bounty cache, settle with seedd-signed transactions, the events and
balances. The node is stopped by its pid.

    SEEDD_UNIT_TESTS=build/tests/seedd_unit_tests python3 tests/interop/test_chain_live.py
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest

SOURCE_DIR = os.environ.get("SEEDD_SOURCE_DIR",
                            os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
CONTRACTS = os.path.join(SOURCE_DIR, "contracts")
UNIT_TESTS = os.environ.get("SEEDD_UNIT_TESTS", os.path.join(SOURCE_DIR, "build", "tests", "seedd_unit_tests"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChainLiveTest(unittest.TestCase):
    def test_fund_and_settle_on_a_hardhat_node(self):
        subprocess.run(["bash", os.path.join(CONTRACTS, "install.sh")], check=True, timeout=600)
        env = dict(os.environ, HARDHAT_DISABLE_TELEMETRY_PROMPT="true")
        # Compiled before the node starts, so that deploy.js does not compile beside it.
        subprocess.run(["node", "scripts/hardhat-offline.js", "compile"], cwd=CONTRACTS, env=env,
                       check=True, timeout=600, capture_output=True)
        port = free_port()
        with tempfile.TemporaryFile("w+") as log:
            node = subprocess.Popen(["node", "scripts/hardhat-offline.js", "node", "--hostname", "127.0.0.1",
                                     "--port", str(port)], cwd=CONTRACTS, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                rpc = f"http://127.0.0.1:{port}"
                deadline = time.time() + 120
                while True:
                    log.seek(0)
                    if "Started HTTP" in log.read():
                        break
                    if node.poll() is not None or time.time() > deadline:
                        log.seek(0)
                        self.fail(f"the Hardhat node did not start:\n{log.read()[-4000:]}")
                    time.sleep(0.2)
                d = subprocess.run(["node", "scripts/deploy.js", "--rpc", rpc], cwd=CONTRACTS, env=env,
                                   capture_output=True, text=True, timeout=300)
                self.assertEqual(d.returncode, 0, d.stderr)
                deployed = json.loads(d.stdout.strip().splitlines()[-1])
                t = subprocess.run([UNIT_TESTS, "[chain-live]"], capture_output=True, text=True, timeout=300,
                                   env=dict(os.environ, SEEDD_TEST_CHAIN_RPC=rpc, SEEDD_TEST_POOL=deployed["pool"],
                                            SEEDD_TEST_TOKEN=deployed["token"],
                                            SEEDD_TEST_DEPLOY_BLOCK=str(deployed["deployBlock"])))
                self.assertEqual(t.returncode, 0, t.stdout + t.stderr)
                self.assertIn("All tests passed", t.stdout)
                self.assertNotIn("skipped", t.stdout)
            finally:
                node.terminate()
                try:
                    node.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    node.kill()
                    node.wait()


if __name__ == "__main__":
    unittest.main()
