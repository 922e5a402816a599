"""``python -m agentdesk.demo.worker``: makes demo rows for a parent process.

Reads a pickled plan on stdin, writes pickled batches on stdout (see
:func:`agentdesk.demo.produce.work`); it is not meant to be run by hand.
"""

from __future__ import annotations

import sys

from agentdesk.demo.produce import work

if __name__ == "__main__":
    sys.exit(work(sys.stdin.buffer, sys.stdout.buffer))
