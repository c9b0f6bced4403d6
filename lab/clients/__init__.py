"""Lab clients: redis-py and redis-cli sessions with a chosen TLS posture; the outcome is data."""

from lab.clients.model import ClientOutcome, ClientSpec, ErrorKind, ErrorReply, Posture
from lab.clients.session import DEFAULT_COMMANDS, run_session

__all__ = [
    "DEFAULT_COMMANDS", "ClientOutcome", "ClientSpec", "ErrorKind", "ErrorReply", "Posture", "run_session",
]
