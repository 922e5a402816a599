"""What the simulated customers write, and how they react to an agent's answer.

Pure and deterministic: the same seed gives the same stream of new conversations, and a
reaction to a delivered reply is drawn from a generator seeded by (seed, message id), so
it does not depend on when the agent answered. The words are the demo generator's
(:mod:`agentdesk.demo.scenarios`, :mod:`agentdesk.demo.corpus`), so live tickets read
like the ones already in the queue.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Final, Literal

from agentdesk.demo import corpus
from agentdesk.demo.corpus import Scenario
from agentdesk.demo.people import CustomerRow, customers
from agentdesk.demo.sampling import Weighted
from agentdesk.demo.scenarios import SCENARIOS
from agentdesk.demo.tickets import customer_letter

Channel = Literal["email", "chat", "form"]

CHANNELS: Final[Weighted[Channel]] = Weighted([("email", 0.5), ("chat", 0.3), ("form", 0.2)])
_PRIORITIES: Final = Weighted([("low", 0.2), ("normal", 0.57), ("high", 0.19), ("urgent", 0.04)])
_SCENARIOS: Final = Weighted([(s, s.weight) for s in SCENARIOS])
#: Customers writing in: enough that some write twice (their other tickets show).
CUSTOMER_POOL: Final = 400

#: After a public reply to an unsolved ticket: the customer answers (follow-up or thanks).
ANSWER_SHARE: Final = 0.4
THANKS_SHARE: Final = 0.3
#: After a reply that solved the ticket: a survey answer, sometimes a "thanks" (it reopens).
SURVEY_SHARE: Final = 0.45
NPS_SHARE: Final = 0.33
THANKS_AFTER_SOLVE_SHARE: Final = 0.08
#: A chat customer impatient enough to write again before anyone answered.
CHAT_NUDGE_SHARE: Final = 0.1
#: Reaction delays in seconds (demo time is compressed: minutes become seconds).
ANSWER_DELAY: Final = (3.0, 40.0)
SURVEY_DELAY: Final = (5.0, 60.0)
CHAT_NUDGE_DELAY: Final = (20.0, 60.0)

_CSAT: Final = Weighted([(5, 0.48), (4, 0.28), (3, 0.1), (2, 0.07), (1, 0.07)])
_NPS: Final = Weighted([(10, 0.3), (9, 0.2), (8, 0.15), (7, 0.1), (6, 0.07), (5, 0.05),
                        (3, 0.05), (1, 0.05), (0, 0.03)])  # fmt: skip
_COMMENTS: Final = (
    "", "", "", "Quick and helpful, thanks!", "Solved, but it took a few days.",
    "The first answer didn't read my message properly.", "Great support as always.",
    "Fine.", "Please make this possible without contacting support.",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Story:
    """What a conversation is about, so later messages tell the same story."""

    scenario: str
    slots: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Opening:
    """A customer writing in for the first time."""

    channel: Channel
    customer: CustomerRow
    subject: str
    text: str
    story: Story
    priority: str | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """A customer message answering an agent (threaded onto the ticket)."""

    delay: float
    text: str


@dataclass(frozen=True, slots=True)
class Survey:
    """A CSAT (1-5) or NPS (0-10) answer about a solved ticket."""

    delay: float
    kind: Literal["csat", "nps"]
    score: int
    comment: str


Reaction = Answer | Survey

_BY_KEY: Final = {s.key: s for s in SCENARIOS}


def _choice(rng: random.Random, values: tuple[str, ...]) -> str:
    return values[int(rng.random() * len(values))]


def _between(rng: random.Random, span: tuple[float, float]) -> float:
    return span[0] + rng.random() * (span[1] - span[0])


class CustomerVoice:
    """The stream of new conversations for one seed, and reactions to agents' replies."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._rng = random.Random(seed)
        self._customers = list(customers(random.Random(seed), CUSTOMER_POOL))

    def gap(self, rate_per_minute: float) -> float:
        """Seconds until the next new conversation: Poisson arrivals at ``rate_per_minute``."""
        return -math.log(1.0 - self._rng.random()) * 60.0 / rate_per_minute

    def opening(self) -> Opening:
        """The next customer writing in: a scenario's story, dressed for its channel."""
        rng = self._rng
        channel = CHANNELS.pick(rng.random)
        customer = self._customers[int(rng.random() ** 1.5 * len(self._customers))]
        scenario: Scenario = _SCENARIOS.pick(rng.random)
        variant = scenario.variants[int(rng.random() * len(scenario.variants))]
        slots = {name: corpus.SLOTS[name](rng) for name in scenario.slot_names}
        slots |= {"plan": customer.plan, "company": corpus.COMPANY}
        subject = _choice(rng, variant.subjects).format_map(slots)
        text = variant.opening.format_map(slots)
        if channel != "chat":
            text = customer_letter(text, customer.greeting_name, customer.name, rng.getrandbits)
        priority = _PRIORITIES.pick(rng.random) if channel == "form" else None
        return Opening(channel, customer, subject, text, Story(scenario.key, slots), priority)

    def _rng_for(self, message_id: str) -> random.Random:
        """A generator for one delivered message: same seed and message, same reaction."""
        return random.Random(f"{self.seed}:{message_id}")

    def chat_nudge(self, conversation: str) -> Answer | None:
        """Sometimes a chat customer writes again before anyone answered."""
        rng = self._rng_for(f"chat:{conversation}")
        if rng.random() >= CHAT_NUDGE_SHARE:
            return None
        return Answer(_between(rng, CHAT_NUDGE_DELAY), _choice(rng, corpus.NUDGES))

    def react(self, message_id: str, solved: bool, story: Story | None) -> list[Reaction]:
        """How the customer reacts to the agent's public reply ``message_id``.

        An unsolved ticket may get a follow-up (the story's own, or a desk-wide one) or a
        thanks; a solved one a survey answer and, rarely, a thanks that reopens it.
        """
        rng = self._rng_for(message_id)
        reactions: list[Reaction] = []
        if solved:
            if rng.random() < SURVEY_SHARE:
                nps = rng.random() < NPS_SHARE
                score = (_NPS if nps else _CSAT).pick(rng.random)
                kind: Literal["csat", "nps"] = "nps" if nps else "csat"
                comment = _choice(rng, _COMMENTS)
                reactions.append(Survey(_between(rng, SURVEY_DELAY), kind, score, comment))
            if rng.random() < THANKS_AFTER_SOLVE_SHARE:
                reactions.append(Answer(_between(rng, ANSWER_DELAY), _choice(rng, corpus.THANKS)))
            return reactions
        if rng.random() < ANSWER_SHARE:
            if rng.random() < THANKS_SHARE:
                text = _choice(rng, corpus.THANKS)
            else:
                scenario = _BY_KEY.get(story.scenario) if story else None
                own = scenario.followups if scenario else ()
                pool = own if own and rng.random() < 0.75 else corpus.FOLLOWUPS
                text = _choice(rng, pool).format_map(story.slots if story else {})
            reactions.append(Answer(_between(rng, ANSWER_DELAY), text))
        return reactions
