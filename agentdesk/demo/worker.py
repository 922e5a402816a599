"""``python -m agentdesk.demo.worker``: makes demo rows for a parent process.

Reads a pickled plan on stdin, writes pickled batches on stdout (see
:func:`agentdesk.demo.produce.work`); it is not meant to be run by hand. Ctrl-C is
left to the parent, which stops the worker itself, so an interrupted
``agentdesk demo`` prints one message rather than two tracebacks.
"""

from __future__ import annotations

import signal
import sys

from agentdesk.demo.produce import work

if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(work(sys.stdin.buffer, sys.stdout.buffer))
