"""Every reply text lives in server/texts.py: no error reply is spelled inline anywhere else in server/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from server import texts

SERVER = Path(__file__).resolve().parents[3] / "server"
TEXTS_MODULE = SERVER / "texts.py"
# The calls that turn a text into an error reply the client reads.
REPLY_CALLS = frozenset(
    {"CommandError", "ErrorReply", "ConfigSetError", "error_bytes", "AclRuleError", "AuthError"}
)


def _is_inline_text(node: ast.expr) -> bool:
    """A literal, an f-string, or a text built from one with `+`, `%` or `.format`."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_inline_text(node.left) or _is_inline_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _is_inline_text(node.func.value)
    return False


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def inline_reply_texts(source: str, filename: str) -> list[str]:
    """`file:line: Call(...)` for every reply call in `source` whose argument is an inline text."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Call) and _call_name(node) in REPLY_CALLS:
            args = [*node.args, *(k.value for k in node.keywords)]
            if any(_is_inline_text(a) for a in args):
                found.append(f"{filename}:{node.lineno}: {ast.get_source_segment(source, node)}")
    return found


def test_no_reply_text_outside_the_texts_module() -> None:
    sources = sorted(p for p in SERVER.rglob("*.py") if p != TEXTS_MODULE)
    assert len(sources) > 40, "the walk must see the whole server package"
    offenders = [
        hit for p in sources for hit in inline_reply_texts(p.read_text(), str(p.relative_to(SERVER)))
    ]
    assert offenders == [], "reply texts belong in server/texts.py:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    "snippet",
    [
        'raise CommandError("ERR syntax error")',
        "raise CommandError(f\"ERR unknown '{name}'\")",
        'return resp.ErrorReply("ERR Target replied: " + text)',
        'raise CommandError("ERR bad {}".format(x))',
        'out.append(resp.error_bytes("ERR Protocol error: " + detail))',
        'raise ConfigSetError(message=f"ERR {name}")',
    ],
)
def test_the_check_catches_inline_texts(snippet: str) -> None:
    assert inline_reply_texts(snippet, "x.py") != []


@pytest.mark.parametrize(
    "snippet",
    [
        "raise CommandError(SYNTAX)",
        "raise CommandError(texts.unknown_subcommand_or_arity(name, 'ACL'))",
        "return resp.ErrorReply(e.message)",
        "raise CommandError(str(e))",
    ],
)
def test_the_check_accepts_texts_from_the_module(snippet: str) -> None:
    assert inline_reply_texts(snippet, "x.py") == []


def test_texts_are_redis_error_replies() -> None:
    """A reply text starts with an upper-case error code, as clients split it (`ERR`, `WRONGTYPE` ...)."""
    fixed = {k: v for k, v in vars(texts).items() if k.isupper() and not k.startswith("_")}
    # *_REASON_* texts are the detail a reply template wraps (e.g. acl_setuser_error), not replies.
    reasons = {k for k in fixed if "_REASON_" in k}
    assert len(reasons) == 12
    fixed = {k: v for k, v in fixed.items() if k not in reasons}
    assert len(fixed) > 90
    for name, value in fixed.items():
        code = value.split(" ", 1)[0]
        assert code.isupper() and code.isalpha(), name
        assert "\r" not in value and "\n" not in value, name
    assert texts.unknown_subcommand_or_arity("x", "CLIENT") == (
        "ERR unknown subcommand or wrong number of arguments for 'x'. Try CLIENT HELP."
    )
