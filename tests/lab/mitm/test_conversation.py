from __future__ import annotations

from lab.mitm.conversation import Conversation


def test_replies_pair_with_pipelined_commands_across_chunks() -> None:
    talk = Conversation()
    sent = talk.from_client(b"*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r")
    sent += talk.from_client(b"\nb\r\n")
    assert [argv for argv, _ in sent] == [("GET", "a"), ("GET", "b")]
    got = talk.from_server(b"$2\r\nv")
    got += talk.from_server(b"a\r\n>2\r\n$7\r\nmessage\r\n$1\r\nx\r\n$2\r\nvb\r\n")
    assert [(answers, frame.value) for answers, frame in got] == [
        (("GET", "a"), b"va"), (None, [b"message", b"x"]), (("GET", "b"), b"vb"),
    ]
