"""Issue 19 item 13: when the BitTorrent port is taken libtorrent listens on the next free one
(6881 -> 6882), which port forwards do not reach. seedd says so: a warning in the log and in
node.info's warnings, and node.info shows listen_port_requested beside listen_port; so does
session.port_test, with the UPnP/NAT-PMP mappings libtorrent reported."""
import socket
import unittest

from harness import DaemonTestCase, free_port


class ListenPort(DaemonTestCase):
    def test_a_taken_port_is_a_warning(self):
        port = free_port()
        with socket.socket() as taken:
            taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
            taken.bind(("127.0.0.1", port))
            taken.listen()
            d = self.daemon("taken", f"--listen=127.0.0.1:{port}")
            info = d.call("node.info")
        self.assertEqual(info["listen_port_requested"], port)
        self.assertNotEqual(info["listen_port"], port)
        self.assertGreater(info["listen_port"], 0)
        warning = [w for w in info["warnings"] if "was taken" in w]
        self.assertEqual(len(warning), 1, info["warnings"])
        self.assertIn(f"BitTorrent port {port} was taken: listening on {info['listen_port']} instead", warning[0])
        log = d.read_log()
        self.assertRegex(log, rf"warn\w*\s+engine\s+BitTorrent port {port} was taken")
        # session.port_test says the same, with the port mappers' state (off in the tests: they
        # would talk to the gateway).
        test = d.call("session.port_test")
        self.assertEqual(test["listen_port"], info["listen_port"])
        self.assertEqual(test["listen_port_requested"], port)
        self.assertIs(test["port_moved"], True)
        self.assertIn(warning[0], test["warnings"])
        self.assertIs(test["upnp"], False)
        self.assertIs(test["natpmp"], False)
        self.assertEqual(test["mappings"], [])
        self.assertTrue(any("UPnP and NAT-PMP are off" in w for w in test["warnings"]), test)

    def test_the_port_asked_for_is_no_warning(self):
        d = self.daemon("free")
        info = d.call("node.info")
        self.assertEqual(info["listen_port"], d.bt_port)
        self.assertEqual(info["listen_port_requested"], d.bt_port)
        self.assertFalse([w for w in info["warnings"] if "was taken" in w])
        self.assertNotIn("was taken", d.read_log())
        test = d.call("session.port_test")
        self.assertIs(test["port_moved"], False)
        self.assertEqual(test["listen_port"], d.bt_port)

    def test_port_zero_asks_for_none(self):
        d = self.daemon("any", "--listen=127.0.0.1:0")
        info = d.call("node.info")
        self.assertIsNone(info["listen_port_requested"])
        self.assertGreater(info["listen_port"], 0)
        self.assertFalse([w for w in info["warnings"] if "was taken" in w])


if __name__ == "__main__":
    unittest.main()
