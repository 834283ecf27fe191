"""A committed vectors file must be what its ethers.js script makes today: the C++ unit tests
and the contract tests reproduce the file, and this rerun of ethers.js keeps it from drifting
away from ethers (a hand edit, a changed script that was not rerun).

    check_ethers_vectors.py chain   tests/vectors/chain.json from chain_vectors.mjs ([chain] tests)
    check_ethers_vectors.py pass    tests/vectors/pass.json from pass_vectors.mjs, on eip712.json's
                                    domain and keys ([passes] tests, contracts/test/vectors.test.js)

The scripts run from the pinned npm packages the claim tests install (claimkit.ethers_dir: `npm
ci` from the committed lockfile, cached per lockfile hash). To refresh a file after changing its
script, in that installed directory:
    node chain_vectors.mjs > tests/vectors/chain.json
    node pass_vectors.mjs tests/vectors/eip712.json > tests/vectors/pass.json
"""
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from claimkit import SOURCE_DIR, ethers_dir  # noqa: E402

VECTORS_DIR = os.path.join(SOURCE_DIR, "tests", "vectors")
# name: (script, its arguments, the committed file)
KINDS = {
    "chain": ("chain_vectors.mjs", [], "chain.json"),
    "pass": ("pass_vectors.mjs", [os.path.join(VECTORS_DIR, "eip712.json")], "pass.json"),
}
KIND = None  # set from the command line


class EthersVectorsTest(unittest.TestCase):
    def test_committed_vectors_equal_a_fresh_ethers_run(self):
        script, args, name = KINDS[KIND]
        p = subprocess.run(["node", os.path.join(ethers_dir(), script), *args], capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        path = os.path.join(VECTORS_DIR, name)
        with open(path, encoding="utf-8") as f:
            committed = f.read()
        fresh = p.stdout
        if committed != fresh:
            a, b = json.loads(committed), json.loads(fresh)
            changed = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            self.fail(f"{path} differs from a fresh run of {script} in: {', '.join(changed)}")


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in KINDS:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(KINDS)}")
    KIND = sys.argv.pop(1)
    unittest.main()
