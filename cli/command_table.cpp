// seedctl's command table: what each command is called, how --help shows it, what runs it,
// what bash completes for it, and docs/seedctl.md's examples and notes on it.
#include "cli/command_table.hpp"

#include <sstream>

namespace seedd::cli {
namespace {

using A = std::vector<std::string>;
using C = SeedctlClient;

constexpr std::string_view kUsageHead = R"(usage: seedctl [options] COMMAND [key=value ...]

Commands (HASH: a 40-hex info-hash, or a prefix of one such as the 8 characters list shows):
)";

constexpr std::string_view kUsageTail = R"(Options:
  --rpc=URL          the daemon's RPC endpoint (default $SEEDD_RPC_URL or http://127.0.0.1:8421/rpc)
  --data-dir=DIR     where to find the cookie (default $SEEDD_DATA_DIR, $STATE_DIRECTORY or
                     ~/.local/share/seedd)
  --user=U --password=P   an rpc_auth user instead of the cookie
  --json             print raw JSON results (also for list, claim and verify-claim)
  --timeout-ms=N     give up on a daemon that has not answered in N ms (default 30000)
  -h, --help         this text

Exit codes: 0 ok, 1 the daemon answered with an error (verify-claim: the claim is invalid),
2 usage (verify-claim: a file cannot be read), 3 no connection, refused, or timed out.
)";

// --help's columns: a synopsis of up to this many characters has its description beside it.
constexpr size_t kSynopsisBesideMax = 23;
constexpr size_t kDescriptionColumn = 27;

}  // namespace

const std::vector<Command>& command_table() {
  static const std::vector<Command> table = {
    {.name = "add",
     .forms = {{{"add MAGNET|FILE.torrent [--paused] [--save-path=DIR] [--peer=IP:PORT ...]", "add --torrent-base64=B64 | --remote-path=PATH   (a .torrent on the daemon's side)"},
       "add a torrent; prints its info-hash (\"already present\" when it was)"}},
     .run = cmd_add,
     .options = {"--paused", "--save-path=", "--peer=", "--torrent-base64=", "--remote-path="},
     .args = CommandArgs::torrent_file,
     .examples = {{"seedctl add 'magnet:?xt=urn:btih:...'", "or a .torrent file, or --torrent-base64=..."}, {"seedctl add my-file.torrent --peer=192.168.1.20:6881 --paused --save-path=/srv/torrents", ""}}},
    {.name = "create",
     .forms = {{{"create PATH [--v1|--v2|--hybrid] [--tracker=URL ...] [--comment=TEXT] [--out=FILE.torrent]"},
       "make a torrent of a file or directory the daemon can read and seed it;\n"
       "--v1 (default) every client reads, --v2 only libtorrent 2.x clients,\n"
       "--hybrid both hashes (clients that know only v1 mishandle it)"}},
     .run = cmd_create,
     .options = {"--v1", "--v2", "--hybrid", "--tracker=", "--comment=", "--out="},
     .args = CommandArgs::file,
     .examples = {{"seedctl create my-file.iso --out=my-file.torrent", "make a (v1) torrent and seed it"}, {"seedctl create my-dir --v2 --tracker=https://t.example/announce", "--v1 (default), --v2, --hybrid"}},
     .notes = R"md(`create` makes a v1 torrent unless told otherwise: every BitTorrent client reads v1, while
Debian 12's transmission 3.00 cannot open a v2 or hybrid torrent and aria2 1.36 announces a
hybrid under another info-hash (docs/architecture.md). `--v2` makes a BEP 52 torrent for
libtorrent 2.x clients (such as qBittorrent 4.4 and later), `--hybrid` one with both hashes.
`add` and `create` of a torrent that is there already change nothing and print
`already present HASH` (`existed: true` with `--json`). `list --state` takes checking,
downloading_metadata, downloading, finished, seeding, paused, queued, error, missing_data or
unknown; any other value is a usage error.)md"},
    {.name = "list",
     .forms = {{{"list [--state=STATE] [--label=LABEL]"},
       "the torrents as a table (STATE: checking, downloading_metadata,\n"
       "downloading, finished, seeding, paused, queued, error, missing_data)"}},
     .run = cmd_list,
     .options = {"--state=", "--label="},
     .examples = {{"seedctl list", "HASH NAME STATE DONE UP/s UPLOADED"}, {"seedctl list --state=seeding --json", ""}, {"seedctl list --label=tv", "only torrents labelled tv"}}},
    {.name = "info",
     .forms = {{{"info HASH"},
       "one torrent's fields"}},
     .run = [](const C& c, const A& a, bool j) { return cmd_one_torrent(c, "info", a, j); },
     .args = CommandArgs::hash,
     .examples = {{"seedctl info 1f2e3d4c", "one torrent's fields"}}},
    {.name = "pause",
     .forms = {{{"pause HASH"},
       "stop a torrent (it stays, paused)"}},
     .run = [](const C& c, const A& a, bool j) { return cmd_one_torrent(c, "pause", a, j); },
     .args = CommandArgs::hash,
     .examples = {{"seedctl pause 1f2e3d4c", ""}}},
    {.name = "resume",
     .forms = {{{"resume HASH"},
       "start a paused torrent again"}},
     .run = [](const C& c, const A& a, bool j) { return cmd_one_torrent(c, "resume", a, j); },
     .args = CommandArgs::hash,
     .examples = {{"seedctl resume 1f2e3d4c", ""}}},
    {.name = "remove",
     .forms = {{{"remove HASH [--delete-data]"},
       "drop a torrent, and with --delete-data its files"}},
     .run = [](const C& c, const A& a, bool j) { return cmd_one_torrent(c, "remove", a, j); },
     .options = {"--delete-data"},
     .args = CommandArgs::hash,
     .examples = {{"seedctl remove 1f2e3d4c --delete-data", ""}}},
    {.name = "peers",
     .forms = {{{"peers HASH"},
       "the torrent's connected peers: progress, rates, tcp/utp, encryption,\n"
       "direction, client, bytes, seedd address"}},
     .run = [](const C& c, const A& a, bool j) { return cmd_one_torrent(c, "peers", a, j); },
     .args = CommandArgs::hash,
     .examples = {{"seedctl peers 1f2e3d4c", "endpoint, client, progress, up/down rates, tcp/utp,\n"
                   "encrypted, direction, bytes, seedd address"}},
     .notes = R"md(`peers` shows each peer's progress, upload and download rate (bytes per second, protocol
included), the connection (`tcp` or `utp`), whether it is encrypted, its direction (`in`: it
connected to us), the bytes sent, received and receipted, its lane (`pass`: its pass counts,
`receipt`: a seedd peer that signs receipts, `vanilla`: another client), the state of the pass
it showed (`none`, `checking`, `valid`, `expired`, `invalid`) and its seedd address (empty for
other clients). `trackers` shows a tracker's state from the local address that reached it
(`endpoint` with `--json`): an announce libtorrent skipped on a listen socket that cannot reach
the tracker (an IPv6 one for an IPv4 tracker), or a result on an `fe80::` link-local socket, no
longer makes a working tracker look failed. `seedctl session.port_test` says
whether the BitTorrent port moved because the configured one was taken, and what UPnP and
NAT-PMP mapped.)md"},
    {.name = "files",
     .forms = {{{"files HASH"},
       "the torrent's files: index, priority, size, bytes done, path"}},
     .run = [](const C& c, const A& a, bool j) { return cmd_one_torrent(c, "files", a, j); },
     .args = CommandArgs::hash,
     .examples = {{"seedctl files 1f2e3d4c", "index, priority, size, done, path"}}},
    {.name = "trackers",
     .forms = {{{"trackers HASH"},
       "the torrent's trackers with their last result"}},
     .run = [](const C& c, const A& a, bool j) { return cmd_one_torrent(c, "trackers", a, j); },
     .args = CommandArgs::hash,
     .examples = {{"seedctl trackers 1f2e3d4c", "tier, url, last result (of the endpoint that answered)"}}},
    {.name = "recheck",
     .forms = {{{"recheck HASH [--redownload]"},
       "hash the data again; a torrent in missing_data looks for its files\n"
       "(--redownload: fetch what is missing again)"}},
     .run = [](const C& c, const A& a, bool j) { return cmd_one_torrent(c, "recheck", a, j); },
     .options = {"--redownload"},
     .args = CommandArgs::hash,
     .examples = {{"seedctl recheck 1f2e3d4c", "hash the data again (missing_data: look again)"}, {"seedctl recheck 1f2e3d4c --redownload", "missing_data: fetch the data again"}}},
    {.name = "reannounce",
     .forms = {{{"reannounce HASH"},
       "announce to every tracker now"}},
     .run = [](const C& c, const A& a, bool j) { return cmd_one_torrent(c, "reannounce", a, j); },
     .args = CommandArgs::hash,
     .examples = {{"seedctl reannounce 1f2e3d4c", "announce to every tracker now"}}},
    {.name = "set-torrent",
     .forms = {{{"set-torrent HASH KEY=VALUE ..."},
       "change one torrent (torrent.set): label=L (repeat for more),\n"
       "labels=A,B, upload_limit=, download_limit= (bytes/s: 500KiB, 2MiB;\n"
       "0 = none), max_connections=N, seed_ratio_limit=1.5,\n"
       "seed_idle_limit_minutes=N, tracker=URL (repeat; replaces them all),\n"
       "trackers= (none), reward_rate=N|default"}},
     .run = cmd_set_torrent,
     .args = CommandArgs::keys,
     .examples = {{"seedctl set-torrent 1f2e3d4c label=tv upload_limit=2MiB tracker=https://t.example/announce", ""}},
     .notes = R"md(`set-torrent HASH KEY=VALUE ...` changes one torrent through `torrent.set`, all or nothing:
`label=L` (repeat it for more) or `labels=A,B` replace the labels, `tracker=URL` (repeated) or
`trackers=A,B` replace the trackers (`trackers=` removes them all), `upload_limit` and
`download_limit` take bytes per second with an optional suffix (`500K`, `2MiB`; 0 = none), and
`max_connections`, `seed_ratio_limit`, `seed_idle_limit_minutes` and `reward_rate` go as
torrent.set documents them. In the METHOD form, `info_hash=` takes a prefix too.)md"},
    {.name = "export",
     .forms = {{{"export HASH [--out=FILE|-] [--remote-out=PATH]"},
       "the torrent's .torrent file, written to FILE (default HASH.torrent\n"
       "here; - for stdout), or by the daemon to PATH under its directories"}},
     .run = cmd_export,
     .options = {"--out=", "--remote-out="},
     .args = CommandArgs::hash,
     .examples = {{"seedctl export 1f2e3d4c --out=my-file.torrent", "the .torrent (default HASH.torrent; - stdout)"}, {"seedctl export 1f2e3d4c --remote-out=/srv/torrents/x.torrent", "written by the daemon, under its dirs"}}},
    {.name = "move",
     .forms = {{{"move HASH PATH [--no-move-data]"},
       "move the data to PATH (under an allowed directory); --no-move-data:\n"
       "the data is already there"}},
     .run = [](const C& c, const A& a, bool j) { return cmd_one_torrent(c, "move", a, j); },
     .options = {"--no-move-data"},
     .args = CommandArgs::hash_then_dir,
     .examples = {{"seedctl move 1f2e3d4c /srv/torrents/new-place", "move the data (--no-move-data: it is there)"}}},
    {.name = "earnings",
     .forms = {{{"earnings [--by-torrent] [--since=UNIX] [--until=UNIX]"},
       "verified bytes and rewards earned"}},
     .run = cmd_earnings,
     .options = {"--by-torrent", "--since=", "--until="},
     .examples = {{"seedctl earnings", "verified bytes, receipts, amounts"}, {"seedctl earnings --by-torrent --since=1700000000", "--until defaults to now + 3600 (see below)"}},
     .notes = R"md(`earnings` counts from `--since` (default 0, the beginning) up to `--until`, exclusive. When
`--until` is left out the daemon takes now + 3600 s (an hour ahead, not now), so everything
recorded so far is in; the result echoes the `since` and `until` it used.
Claims are written to `<data_dir>/claims/<nonce>.json` (the first is `claims/1.json`).)md"},
    {.name = "watch",
     .forms = {{{"watch [--since=SEQ] [--count=N] [--poll-ms=MS]"},
       "follow the daemon's events (events.poll long poll), one line each\n"
       "(--json: one JSON object a line); --count stops after N events"}},
     .run = cmd_watch,
     .options = {"--since=", "--count=", "--poll-ms="},
     .examples = {{"seedctl watch", "follow events (events.poll long poll)"}, {"seedctl watch --since=0 --json --count=10", ""}},
     .notes = R"md(`watch` prints one line per event: its sequence number, UTC time, name and fields
(`--json`: the event as one JSON object a line). A restart that brought torrents back from
their resume files begins with `session.started torrents=N`, not a `torrent.added` for each. Without `--since` it follows events from now
on; `--since=N` starts after event N. When the daemon's bounded history dropped events it says
so on stderr (re-read the state you follow) and goes on.)md"},
    {.name = "session",
     .forms = {{{"session"},
       "the runtime settings in force (session.get)"}},
     .run = cmd_session,
     .examples = {{"seedctl session", "runtime settings in force (session.get)"}}},
    {.name = "ui",
     .forms = {{{"ui"},
       "print a one-time link that logs a browser in to the web page\n"
       "(/ui/) as the admin; it works once, within 10 minutes"}},
     .run = cmd_ui,
     .examples = {{"seedctl ui", "a one-time link that logs a browser in to /ui/"}}},
    {.name = "set",
     .forms = {{{"set KEY=VALUE ..."},
       "change runtime settings of the running daemon (session.set), e.g.\n"
       "set upload_limit=2MiB dht=false; all or none; not written to seedd.conf"}},
     .run = cmd_set,
     .args = CommandArgs::keys,
     .examples = {{"seedctl set upload_limit=2MiB rate_limit_lan=true", "change them now (session.set), all or none"}, {"seedctl set alt_speed=true alt_upload_limit=100K", "the alternative (\"turtle\") limits now"}, {"seedctl set \"alt_schedule=weekdays 09:00-17:00\"", "and by themselves in that window (local time)"}},
     .notes = R"md(`set KEY=VALUE ...` changes runtime settings of the running daemon through `session.set`:
every value is checked first and a bad one changes nothing (exit code 1, the error names the
key). A value that reads as a number or `true`/`false` is sent as one, anything else as text,
so `upload_limit=2MiB`, `encryption=forced` and `ip_filter=/etc/seedd/blocklist.p2p` all work;
keys may use dashes. The change lasts for the running process only: seedd never writes
seedd.conf, and a restart or a SIGHUP (which re-reads the file) brings back the configured
values. `seedctl session` lists the keys and the values in force. With the alternative limits in force
(`alt_speed_active`: `alt_speed`, or `alt_schedule`'s window), `upload_limit` and
`download_limit` there show `alt_upload_limit` and `alt_download_limit`.)md"},
    {.name = "rpcauth",
     .forms = {{{"rpcauth USER [--scope=read|admin]"},
       "print a new rpc_auth entry and a random password (no daemon needed)"}},
     .run_offline = cmd_rpcauth,
     .options = {"--scope="},
     .examples = {{"seedctl rpcauth alice --scope=read", "a new rpc_auth entry and password"}},
     .notes = R"md(`rpcauth USER [--scope=read|admin]` needs no daemon: it prints a line
`rpc_auth = USER:SALT$HMAC[:read]` for seedd.conf (or `--rpc-auth=`; entries are separated by
commas) and a random password, shown once. HMAC is hex HMAC-SHA256 of the password keyed with
the salt. A `read` user may call only methods that change nothing; anything else gets the
JSON-RPC error "'METHOD' changes state; this user has read scope only".)md"},
    {.name = "methods",
     .forms = {{{"methods"},
       "the methods the daemon offers"}},
     .method = "rpc.discover",
     .print = print_methods,
     .examples = {{"seedctl methods", "the methods the daemon offers"}}},
    {.name = "METHOD",
     .forms = {{{"METHOD [key=value ...]"},
       "call a JSON-RPC method (e.g. node.info, torrent.get info_hash=...)\n"
       "key=value sends a string, or a number/boolean/array when the value\n"
       "is valid JSON; key:=JSON always sends raw JSON; info_hash=HASH\n"
       "takes a prefix as the commands do"}},
     .any_method = true,
     .examples = {{"seedctl torrent.set info_hash=1f2e3d4c 'labels:=[\"tv\"]' upload_limit=1048576", "any method, a prefix too"}, {"seedctl node.info", "any method: METHOD key=value key:=JSON"}}},
    {.name = "claim",
     .forms = {{{"claim [payout=ADDR] [dry_run=true]"},
       "claim every unclaimed receipted byte (rewards.claim) and print the\n"
       "nonce, amount, total bytes, receipts and the claim file's path"}},
     .method = "rewards.claim",
     .print = print_claim,
     .options = {"payout=", "dry_run=true"},
     .args = CommandArgs::options,
     .examples = {{"seedctl claim dry_run=true", "rewards.claim"}}},
    {.name = "settle",
     .forms = {{{"settle [NONCE] [--claim] [--dry-run] [--print-tx]"},
       "settle a claim on the pool's chain (rewards.settle): the latest claim\n"
       "unless NONCE; --claim makes a new claim first; --dry-run simulates and\n"
       "shows each receipt's payout or skip reason; --print-tx prints {to,\n"
       "data} for another wallet to send instead of sending"}},
     .run = cmd_settle,
     .options = {"--claim", "--dry-run", "--print-tx"},
     .examples = {{"seedctl settle --claim", "claim, then settle on the pool (docs/rewards.md)"}, {"seedctl settle 7 --dry-run", "what claim 7 would pay, each receipt's skip reason"}, {"seedctl settle 7 --print-tx", "{to, data} for any wallet to send"}}},
    {.name = "bounties",
     .forms = {{{"bounties [HASH]"},
       "the pool's bounties (bounty.list), and which this node seeds"}},
     .run = cmd_bounties,
     .args = CommandArgs::hash,
     .examples = {{"seedctl bounties", "the pool's bounties; which this node seeds"}}},
    {.name = "fund",
     .forms = {{{"fund HASH --amount=UNITS --rate=UNITS_PER_GIB --expires=UNIX|--days=N", "     [--cap=BYTES] [--pass-signer=ADDR]"},
       "fund a bounty for a torrent from the node account's tokens"}},
     .run = cmd_fund,
     .options = {"--amount=", "--rate=", "--expires=", "--days=", "--cap=", "--pass-signer="},
     .args = CommandArgs::hash,
     .examples = {{"seedctl fund 1f2e3d4c --amount=1000000 --rate=5000 --days=30", "fund a bounty (creators)"}}},
    {.name = "top-up",
     .forms = {{{"top-up BOUNTY_ID --amount=UNITS"},
       "add tokens to a bounty from the node account (bounty.top_up)"}},
     .run = cmd_top_up,
     .options = {"--amount="}},
    {.name = "withdraw",
     .forms = {{{"withdraw BOUNTY_ID"},
       "take the rest of an expired bounty this node funded back\n"
       "(bounty.withdraw)"}},
     .run = cmd_withdraw},
    {.name = "balance",
     .forms = {{{"balance"},
       "the node account on the pool's chain: ETH for gas, tokens (chain.info)"}},
     .run = cmd_balance,
     .examples = {{"seedctl balance", "the node account's ETH and tokens (chain.info)"}}},
    {.name = "pass",
     .forms = {{{"pass issue HASH LEECHER... --expires=UNIX|--days=N"},
       "sign passes for viewers with the node key (pass.issue): one pass\n"
       "document a line, to hand each viewer"},
               {{"pass add FILE|-"},
       "load pass documents for this node as the viewer (pass.add): one, a\n"
       "JSON array, or one a line; shown to seeders in the handshake"},
               {{"pass list [HASH]"},
       "the passes this node holds (pass.list)"}},
     .run = cmd_pass,
     .options = {"--expires=", "--days="},
     .args = CommandArgs::pass,
     .examples = {{"seedctl pass issue 1f2e3d4c 0xViewer1 0xViewer2 --days=30", "creators: one signed pass a line"}, {"seedctl pass add pass.json", "viewers: load a pass (or -: stdin)"}, {"seedctl pass list", "the passes this node holds"}},
     .notes = R"md(`pass issue HASH LEECHER... --expires=UNIX|--days=N` (creators, `pass.issue`) signs a pass
for each viewer's node address with the node key and prints one pass document a line, to hand
each viewer its own. `pass add FILE|-` (viewers, `pass.add`) loads pass documents from a file or
stdin (one, a JSON array, or one a line); a pass that does not recover its signer in this
node's pool domain, names another node or has expired is refused with the reason, exit code 1.
`pass list [HASH]` shows the passes held (docs/rewards.md, Passes).)md"},
    {.name = "verify-claim",
     .forms = {{{"verify-claim FILE [--state STATEFILE] [--chain-id N] [--pool ADDR]"},
       "check a claim file offline, without a daemon (docs/protocol.md 7): prints\n"
       "\"valid\", or every failed rule with its detail. The verifier's domain\n"
       "is chain 31337 and the zero pool unless --chain-id/--pool say\n"
       "otherwise; rule 5 uses STATEFILE, the record of the claimant's\n"
       "earlier claims ({\"last_nonce\": \"N\", \"paid\": [{\"leecher\", \"infohash\",\n"
       "\"channel\", \"bytes\"}]}), or an empty record (next nonce 1)"}},
     .run_offline = cmd_verify_claim,
     .options = {"--state=", "--chain-id=", "--pool="},
     .args = CommandArgs::file,
     .examples = {{"seedctl verify-claim ~/.local/share/seedd/claims/1.json", "offline, docs/protocol.md 7"}}},
  };
  return table;
}

const Command* find_command(std::string_view name) {
  for (const auto& c : command_table())
    if (c.name == name && !c.any_method) return &c;
  return nullptr;
}

std::string usage_text() {
  std::ostringstream out;
  out << kUsageHead;
  for (const auto& c : command_table())
    for (const auto& form : c.forms) {
      for (size_t i = 0; i < form.synopsis.size(); ++i) {
        out << "  " << form.synopsis[i];
        const bool last = i + 1 == form.synopsis.size();
        if (!last || form.synopsis[i].size() > kSynopsisBesideMax) out << "\n";
      }
      std::istringstream lines{std::string(form.description)};
      bool first = true;
      for (std::string line; std::getline(lines, line); first = false) {
        if (first && form.synopsis.back().size() <= kSynopsisBesideMax)
          out << std::string(kDescriptionColumn - 2 - form.synopsis.back().size(), ' ');
        else
          out << std::string(kDescriptionColumn, ' ');
        out << line << "\n";
      }
    }
  out << "\n" << kUsageTail;
  return out.str();
}

std::string_view to_string(CommandArgs args) {
  switch (args) {
    case CommandArgs::none: return "none";
    case CommandArgs::hash: return "hash";
    case CommandArgs::hash_then_dir: return "hash_then_dir";
    case CommandArgs::torrent_file: return "torrent_file";
    case CommandArgs::file: return "file";
    case CommandArgs::options: return "options";
    case CommandArgs::keys: return "keys";
    case CommandArgs::pass: return "pass";
  }
  return "none";
}

std::string completion_table() {
  std::string out;
  for (const auto& c : command_table()) {
    if (c.any_method) continue;
    out += std::string(c.name) + "\t" + std::string(to_string(c.args));
    for (size_t i = 0; i < c.options.size(); ++i) out += (i ? " " : "\t") + std::string(c.options[i]);
    out += "\n";
  }
  return out;
}

}  // namespace seedd::cli
