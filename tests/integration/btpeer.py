"""A minimal BitTorrent peer that speaks seedd's receipt extension, for adversarial tests.

It does just what the tests need: the BEP 3 handshake with the BEP 10 bit, the extended
handshake (with or without the `seedd` dictionary), interested/request/piece, and hand-made
receipt messages signed with tests/tools/receipt_tool."""
import os
import socket
import struct
import subprocess
import time

from harness import bdecode, bencode  # noqa: F401 (tests use btpeer.bencode)

RECEIPT_TOOL = os.environ.get("RECEIPT_TOOL", "build/tests/receipt_tool")
BLOCK = 16 * 1024
OUR_EXT_ID = 7  # what we advertise for seedd_receipt (any id works for the receiving side)


def torrent_facts(torrent_bytes):
    """(v1 info-hash hex, piece length, total size) of a .torrent."""
    import hashlib
    meta, _ = bdecode(torrent_bytes)
    # Re-encoding the decoded info dict reproduces its bytes (keys were sorted in the file).
    info = meta[b"info"]
    ih = hashlib.sha1(bencode(info)).hexdigest()
    size = info.get(b"length") or sum(f[b"length"] for f in info.get(b"files", []))
    return ih, info[b"piece length"], size


# ---- keys and signatures ------------------------------------------------------------------
def new_key():
    return os.urandom(32).hex()


def address_of(key):
    return subprocess.run([RECEIPT_TOOL, "address", key], capture_output=True, text=True, check=True).stdout.strip()


def sign_receipt(key, chain, pool, infohash_hex, seeder, channel, nbytes, ts):
    out = subprocess.run([RECEIPT_TOOL, "sign", key, str(chain), pool, infohash_hex, seeder, str(channel),
                          str(nbytes), str(ts)], capture_output=True, text=True, check=True).stdout.strip()
    return bytes.fromhex(out[2:])


def to_address(raw20):
    return "0x" + raw20.hex()


class Peer:
    """One connection to a seeder."""

    def __init__(self, port, infohash_hex, key=None, speak_seedd=True, ri=1 << 20, address=None, seedd_extra=None):
        """`address` (0x hex) stands in for the key's address where no receipt is signed;
        `seedd_extra` adds keys to the handshake's `seedd` dictionary (a `pass`, say)."""
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.infohash = bytes.fromhex(infohash_hex)
        self.infohash_hex = infohash_hex
        self.key = key
        self.address = address_of(key) if key else address
        self.choked = True
        self.received = 0
        self.remote_ext = {}
        self.remote_seedd = None
        self.remote_reqq = None
        self.buf = b""
        reserved = bytearray(8)
        reserved[5] |= 0x10  # BEP 10
        self.sock.sendall(b"\x13BitTorrent protocol" + bytes(reserved) + self.infohash + b"-PY0001-" + os.urandom(12))
        hs = self._read_exact(68)
        assert hs[28:48] == self.infohash, "the seeder answered for another torrent"
        ext = {"m": {"seedd_receipt": OUR_EXT_ID} if speak_seedd else {}, "v": "btpeer"}
        if speak_seedd:
            ext["seedd"] = {"v": 1, "addr": bytes.fromhex(self.address[2:]), "chain": 31337,
                            "pool": bytes(20), "ri": ri, **(seedd_extra or {})}
        self.send_msg(20, b"\x00" + bencode(ext))

    # -- wire
    def _read_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("the seeder closed the connection")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send_msg(self, msg_id, payload=b""):
        self.sock.sendall(struct.pack(">IB", len(payload) + 1, msg_id) + payload)

    def read_msg(self):
        n = struct.unpack(">I", self._read_exact(4))[0]
        if n == 0:
            return None, b""
        body = self._read_exact(n)
        msg_id, payload = body[0], body[1:]
        if msg_id == 0:
            self.choked = True
        elif msg_id == 1:
            self.choked = False
        elif msg_id == 7:
            self.received += len(payload) - 8
        elif msg_id == 20 and payload[:1] == b"\x00":
            d, _ = bdecode(payload[1:])
            self.remote_ext = {k.decode(): v for k, v in d.get(b"m", {}).items()}
            self.remote_seedd = d.get(b"seedd")
            self.remote_reqq = d.get(b"reqq")
        return msg_id, payload

    def pump(self, seconds):
        """Reads messages for up to `seconds`; returns False early if the seeder closed the
        connection, True otherwise."""
        deadline = time.time() + seconds
        self.sock.settimeout(0.2)
        try:
            while time.time() < deadline:
                try:
                    self.read_msg()
                except socket.timeout:
                    pass
                except (ConnectionError, OSError):
                    return False
        finally:
            self.sock.settimeout(10)
        return True

    def wait_handshake(self, timeout=10):
        deadline = time.time() + timeout
        while self.remote_seedd is None and time.time() < deadline:
            self.pump(0.3)
        assert self.remote_seedd is not None, "no seedd dictionary in the seeder's handshake"
        self.seeder_address = to_address(self.remote_seedd[b"addr"])
        self.chain = self.remote_seedd[b"chain"]
        self.pool = to_address(self.remote_seedd[b"pool"])

    def interested(self):
        self.send_msg(2)

    def request_range(self, piece_length, total_size, start_block, count):
        for b in range(start_block, start_block + count):
            offset = b * BLOCK
            if offset >= total_size:
                break
            piece, begin = divmod(offset, piece_length)
            length = min(BLOCK, total_size - offset, piece_length - begin)
            self.send_msg(6, struct.pack(">III", piece, begin, length))

    def download(self, nbytes, piece_length, total_size, timeout=30):
        """Requests and reads blocks until `nbytes` more arrived (or choked/timeout)."""
        goal = self.received + nbytes
        next_block = self.received // BLOCK
        deadline = time.time() + timeout
        self.sock.settimeout(0.5)
        try:
            while self.received < goal and time.time() < deadline:
                if not self.choked and (next_block * BLOCK) < min(goal, total_size) and \
                        next_block * BLOCK - self.received < 64 * BLOCK:
                    self.request_range(piece_length, total_size, next_block, 16)
                    next_block += 16
                try:
                    msg_id, _ = self.read_msg()
                    if msg_id == 0:  # choked: pending requests are dropped
                        next_block = self.received // BLOCK
                except socket.timeout:
                    pass
        finally:
            self.sock.settimeout(10)
        return self.received

    def send_receipt_raw(self, payload):
        ext_id = self.remote_ext.get("seedd_receipt")
        assert ext_id, "the seeder did not advertise seedd_receipt"
        self.send_msg(20, bytes([ext_id]) + payload)

    def send_receipt(self, channel, nbytes, ts=None, key=None, signature=None, seeder=None):
        ts = int(time.time()) if ts is None else ts
        sig = signature if signature is not None else sign_receipt(
            key or self.key, self.chain, self.pool, self.infohash_hex, seeder or self.seeder_address,
            channel, nbytes, ts)
        self.send_receipt_raw(bencode({"ch": struct.pack(">Q", channel), "b": nbytes, "ts": ts, "sig": sig}))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
