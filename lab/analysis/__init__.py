"""What a capture shows about Redis and TLS: streams, TLS metadata, RESP transcripts, secrets, findings.

report = analyze(Path("run.pcapng"), keylog=Path("run.keylog"), ports=[6380], secrets=["s3cret"])
report.streams / report.exposures / report.findings / report.to_dict()
"""

from lab.analysis.analyze import analyze
from lab.analysis.model import (
    CaptureReport,
    CertInfo,
    CheckResult,
    Endpoint,
    Finding,
    ReadStats,
    RecordSize,
    RespLine,
    SecretExposure,
    StreamInfo,
)

__all__ = [
    "CaptureReport",
    "CertInfo",
    "CheckResult",
    "Endpoint",
    "Finding",
    "ReadStats",
    "RecordSize",
    "RespLine",
    "SecretExposure",
    "StreamInfo",
    "analyze",
]
