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
