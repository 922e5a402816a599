"""The traffic simulator: customers writing in to a hub, and answering its replies.

New conversations arrive by email, chat and web form at ``rate`` per minute (Poisson),
each posted to the hub's inbound webhook signed with the channel's secret, exactly as
a mail provider or a chat widget would. The simulator also serves the channels'
``outbound_url``: a delivered public reply (its signature checked) may get a customer
answer threaded onto the ticket (email: In-Reply-To the reply's Message-ID; chat: the
same conversation id), and a reply that solved the ticket may get a CSAT/NPS answer.

It runs as its own process (``python -m agentdesk.demo.traffic CONFIG``, started by
``agentdesk demo``) so the TUI never waits on it; the hub being briefly unreachable
is logged and the simulator carries on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx

from agentdesk.demo.traffic_text import Answer, CustomerVoice, Opening, Reaction, Story
from agentdesk.domain.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    signed_headers,
    verify,
)

log = logging.getLogger("agentdesk.traffic")

#: Webhook -> the channel row whose secret signs it (a web form's tickets are 'web').
SECRET_OF: Final = {"email": "email", "chat": "chat", "form": "web", "survey": "survey"}
#: Path prefix of the receiver: deliveries of channel C are POSTed to /outbound/C.
OUTBOUND_PATH: Final = "/outbound/"
REQUEST_TIMEOUT: Final = 10.0


@dataclass(frozen=True, slots=True)
class TrafficConfig:
    """Where to post, how to sign, how busy, and where deliveries come back to."""

    hub_url: str
    secrets: dict[str, str]
    rate: float = 6.0
    seed: int = 7
    host: str = "127.0.0.1"
    port: int = 0
    #: Reaction delays are multiplied by this (tests answer in milliseconds, not seconds).
    pace: float = 1.0

    @classmethod
    def load(cls, path: Path) -> TrafficConfig:
        """Read the JSON file ``agentdesk demo`` writes (mode 0600: it holds the secrets)."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            hub_url=str(data["hub_url"]),
            secrets={str(k): str(v) for k, v in data["secrets"].items()},
            rate=float(data.get("rate", 6.0)),
            seed=int(data.get("seed", 7)),
            host=str(data.get("host", "127.0.0.1")),
            port=int(data.get("port", 0)),
            pace=float(data.get("pace", 1.0)),
        )

    def outbound_url(self, channel: str) -> str:
        """Where the hub should deliver replies of ``channel``."""
        return f"http://{self.host}:{self.port}{OUTBOUND_PATH}{channel}"


@dataclass(slots=True)
class Conversation:
    """What the simulator remembers of a ticket it opened, to answer in kind."""

    channel: str
    name: str
    email: str
    subject: str
    story: Story
    chat_id: str | None = None


@dataclass(slots=True)
class Tally:
    """What happened, for the log and the tests."""

    sent: int = 0
    accepted: int = 0
    refused: int = 0
    failed: int = 0
    deliveries: int = 0
    tickets: set[str] = field(default_factory=set)


class TrafficSimulator:
    """Posts signed customer traffic to a hub and reacts to the replies it delivers."""

    def __init__(self, config: TrafficConfig, client: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self.voice = CustomerVoice(config.seed)
        self.tally = Tally()
        self.conversations: dict[str, Conversation] = {}
        self._client = client or httpx.AsyncClient(timeout=REQUEST_TIMEOUT)
        # Message-IDs and chat ids must differ between runs of the same seed, or the hub
        # would take a restarted demo's mail for repeats of the last run's.
        self._run = f"{int(time.time() * 1000):x}"
        self._count = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = asyncio.Event()

    # -- posting --------------------------------------------------------------------------

    async def post(self, webhook: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """POST one signed webhook; the hub's answer on 2xx, else ``None`` (logged)."""
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        secret = self.config.secrets[SECRET_OF[webhook]]
        headers = signed_headers(secret, int(time.time()), body)
        headers["Content-Type"] = "application/json"
        url = f"{self.config.hub_url.rstrip('/')}/v1/inbound/{webhook}"
        self.tally.sent += 1
        try:
            response = await self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            self.tally.failed += 1
            log.warning("%s: hub unreachable (%s)", webhook, exc)
            return None
        if not response.is_success:
            self.tally.refused += 1
            log.warning("%s refused: %s %s", webhook, response.status_code, response.text[:200])
            return None
        self.tally.accepted += 1
        answer: dict[str, Any] = response.json()
        if isinstance(answer.get("ticket_id"), str):
            self.tally.tickets.add(answer["ticket_id"])
        return answer

    def _next_id(self) -> str:
        self._count += 1
        return f"{self._run}.{self._count}"

    async def open_conversation(self, opening: Opening) -> str | None:
        """A customer writing in; returns the ticket id the hub made (or threaded onto)."""
        who = opening.customer
        chat_id: str | None = None
        if opening.channel == "email":
            domain = who.email.rsplit("@", 1)[-1]
            payload: dict[str, Any] = {
                "from": f"{who.name} <{who.email}>",
                "to": "support@nimbus.example",
                "subject": opening.subject,
                "text": opening.text,
                "message_id": f"<{self._next_id()}@{domain}>",
                "in_reply_to": None,
            }
        elif opening.channel == "chat":
            chat_id = f"c{self._next_id()}"
            payload = {
                "conversation_id": chat_id,
                "from": {"name": who.name, "email": who.email},
                "text": opening.text,
            }
        else:
            payload = {
                "name": who.name,
                "email": who.email,
                "subject": opening.subject,
                "text": opening.text,
                "priority": opening.priority,
            }
        answer = await self.post(opening.channel, payload)
        if answer is None:
            return None
        ticket_id = str(answer["ticket_id"])
        log.info(
            "%s from %s: #%s %s", opening.channel, who.email, answer.get("number"), opening.subject
        )
        self.conversations[ticket_id] = Conversation(
            opening.channel, who.name, who.email, opening.subject, opening.story, chat_id
        )
        if chat_id is not None:
            nudge = self.voice.chat_nudge(chat_id)
            if nudge is not None:
                self._later(nudge.delay, self._chat(chat_id, who.name, who.email, nudge.text))
        return ticket_id

    def _chat(self, chat_id: str, name: str, email: str, text: str) -> Awaitable[object]:
        payload = {"conversation_id": chat_id, "from": {"name": name, "email": email}, "text": text}
        return self.post("chat", payload)

    # -- reacting to deliveries -----------------------------------------------------------

    def on_delivery(self, delivery: dict[str, Any]) -> None:
        """A public reply reached the customer: schedule how they react to it."""
        self.tally.deliveries += 1
        ticket = delivery.get("ticket") or {}
        message = delivery.get("message") or {}
        ticket_id, message_id = str(ticket.get("id", "")), str(message.get("id", ""))
        if not ticket_id or not message_id:
            return
        known = self.conversations.get(ticket_id)
        solved = ticket.get("status") in ("solved", "closed")
        reactions = self.voice.react(message_id, solved, known.story if known else None)
        log.info("reply delivered on #%s: %d reaction(s)", ticket.get("number"), len(reactions))
        for reaction in reactions:
            self._later(reaction.delay, self._react(reaction, delivery, known))

    async def _react(
        self, reaction: Reaction, delivery: dict[str, Any], known: Conversation | None
    ) -> None:
        ticket, message = delivery["ticket"], delivery["message"]
        if not isinstance(reaction, Answer):
            await self.post(
                "survey",
                {
                    "ticket": ticket["id"],
                    "kind": reaction.kind,
                    "score": reaction.score,
                    "comment": reaction.comment,
                },
            )
            return
        to = delivery.get("to") or {}
        name, email = str(to.get("name") or ""), str(to.get("email") or "")
        if known is not None and known.chat_id is not None:
            await self._chat(known.chat_id, known.name, known.email, reaction.text)
            return
        # Email (and web-form customers, who answer the mail they got) thread by Message-ID.
        domain = email.rsplit("@", 1)[-1] or "mail.example"
        await self.post(
            "email",
            {
                "from": f"{name} <{email}>",
                "to": "support@nimbus.example",
                "subject": f"Re: {ticket.get('subject', '')}",
                "text": reaction.text,
                "message_id": f"<{self._next_id()}@{domain}>",
                "in_reply_to": message.get("message_id"),
            },
        )

    def _later(self, delay: float, action: Awaitable[object]) -> None:
        """Run ``action`` after ``delay`` seconds (times the pace), unless stopped first."""

        async def wait_then_run() -> None:
            await asyncio.sleep(delay * self.config.pace)
            await action

        task = asyncio.ensure_future(wait_then_run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- the receiver (the channels' outbound_url) ----------------------------------------

    async def receive(self, channel: str, headers: dict[str, str], body: bytes) -> int:
        """Judge one delivery POST: its HTTP status (401 if the signature is wrong)."""
        secret = self.config.secrets.get(channel)
        if secret is None:
            return 404
        try:
            verify(
                secret,
                headers.get(TIMESTAMP_HEADER.lower()),
                headers.get(SIGNATURE_HEADER.lower()),
                body,
                now=time.time(),
            )
            payload = json.loads(body)
        except (SignatureError, ValueError) as exc:
            log.warning("delivery refused: %s", exc)
            return 401 if isinstance(exc, SignatureError) else 400
        if isinstance(payload, dict):
            self.on_delivery(payload)
        return 200

    async def asgi(
        self,
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[dict[str, Any]]],
        send: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        """A minimal ASGI app: ``POST /outbound/<channel>`` -> :meth:`receive`."""
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            event = await receive()
            body += event.get("body", b"")
            more = bool(event.get("more_body"))
        path: str = scope["path"]
        status = 404
        if scope["method"] == "POST" and path.startswith(OUTBOUND_PATH):
            raw: list[tuple[bytes, bytes]] = scope["headers"]
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw}
            status = await self.receive(path[len(OUTBOUND_PATH) :], headers, body)
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    # -- running ---------------------------------------------------------------------------

    async def arrivals(self) -> None:
        """New conversations at the configured rate until stopped."""
        while not self._stopped.is_set():
            try:
                await asyncio.wait_for(self._stopped.wait(), self.voice.gap(self.config.rate))
            except TimeoutError:
                await self.open_conversation(self.voice.opening())

    async def run(self) -> None:
        """Serve deliveries (if a port is set) and post arrivals until :meth:`stop`."""
        import uvicorn  # noqa: PLC0415 - only the simulator process serves

        server: uvicorn.Server | None = None
        serving: asyncio.Task[None] | None = None
        if self.config.port:
            server = uvicorn.Server(
                uvicorn.Config(
                    self.asgi,
                    host=self.config.host,
                    port=self.config.port,
                    log_level="warning",
                    lifespan="off",
                    interface="asgi3",
                )
            )
            serving = asyncio.ensure_future(server.serve())
            # uvicorn takes SIGTERM/SIGINT while it serves: its stopping stops us too.
            serving.add_done_callback(lambda _: self.stop())
        try:
            if self.config.rate > 0:
                await self.arrivals()
            else:
                await self._stopped.wait()
        finally:
            for task in list(self._tasks):
                task.cancel()
            if server is not None and serving is not None:
                server.should_exit = True
                await serving
            await self._client.aclose()

    def stop(self) -> None:
        """End :meth:`run` (call on the simulator's loop)."""
        self._stopped.set()


def main(argv: list[str] | None = None) -> None:
    """``python -m agentdesk.demo.traffic CONFIG.json``: run until SIGTERM/SIGINT."""
    import signal  # noqa: PLC0415
    import sys  # noqa: PLC0415

    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise
    simulator_config = TrafficConfig.load(Path(args[0]))

    async def serve() -> None:
        simulator = TrafficSimulator(simulator_config)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, simulator.stop)
        await simulator.run()
        log.info("stopped: %s", simulator.tally)

    asyncio.run(serve())


if __name__ == "__main__":
    main()
