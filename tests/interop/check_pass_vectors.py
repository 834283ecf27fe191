"""tests/vectors/pass.json must be what tests/interop/ethers/pass_vectors.mjs makes today from
tests/vectors/eip712.json's domain and keys: the C++ unit tests ([passes]) and the contract tests
(contracts/test/vectors.test.js) reproduce that file, and this rerun of ethers.js keeps it from
drifting away from ethers (a hand edit, a changed script that was not rerun).

To refresh the file after changing the script (in the installed directory, claimkit.ethers_dir):
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

VECTORS = os.path.join(SOURCE_DIR, "tests", "vectors", "pass.json")
BASE = os.path.join(SOURCE_DIR, "tests", "vectors", "eip712.json")


class PassVectorsTest(unittest.TestCase):
    def test_committed_vectors_equal_a_fresh_ethers_run(self):
        d = ethers_dir()
        p = subprocess.run(["node", os.path.join(d, "pass_vectors.mjs"), BASE], capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(VECTORS, encoding="utf-8") as f:
            committed = f.read()
        fresh = p.stdout
        if committed != fresh:
            a, b = json.loads(committed), json.loads(fresh)
            changed = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            self.fail(f"{VECTORS} differs from a fresh run of pass_vectors.mjs in: {', '.join(changed)}")


if __name__ == "__main__":
    unittest.main()
