"""A small Markdown-to-HTML converter for the subset the lab's own writers emit (bench summary.md):
headings, paragraphs, bullet lists, pipe tables, fenced code, **bold**, `code` and bare URLs.

Everything is HTML-escaped first, so text from results can never inject markup into a report page.
"""

from __future__ import annotations

import re
from html import escape

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")
_URL = re.compile(r"(https?://[^\s<>()]+[^\s<>().,;:])")


def inline(text: str) -> str:
    out = escape(text, quote=False)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _URL.sub(r'<a href="\1">\1</a>', out)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _table(rows: list[str]) -> str:
    head, body = _cells(rows[0]), [_cells(r) for r in rows[2:]]
    th = "".join(f"<th>{inline(c)}</th>" for c in head)
    trs = "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in r) + "</tr>" for r in body)
    return f"<table class='data'><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"


def _is_rule(line: str) -> bool:
    return set(line.strip()) <= set("|-: ")


def to_html(text: str) -> str:
    """Convert block by block; unknown constructs fall back to escaped paragraphs (never lost)."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            out.append("<pre>" + escape("\n".join(lines[i + 1 : j])) + "</pre>")
            i = j + 1
        elif m := re.match(r"(#{1,4})\s+(.*)", line):
            level = min(len(m.group(1)) + 1, 5)  # the page owns <h1>
            out.append(f"<h{level}>{inline(m.group(2))}</h{level}>")
            i += 1
        elif line.lstrip().startswith("|") and i + 1 < len(lines) and _is_rule(lines[i + 1]):
            j = i
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                j += 1
            out.append(_table(lines[i:j]))
            i = j
        elif re.match(r"\s*[-*]\s", line):
            items: list[str] = []
            while i < len(lines) and lines[i].strip():
                if re.match(r"\s*[-*]\s", lines[i]):
                    items.append(re.sub(r"^\s*[-*]\s", "", lines[i]))
                else:  # a wrapped continuation of the previous item
                    items[-1] += " " + lines[i].strip()
                i += 1
            out.append("<ul>" + "".join(f"<li>{inline(t)}</li>" for t in items) + "</ul>")
        else:
            j = i
            while j < len(lines) and lines[j].strip() and not re.match(r"(#|```|\s*[-*]\s|\s*\|)", lines[j]):
                j += 1
            j = max(j, i + 1)
            out.append("<p>" + inline(" ".join(s.strip() for s in lines[i:j])) + "</p>")
            i = j
    return "\n".join(out)
