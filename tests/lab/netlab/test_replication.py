"""replication-in-clear on redis-server 7.0: the switch reads the link; with tls-replication it does not."""

from __future__ import annotations

from pathlib import Path

from lab.netlab.replication import AFTER_SYNC, BEFORE_SYNC, MASTERAUTH, MASTERUSER, run_replication


def test_without_tls_replication_the_switch_reads_auth_the_full_sync_and_every_write(
        redis_host: None, tmp_path: Path) -> None:
    result = run_replication(tmp_path, tls_replication=False)
    assert result.replicated and all(w.ok for w in result.writes)
    assert [s.label for s in result.streams].count("client→primary") == 2
    assert all(s.transport == "tls" for s in result.streams if s.label == "client→primary")
    ev = result.evidence
    assert ev.link is not None and ev.link.label == "replica→primary" and ev.link.transport == "plaintext"
    assert [line.args for line in ev.auth] == [("AUTH", MASTERUSER, MASTERAUTH)]
    assert len(ev.snapshot) == 1 and ev.snapshot[0].text.startswith("(RDB snapshot, ")
    assert ("SET", *AFTER_SYNC) in [line.args for line in ev.replicated_writes]
    password, before, after = ev.exposures
    assert password.frames == (ev.auth[0].first_frame,)
    assert before.frames and before.frames[0] == ev.snapshot[0].first_frame  # inside the snapshot
    assert after.frames == (ev.replicated_writes[-1].first_frame,)
    assert result.config.replica[-1] == ("tls-replication", "no")
    assert ev.readable


def test_the_fix_tls_replication_yes_leaves_the_same_observer_nothing(redis_host: None,
                                                                      tmp_path: Path) -> None:
    result = run_replication(tmp_path, tls_replication=True)
    assert result.replicated  # replication still works, so "nothing seen" is not "nothing sent"
    ev = result.evidence
    assert ev.link is not None and ev.link.transport == "tls"
    assert ev.auth == ev.snapshot == ev.replicated_writes == ()
    assert all(e.frames == () for e in ev.exposures)
    assert not ev.readable
    assert ("port", "0") in result.config.primary and ("tls-replication", "yes") in result.config.replica
    # the clients' own sessions are decryptable with the lab's key log: the values went over TLS
    assert ev.exposures[1].decrypted_frames and ev.exposures[2].decrypted_frames
    assert BEFORE_SYNC[0] != AFTER_SYNC[0]
