"""Issue 19 item 5: `seedctl list` (and the tables of peers, files, trackers) measure a name in
terminal columns: a CJK character takes two, an accented letter one, and a long name is cut
between characters, so the columns after it stay where the header puts them."""
import os
import unicodedata
import unittest

from harness import DaemonTestCase, make_file


def columns(text):
    """Terminal columns of `text` (East Asian wide and fullwidth: 2, combining marks: 0)."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


class WideNames(DaemonTestCase):
    def test_list_columns_stay_in_place(self):
        d = self.daemon("wide")
        names = ["日本語のとても長いファイル名です.bin",  # wide, cut
                 "été_à_la_plage_très_très_long_name.bin",  # two-byte letters, cut
                 "短い.bin",                                # wide, not cut
                 "plain.bin"]
        hashes = {}
        for i, n in enumerate(names):
            make_file(os.path.join(d.download_dir, n), 50_000 + i, seed=i + 1)
            hashes[d.call("torrent.create", path=n)["info_hash"][:8]] = n
        d.wait_for(lambda: all(t["state"] == "seeding" for t in d.call("torrent.list")["torrents"]),
                   timeout=20, what="seeding")
        out = d.seedctl("list").stdout
        lines = out.rstrip("\n").split("\n")
        header = lines[0]
        state_col = columns(header[:header.index("STATE")])
        self.assertEqual(len(lines), 1 + len(names))
        for line in lines[1:]:
            # The text decoded: a cut in the middle of a character would have left bytes that
            # are not UTF-8 and seedctl's stdout would not decode (subprocess text=True).
            self.assertNotIn("\ufffd", line)
            h = line[:8]
            full = hashes[h]
            name_cell = line[10:line.index("seeding")].rstrip()
            self.assertEqual(columns(line[:line.index("seeding")]), state_col, f"{line!r}")
            self.assertLessEqual(columns(name_cell), 26)
            if columns(full) <= 26:
                self.assertEqual(name_cell, full)
            else:
                self.assertTrue(name_cell.endswith("~"), name_cell)
                self.assertTrue(full.startswith(name_cell[:-1]), name_cell)
                self.assertGreaterEqual(columns(name_cell), 25)
        self.assertIn("短い.bin", out)

    def test_files_table_by_columns(self):
        d = self.daemon("wide-files")
        os.makedirs(os.path.join(d.download_dir, "束"))
        for i, n in enumerate(["中文名字.bin", "x.bin"]):
            make_file(os.path.join(d.download_dir, "束", n), 20_000 + i, seed=i + 7)
        ih = d.call("torrent.create", path="束")["info_hash"]
        lines = d.seedctl("files", ih[:8]).stdout.rstrip("\n").split("\n")
        header = lines[0]
        path_col = columns(header[:header.index("PATH")])
        next_col = columns(header[:header.index(header[header.index("PATH"):].split()[1])])
        self.assertEqual(len(lines), 3)
        for line in lines[1:]:
            path = next(p for p in ("束/中文名字.bin", "束/x.bin") if p in line)
            self.assertEqual(columns(line[:line.index(path)]), path_col, f"{line!r}")
            after = line[line.index(path) + len(path):]
            self.assertEqual(columns(line[:line.index(path)] + path + after[:len(after) - len(after.lstrip())]),
                             next_col, f"{line!r}")


if __name__ == "__main__":
    unittest.main()
