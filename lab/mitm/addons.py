"""The script mitmdump loads (`-s lab/mitm/addons.py`): journal, then watch, spy and tamper, in that order.

Order matters: the spy reads each message before the tamperer rewrites it, so the journal holds what the real
client and server sent, and the tamper events say what was forged.
"""

from __future__ import annotations

from lab.mitm.journal import Journal
from lab.mitm.spy import Spy
from lab.mitm.tamper import Tamper
from lab.mitm.watch import Watch

_journal = Journal()
addons = [_journal, Watch(_journal), Spy(_journal), Tamper(_journal)]
