"""Issue 19, item 2: the peer id a real peer sees from seedd starts with "-SE" and seedd's
version, and libtorrent's identify_client (what qBittorrent and Deluge show) names no other
client for it. Until then seedd sent "-SD0010-", Xunlei/Thunder's code."""
import base64
import tempfile
import unittest

import vanilla
from harness import DaemonTestCase

try:
    import libtorrent as lt
except ImportError:
    lt = None


def version_chars(version):
    """"0.1.0" -> "010", one character per part (0-9, then A-Z), as seedd encodes it."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "".join(digits[int(p)] if p.isdigit() and int(p) < 36 else "0" for p in (version.split(".") + ["0"] * 3)[:3])


@unittest.skipIf(lt is None, "python3-libtorrent is missing (Debian's /usr/bin/python3 has it)")
class PeerId(DaemonTestCase):
    def test_a_libtorrent_peer_sees_the_se_prefix_and_no_other_client(self):
        seeder = self.daemon("seeder")
        made, _ = self.seed(seeder, 3 * 1024 * 1024, seed=7)
        version = seeder.call("node.info")["version"]
        peer = vanilla.LtPeer(base64.b64decode(made["torrent"]), tempfile.mkdtemp(prefix="seedd-pid-"))
        self.addCleanup(peer.stop)
        # Slowly, so the connection is still there to be looked at (a finished download closes it).
        peer.handle.set_download_limit(256 * 1024)
        peer.connect(seeder.bt_port)

        def seedd_peer():
            for p in peer.handle.get_peer_info():
                if tuple(p.ip) == ("127.0.0.1", seeder.bt_port) and any(p.pid.to_bytes()):
                    return p
            return None

        p = seeder.wait_for(seedd_peer, timeout=30, what="the libtorrent peer to see seedd")
        pid = p.pid.to_bytes()
        self.assertEqual(pid[:8], f"-SE{version_chars(version)}0-".encode(), pid)
        name = lt.identify_client(p.pid)
        self.assertEqual(name, f"SE {'.'.join(str(int(c, 36)) for c in version_chars(version))}", name)
        for other in ("Xunlei", "Thunder"):
            self.assertNotIn(other, name)
        # After the extended handshake the client name is seedd's own "v".
        def named_by_handshake():
            p = seedd_peer()
            client = p.client if p else b""
            return (client.decode(errors="replace") if isinstance(client, bytes) else client).startswith("seedd/")

        seeder.wait_for(named_by_handshake, timeout=15, what="the extended handshake's client name")
        seeder.wait_for(peer.is_seeding, timeout=60, interval=0.5, what="the download")


if __name__ == "__main__":
    unittest.main(verbosity=2)
