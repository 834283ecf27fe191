"""Issue 20: the guards seedd puts in front of libtorrent 2.0.8's remote bugs.

1. The remote null dereference through the v2-upgrade bit (libtorrent
issue 8692). A raw peer plays the sequence that crashed seedd (SIGSEGV, 4 of 4 tries before the
guard): it connects in to a magnet that has no metadata yet, sets reserved[7] & 0x10 in a
plaintext handshake, advertises ut_metadata and hands over v1-only metadata. seedd must stay up,
and a peer that connects without the bit must still get the metadata across.

Also here: the outgoing variant (seedd connects to the peer, which answers with the bit) and a
hybrid magnet (v1 and v2 hashes), which must not crash either.

2. ALLOWED_FAST without a bound: 2.0.8 keeps every ALLOWED_FAST message a peer sends in a
per-connection list (duplicates too) while the torrent lacks metadata or the piece (fixed upstream
in 2.1.3). seedd disconnects a peer past kMaxAllowedFastPerConnection (256)."""
import hashlib
import os
import socket
import struct
import threading
import time
import unittest

from harness import DaemonTestCase, bdecode, bencode

PROTOCOL = b"\x13BitTorrent protocol"
# The BEP 10 bit (reserved[5] 0x10), the fast extension (reserved[7] 0x04) and, with the bit,
# the v2-upgrade bit (reserved[7] 0x10): 00 00 00 00 00 10 00 14, as in the report.
RESERVED_V2 = bytes([0, 0, 0, 0, 0, 0x10, 0, 0x14])
RESERVED_V1 = bytes([0, 0, 0, 0, 0, 0x10, 0, 0x04])
OUR_UT_METADATA = 3
METADATA_BLOCK = 16 * 1024


def v1_info(name="v1.bin", length=300_000, piece_length=32768):
    """A v1-only info dict (bencoded) with random piece hashes: nobody has to have the data."""
    pieces = (length + piece_length - 1) // piece_length
    info = {"name": name, "length": length, "piece length": piece_length, "pieces": os.urandom(20 * pieces)}
    return bencode(info)


def hybrid_info(tmpdir):
    """A v1+v2 info dict made by python3-libtorrent from a real file (v2 needs real hashes)."""
    import libtorrent as lt
    path = os.path.join(tmpdir, "hybrid.bin")
    with open(path, "wb") as f:
        f.write(os.urandom(200_000))
    fs = lt.file_storage()
    lt.add_files(fs, path)
    ct = lt.create_torrent(fs)  # 2.0: v1+v2 by default
    lt.set_piece_hashes(ct, tmpdir)
    meta = ct.generate()
    info = lt.bencode(meta[b"info"])
    assert b"file tree" in info and b"pieces" in info, "python3-libtorrent did not make a hybrid"
    return info


class RawPeer:
    """Just enough BitTorrent to hand over metadata: handshake, BEP 10, ut_metadata (BEP 9)."""

    def __init__(self, sock, info_bytes, reserved):
        self.sock = sock
        self.info = info_bytes
        self.reserved = reserved
        self.buf = b""
        self.remote_ut_metadata = None
        self.pieces_served = 0
        self.closed_by_seedd = False
        self.remote_handshake = None

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send_msg(self, msg_id, payload=b""):
        self.sock.sendall(struct.pack(">IB", len(payload) + 1, msg_id) + payload)

    def send_handshake(self):
        ih = hashlib.sha1(self.info).digest()
        self.sock.sendall(PROTOCOL + self.reserved + ih + b"-PY0001-" + os.urandom(12))

    def read_handshake(self):
        self.remote_handshake = self._read(68)
        assert self.remote_handshake[:20] == PROTOCOL, "not a plaintext BitTorrent handshake"

    def send_extended_handshake(self):
        self.send_msg(20, b"\x00" + bencode({"m": {"ut_metadata": OUR_UT_METADATA}, "metadata_size": len(self.info),
                                              "v": "raw-peer"}))

    def serve(self, seconds):
        """Answers metadata requests until `seconds` pass or seedd closes the connection."""
        deadline = time.time() + seconds
        self.sock.settimeout(0.2)
        while time.time() < deadline:
            try:
                n = struct.unpack(">I", self._read(4))[0]
                if n == 0:
                    continue
                body = self._read(n)
            except socket.timeout:
                continue
            except (ConnectionError, OSError):
                self.closed_by_seedd = True
                return
            msg_id, payload = body[0], body[1:]
            if msg_id != 20 or not payload:
                continue
            if payload[0] == 0:
                d, _ = bdecode(payload[1:])
                self.remote_ut_metadata = d.get(b"m", {}).get(b"ut_metadata")
            elif payload[0] == OUR_UT_METADATA and self.remote_ut_metadata:
                req, _ = bdecode(payload[1:])
                if req.get(b"msg_type") != 0:
                    continue
                piece = req[b"piece"]
                block = self.info[piece * METADATA_BLOCK:(piece + 1) * METADATA_BLOCK]
                head = bencode({"msg_type": 1, "piece": piece, "total_size": len(self.info)})
                self.send_msg(20, bytes([self.remote_ut_metadata]) + head + block)
                self.pieces_served += 1


class V2UpgradeBit(DaemonTestCase):
    def start_seedd(self):
        # Default encryption (enabled): plaintext incoming connections are accepted.
        return self.daemon("seedd")

    def assert_alive(self, d, what):
        time.sleep(1.5)  # the crash came within 0.5 s of the metadata
        self.assertIsNone(d.proc.poll(), f"seedd died ({what}): exit {d.proc.returncode}\n{d.read_log()}")
        d.call("node.info")

    def wait_metadata(self, d, ih):
        d.wait_for(lambda: d.torrent(ih)["state"] != "downloading_metadata", timeout=20, what="metadata")

    def connect_in(self, d, info, reserved, seconds=4):
        peer = RawPeer(socket.create_connection(("127.0.0.1", d.bt_port), timeout=10), info, reserved)
        try:
            peer.send_handshake()
            peer.read_handshake()
            peer.send_extended_handshake()
            peer.serve(seconds)
        except (ConnectionError, OSError):
            peer.closed_by_seedd = True
        finally:
            peer.sock.close()
        return peer

    def test_incoming_v2_bit_on_a_v1_magnet_does_not_crash_and_honest_peers_still_serve(self):
        d = self.start_seedd()
        info = v1_info()
        ih = hashlib.sha1(info).hexdigest()
        d.call("torrent.add", magnet=f"magnet:?xt=urn:btih:{ih}")
        attacker = self.connect_in(d, info, RESERVED_V2)
        self.assert_alive(d, "incoming v2 bit, v1 magnet")
        # The guard refused the peer before the extended handshake: no metadata left it.
        self.assertEqual(attacker.pieces_served, 0)
        self.assertTrue(attacker.closed_by_seedd)
        self.assertEqual(d.torrent(ih)["state"], "downloading_metadata")
        self.assertIn("libtorrent issue 8692", d.read_log())
        _, _, metrics = d.request("GET", "/metrics", headers={"Authorization": d.auth_header()})
        self.assertIn(b'seedd_peer_guard_refusals_total{reason="v2_bit_without_metadata"} 1', metrics)
        # The same peer without the bit is served as usual and the metadata arrives.
        honest = self.connect_in(d, info, RESERVED_V1, seconds=6)
        self.assertGreater(honest.pieces_served, 0)
        self.wait_metadata(d, ih)
        self.assert_alive(d, "after metadata from an honest peer")

    def test_repeated_attempts_keep_seedd_up(self):
        d = self.start_seedd()
        info = v1_info(name="again.bin")
        ih = hashlib.sha1(info).hexdigest()
        d.call("torrent.add", magnet=f"magnet:?xt=urn:btih:{ih}")
        for _ in range(4):
            self.connect_in(d, info, RESERVED_V2, seconds=1)
        self.assert_alive(d, "four attempts")

    def test_hybrid_magnet_with_v2_bit_does_not_crash(self):
        d = self.start_seedd()
        info = hybrid_info(d.base)
        v1 = hashlib.sha1(info).hexdigest()
        v2 = hashlib.sha256(info).hexdigest()
        d.call("torrent.add", magnet=f"magnet:?xt=urn:btih:{v1}&xt=urn:btmh:1220{v2}")
        attacker = self.connect_in(d, info, RESERVED_V2)
        self.assert_alive(d, "incoming v2 bit, hybrid magnet")
        # With the guard the bit is refused here too (no metadata yet); 2.0.8 alone took the
        # metadata from that peer and survived, since a hybrid has v2 hashes.
        if d.torrent(v1)["state"] == "downloading_metadata":
            self.assertEqual(attacker.pieces_served, 0)
            honest = self.connect_in(d, info, RESERVED_V1, seconds=6)
            self.assertGreater(honest.pieces_served, 0)
        self.wait_metadata(d, v1)
        self.assert_alive(d, "hybrid metadata from an honest peer")

    def test_outgoing_connection_answered_with_v2_bit_does_not_crash(self):
        d = self.start_seedd()
        info = v1_info(name="outgoing.bin")
        ih = hashlib.sha1(info).hexdigest()
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener.settimeout(20)
        port = listener.getsockname()[1]
        served = []

        def accept_loop():
            # seedd may try an encrypted handshake first (encryption = enabled); drop it and
            # take the plaintext retry.
            deadline = time.time() + 20
            while time.time() < deadline and not served:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                peer = RawPeer(conn, info, RESERVED_V2)
                try:
                    conn.settimeout(10)
                    peer.read_handshake()
                except (AssertionError, ConnectionError, OSError):
                    conn.close()
                    continue
                try:
                    peer.send_handshake()
                    peer.send_extended_handshake()
                    peer.serve(6)
                finally:
                    conn.close()
                served.append(peer)

        t = threading.Thread(target=accept_loop, daemon=True)
        t.start()
        d.call("torrent.add", magnet=f"magnet:?xt=urn:btih:{ih}&x.pe=127.0.0.1:{port}")
        t.join(30)
        listener.close()
        self.assertTrue(served, "seedd never made a plaintext connection to the peer")
        self.assertGreater(served[0].pieces_served, 0, "seedd did not ask the outgoing peer for metadata")
        self.assert_alive(d, "outgoing connection, peer set the v2 bit")
        self.wait_metadata(d, ih)


class AllowedFastFlood(DaemonTestCase):
    def test_a_peer_flooding_allowed_fast_is_disconnected(self):
        d = self.daemon("seedd")
        info = v1_info(name="fast.bin")
        ih = hashlib.sha1(info).hexdigest()
        d.call("torrent.add", magnet=f"magnet:?xt=urn:btih:{ih}")
        peer = RawPeer(socket.create_connection(("127.0.0.1", d.bt_port), timeout=10), info, RESERVED_V1)
        peer.send_handshake()
        peer.read_handshake()
        # A handful, as clients send, is fine: the connection stays.
        for i in range(10):
            peer.send_msg(0x11, struct.pack(">I", i))
        peer.serve(1.5)
        self.assertFalse(peer.closed_by_seedd, "seedd closed a peer that sent 10 ALLOWED_FAST messages")
        # 20,000 more (the same index again and again: 2.0.8 stored each one).
        batch = struct.pack(">IBI", 5, 0x11, 7) * 1000
        try:
            for _ in range(20):
                peer.sock.sendall(batch)
        except OSError:
            pass  # closed while we were still sending
        peer.serve(5)
        peer.sock.close()
        self.assertTrue(peer.closed_by_seedd, "seedd kept a peer that sent 20,010 ALLOWED_FAST messages")
        self.assertIsNone(d.proc.poll())
        _, _, metrics = d.request("GET", "/metrics", headers={"Authorization": d.auth_header()})
        self.assertIn(b'seedd_peer_guard_refusals_total{reason="allowed_fast_flood"} 1', metrics)


if __name__ == "__main__":
    unittest.main(verbosity=2)
