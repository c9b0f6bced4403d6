"""A page-vs-JSON checker: every badge, count and hop label a page shows is compared with the result JSON
it was rendered from. Each function returns the list of disagreements (empty: the page says only what the
JSON says), so a test shows all of them at once.
"""

from __future__ import annotations

import html
import re
from typing import Any

from lab.report import views

JsonDict = dict[str, Any]


def _case_sections(page: str) -> dict[str, str]:
    """The HTML of each `Case <name>` section, up to the next case or the fix."""
    parts = re.split(r"<h2>Case <code>([^<]+)</code></h2>", page)
    out = {}
    for i in range(1, len(parts), 2):
        out[html.unescape(parts[i])] = parts[i + 1].split("<h2>The fix</h2>")[0]
    return out


def _frames(frames: list[int]) -> str:
    return ", ".join(str(f) for f in frames[:12])


def scenario_page(page: str, data: JsonDict) -> list[str]:
    bad: list[str] = []
    sections = _case_sections(page)
    text = html.unescape(page)
    for e in data.get("expectations", ()):
        if html.unescape(views.short(e.get("expected"))) not in text:
            bad.append(f"expectation {e.get('expected')!r} is not on the page")
    bad += _not_judged(page, data)
    for case in data.get("cases", ()):
        name = case["name"]
        sec = sections.get(name)
        if sec is None:
            bad.append(f"case {name}: no section")
            continue
        capture = case.get("capture") or {}
        exposures = capture.get("exposures") or []
        clear = [x for x in exposures if x.get("frames")]
        keylog = [x for x in exposures if not x.get("frames") and x.get("decrypted_frames")]
        badges = sec.count('class="exposure clear"')
        if badges != len(clear):
            bad.append(f"case {name}: {badges} 'in clear' badges, {len(clear)} exposures with frames")
        for x in clear:
            if f"readable without any key in frame(s) {_frames(x['frames'])}" not in sec:
                bad.append(f"case {name}: {x['label']} in clear without its frames {x['frames']}")
        if sec.count('class="exposure keylog"') != len(keylog):
            bad.append(f"case {name}: key-log-only badges do not match the JSON ({len(keylog)})")
        for x in keylog:
            if f"readable only with the key log, frame(s) {_frames(x['decrypted_frames'])}" not in sec:
                bad.append(f"case {name}: {x['label']} not shown as readable with the key log only")
        if capture and ('class="exposure none"' in sec) == bool(clear):
            bad.append(f"case {name}: 'nothing in clear' shown={not clear and 'no'} against the JSON")
        for x in exposures:
            for e in x.get("excerpts") or ():
                view = "decrypted with the key log" if e["decrypted"] else "as sent, no key needed"
                if f"<li>frame {e['frame']} ({view})" not in sec:
                    bad.append(f"case {name}: no bytes shown for {x['label']} in frame {e['frame']}")
            cited = {e["frame"] for e in x.get("excerpts") or ()}
            if (x.get("frames") or x.get("decrypted_frames")) and not cited:
                bad.append(f"case {name}: {x['label']} cites frames but no bytes were recorded")
        bad += _disk(name, sec, case, views.about_disk(data))
        attacker = (case.get("observations") or {}).get("attacker")
        clients = case.get("clients") or []
        if isinstance(attacker, dict):
            refused = [c["name"] for c in clients if not c.get("connected")]
            m = re.search(r'class="refused-clients">(\d+) of (\d+)', sec)
            if m is None or (int(m.group(1)), int(m.group(2))) != (len(refused), len(clients)):
                bad.append(f"case {name}: refusal count {m and m.groups()} != "
                           f"{len(refused)} of {len(clients)}")
            servers = {int(p) for p in (case.get("ports") or {}).values()}
            for st in capture.get("streams") or ():
                port = int(st["server_port"])
                want = views.stream_label(port, servers, True)
                if html.escape(want) not in sec and want not in sec:
                    bad.append(f"case {name}: stream to {port} not labelled {want!r}")
            if clients and "posing as the server" not in sec:
                bad.append(f"case {name}: clients shown dialling the server, not the attacker")
            if " → server port" in sec:
                bad.append(f"case {name}: a client of an attacked case is shown dialling the server port")
    return bad


def _verdict_rows(page: str) -> int:
    """Rows of the expected-and-observed table (each ends in a ✔ or ✘ cell)."""
    table = page.split('id="expectations"', 1)[-1].split("</table>", 1)[0]
    return len(re.findall(r'<td class="(?:ok|bad)">[✔✘]</td></tr>', table))


def _not_judged(page: str, data: JsonDict) -> list[str]:
    """Expectations for the other target are listed as not judged, with what this target holds, and never
    among the verdict rows."""
    bad = []
    others = data.get("not_judged") or []
    rows = re.findall(r'<tr class="not-judged">(.*?)</tr>', page, re.S)
    if len(rows) != len(others):
        bad.append(f"{len(rows)} not-judged rows, {len(others)} in the JSON")
    if _verdict_rows(page) != len(data.get("expectations", ())):
        judged = len(data.get("expectations", ()))
        bad.append(f"{_verdict_rows(page)} verdict rows, {judged} judged in the JSON")
    for e, row in zip(others, rows, strict=False):
        cells = html.unescape(row)
        for want in (str(e.get("target")), views.short(e.get("expected")), views.short(e.get("observed"))):
            if html.unescape(want) not in cells:
                bad.append(f"not-judged row {e.get('expected')!r}: {want!r} missing")
    if others and f"Not judged on {data.get('target')}:" not in page:
        bad.append("expectations for the other target, but no 'Not judged on <target>' statement")
    return bad


def _disk(name: str, sec: str, case: JsonDict, shown: bool) -> list[str]:
    """One row per file the server left (when the scenario judges its disk), each with the mode, the
    readers, the secrets and the key state of the JSON; no 'no RDB' line when there is one."""
    bad = []
    files = case.get("disk") or [] if shown else []
    rows = re.findall(r'<tr class="disk-file">(.*?)</tr>', sec, re.S)
    if len(rows) != len(files):
        return [f"case {name}: {len(rows)} disk rows, {len(files)} files in the JSON"]
    for f, row in zip(files, rows, strict=True):
        cells = html.unescape(row)
        readers = ", ".join(f["readable_by"]) or "no one"
        wants = (f"<code>{f['name']}</code>", f"<code>{f['mode']}</code> · {readers}",
                 f"<td>{f['kind']}</td>")
        for want in wants:
            if want not in cells:
                bad.append(f"case {name}: file {f['name']}: {want!r} missing")
        badges = re.findall(r'<span class="badge sev-high">([^<]+)</span>', cells)
        want_badges = [*f["secrets"], *(["unencrypted private key"] if f.get("encrypted") is False else [])]
        if badges != want_badges:
            bad.append(f"case {name}: file {f['name']} shows {badges}, the JSON {want_badges}")
        if (f.get("encrypted") is True) != ('<span class="badge v-met">encrypted private key' in cells):
            bad.append(f"case {name}: file {f['name']}: key encryption shown against the JSON")
    has_rdb = any(f["kind"] == "rdb" for f in files)
    if files and ("disk-no-rdb" in sec) == has_rdb:
        bad.append(f"case {name}: 'no RDB' line shown={not has_rdb} though the JSON has rdb={has_rdb}")
    return bad


def matrix_page(page: str, data: JsonDict) -> list[str]:
    bad: list[str] = []
    wins = want_leaked = 0
    for case in data.get("cases", ()):
        obs = case.get("observations") or {}
        cells, leaked = obs.get("cells") or {}, set(obs.get("leaked") or ())
        wins += sum(1 for cid, v in cells.items() if v == "compromised" or cid in leaked)
        want_leaked += sum(1 for cid, v in cells.items() if v != "compromised" and cid in leaked)
    shown_leaked = page.count('class="m-leaked')
    if shown_leaked != want_leaked:
        bad.append(f"{shown_leaked} cells shown as a leaked password, {want_leaked} in the JSON")
    m = re.search(r"<strong>(\d+) won by the attacker</strong>", page)
    if m is None or int(m.group(1)) != wins:
        bad.append(f"attacker wins shown {m and m.group(1)}, JSON has {wins} (compromised + leaked)")
    return bad


def index_page(page: str, scenarios: list[JsonDict]) -> list[str]:
    text = html.unescape(page)
    bad = []
    for s in scenarios:
        for e in s.get("expectations", ()):
            if views.short(e.get("expected"), views.INDEX_TEXT) not in text:
                bad.append(f"{s['name']}: expectation {e.get('expected')!r} missing from the index")
    return bad
