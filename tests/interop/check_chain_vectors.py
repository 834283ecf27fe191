"""tests/vectors/chain.json must be what tests/interop/ethers/chain_vectors.mjs makes today: the
C++ unit tests ([chain]) reproduce that file, and this rerun of ethers.js keeps the file from
drifting away from ethers (a hand edit, a changed script that was not rerun).

Installs the pinned npm packages the way the claim tests do (claimkit.ethers_dir: `npm ci` from
the committed lockfile, cached per lockfile hash). To refresh the file after changing the script:
    node chain_vectors.mjs > tests/vectors/chain.json   (in that installed directory)
"""
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from claimkit import SOURCE_DIR, ethers_dir  # noqa: E402

VECTORS = os.path.join(SOURCE_DIR, "tests", "vectors", "chain.json")


class ChainVectorsTest(unittest.TestCase):
    def test_committed_vectors_equal_a_fresh_ethers_run(self):
        d = ethers_dir()
        p = subprocess.run(["node", os.path.join(d, "chain_vectors.mjs")], capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(VECTORS, encoding="utf-8") as f:
            committed = f.read()
        fresh = p.stdout
        if committed != fresh:
            a, b = json.loads(committed), json.loads(fresh)
            changed = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            self.fail(f"{VECTORS} differs from a fresh run of chain_vectors.mjs in: {', '.join(changed)}")


if __name__ == "__main__":
    unittest.main()
