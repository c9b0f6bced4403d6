"""The bench summary's Markdown subset becomes HTML, and nothing in it can inject markup."""

from __future__ import annotations

from lab.report.markdown import inline, to_html


def test_blocks_of_a_summary() -> None:
    text = "\n".join([
        "# TLS overhead report", "", "Intro line one", "continues here.", "",
        "- **bold** item with `code`", "  wrapped on the next line", "- second", "",
        "| target | ops/s |", "|---|---|", "| bundled | 1,234 |", "", "```", "raw <b>", "```",
    ])
    html = to_html(text)
    assert "<h2>TLS overhead report</h2>" in html
    assert "<p>Intro line one continues here.</p>" in html
    assert "<li><strong>bold</strong> item with <code>code</code> wrapped on the next line</li>" in html
    assert "<th>target</th>" in html and "<td>1,234</td>" in html
    assert "<pre>raw &lt;b&gt;</pre>" in html


def test_markup_in_results_is_escaped_and_urls_become_links() -> None:
    assert inline("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    out = inline("Source: https://github.com/redis/redis/issues/7595.")
    assert '<a href="https://github.com/redis/redis/issues/7595">' in out and out.endswith("</a>.")
