"""The tamperer: rewrite a command or a reply in flight, by rule, and journal each rewrite.

Rewriting needs whole frames, but mitmproxy hands over whatever recv() returned: each direction is
reassembled, complete frames are forwarded (rewritten or not) and an incomplete tail is held back until
the rest arrives.
Whether the client really received the forged value is decided on the client's side (outcome.py), not here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from lab.mitm.conversation import Conversation
from lab.mitm.journal import Journal
from lab.resp_reader import text

TAMPER_OPTION = "tlslab_tamper"


@dataclass(frozen=True)
class TamperRule:
    """direction "reply": the reply to `command` [on `key`] becomes the bulk string `replacement`.
    direction "command": the last argument of `command` [on `key`] becomes `replacement` (SET k v -> k x)."""

    command: str
    replacement: str
    key: str | None = None
    direction: Literal["reply", "command"] = "reply"

    def matches(self, argv: tuple[str, ...] | None) -> bool:
        if not argv or argv[0].upper() != self.command.upper():
            return False
        return self.key is None or (len(argv) > 1 and argv[1] == self.key)


def rules_to_option(rules: Sequence[TamperRule]) -> str:
    return json.dumps([asdict(r) for r in rules])


def rules_from_option(value: str) -> tuple[TamperRule, ...]:
    return tuple(TamperRule(**r) for r in json.loads(value)) if value else ()


def bulk(value: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(value), value)


def command(argv: Sequence[bytes]) -> bytes:
    return b"*%d\r\n" % len(argv) + b"".join(bulk(a) for a in argv)


class Tamper:
    """mitmproxy addon. Runs after the spy, so the spy journals what the real peers sent."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.rules: tuple[TamperRule, ...] = ()
        self._talks: dict[str, Conversation] = {}

    def load(self, loader: Any) -> None:
        loader.add_option(TAMPER_OPTION, str, "", "JSON list of TamperRule objects (lab.mitm.tamper).")

    def configure(self, updated: set[str]) -> None:
        from mitmproxy import ctx

        if TAMPER_OPTION in updated:
            self.rules = rules_from_option(getattr(ctx.options, TAMPER_OPTION))

    def tcp_message(self, flow: Any) -> None:
        if not self.rules:
            return
        conn_id = flow.client_conn.id
        talk = self._talks.setdefault(conn_id, Conversation())
        message = flow.messages[-1]
        out = []
        if message.from_client:
            for argv, frame in talk.from_client(message.content):
                rule = next((r for r in self.rules if r.direction == "command" and r.matches(argv)), None)
                if rule is None or argv is None or len(argv) < 2:
                    out.append(frame.raw)
                    continue
                assert isinstance(frame.value, list)
                forged = [*frame.value[:-1], rule.replacement.encode()]
                out.append(command(forged))  # type: ignore[arg-type]
                self.journal.emit("tamper.applied", conn_id, direction="command", argv=list(argv),
                                  original=argv[-1], replacement=rule.replacement)
        else:
            for answers, frame in talk.from_server(message.content):
                rule = next((r for r in self.rules if r.direction == "reply" and r.matches(answers)), None)
                if rule is None:
                    out.append(frame.raw)
                    continue
                out.append(bulk(rule.replacement.encode()))
                self.journal.emit("tamper.applied", conn_id, direction="reply", argv=list(answers or ()),
                                  original=text(frame.value), replacement=rule.replacement)
        # Only whole frames leave; a partial tail waits in the Conversation for its next chunk.
        message.content = b"".join(out)

    def client_disconnected(self, client: Any) -> None:
        self._talks.pop(client.id, None)
