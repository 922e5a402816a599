"""One way to surface a failed worker: a notification, never a traceback.

Textual's ``Worker.StateChanged`` does not bubble, so every node that runs
workers mixes this in, as its *last* base: Textual inherits default CSS only
through the first base class.
"""

from __future__ import annotations

from textual.dom import DOMNode
from textual.worker import Worker, WorkerState


class NotifyWorkerErrors(DOMNode):
    """Turn a worker that ended in error into an error notification."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.app.notify(
                str(event.worker.error),
                title="Something went wrong",
                severity="error",
                markup=False,
            )
