"""lab.analysis.pcapread: pcap and pcapng as real tools write them, truncation, subsets tshark reads."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lab.analysis.pcapread import PcapngSubset, ReadState, read_packets
from lab.errors import UserError
from tests.conftest import require_tool
from tests.lab.analysis.conftest import LabCapture


def read_all(path: Path) -> tuple[list[bytes], ReadState]:
    state = ReadState()
    return [p.data for p in read_packets(path, state)], state


@pytest.mark.parametrize("fmt", ["pcap", "pcapng", "nsecpcap"])
def test_same_packets_in_every_format(lab_capture: LabCapture, tmp_path: Path, fmt: str) -> None:
    editcap = require_tool("editcap")
    converted = tmp_path / f"x.{fmt}"
    subprocess.run([editcap, "-F", fmt, str(lab_capture.pcap), str(converted)], check=True, timeout=60)
    original, _ = read_all(lab_capture.pcap)
    again, state = read_all(converted)
    assert again == original and state.packets == len(original) and not state.truncated
    assert state.linktypes == {0: 1}  # Ethernet, as dumpcap writes loopback


def test_truncated_tail_is_reported_not_raised(lab_capture: LabCapture, tmp_path: Path) -> None:
    data = lab_capture.pcap.read_bytes()
    cut = tmp_path / "cut.pcapng"
    cut.write_bytes(data[: len(data) // 2])
    packets, state = read_all(cut)
    assert state.truncated and "cut short" in state.message
    tshark = require_tool("tshark")  # the oracle: what Wireshark's reader gets from the same cut file
    done = subprocess.run(
        [tshark, "-r", str(cut), "-T", "fields", "-e", "frame.number"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert len(packets) == len(done.stdout.split()) == state.packets > 0


def test_not_a_capture(tmp_path: Path) -> None:
    junk = tmp_path / "junk"
    junk.write_bytes(b"GIF89a" + b"\0" * 100)
    with pytest.raises(UserError, match="not a capture file"):
        read_all(junk)


def test_subset_is_a_capture_tshark_reads_with_frame_map(lab_capture: LabCapture, tmp_path: Path) -> None:
    state = ReadState()
    out = tmp_path / "subset.pcapng"
    with out.open("wb") as fh:
        subset = PcapngSubset(fh, state.linktypes)
        for packet in read_packets(lab_capture.pcap, state):
            if packet.frame % 3 == 0:
                subset.write(packet)
    tshark = require_tool("tshark")
    done = subprocess.run(
        [tshark, "-r", str(out), "-T", "fields", "-e", "frame.len"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert len(done.stdout.split()) == len(subset.frames) and subset.frames[:3] == [3, 6, 9]
