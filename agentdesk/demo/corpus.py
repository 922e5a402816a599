"""What the demo tickets say: scenario families, the slots that vary them, hostile text.

Each scenario (see :mod:`agentdesk.demo.scenarios`) is a family of believable
conversations: a refund, a 2FA lockout, a 503 outage... Templates use ``{slot}``
fields (order numbers, error codes, product names) filled once per ticket, so the
subject and every message of a thread agree and no two queues look alike. The
fictional company is Nimbus: SaaS apps plus a little hardware (label printers,
hubs), so shipping and printer jams are at home next to SSO and API limits.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from string import Formatter
from typing import Final

COMPANY: Final = "Nimbus"


@dataclass(frozen=True, slots=True)
class Handoff:
    """What tier 1 writes when escalating: the structured fields of an escalation."""

    reason: str
    summary: str
    tried: str
    impact: str


@dataclass(frozen=True, slots=True)
class Variant:
    """One coherent story of a scenario: how it is titled, told, answered and solved."""

    subjects: tuple[str, ...]
    opening: str
    first_reply: str
    resolution: str


@dataclass(frozen=True, slots=True)
class Scenario:
    """One family of conversations and how it is routed.

    ``tiers`` weighs tier 1/2/3; ``priorities`` weighs low/normal/high/urgent
    (``None``: the desk-wide mix). Follow-ups, notes and updates fit every variant.
    """

    key: str
    weight: float
    group: str
    tags: tuple[str, ...]
    variants: tuple[Variant, ...]
    followups: tuple[str, ...]
    notes: tuple[str, ...]
    handoff: Handoff
    updates: tuple[str, ...] = ()
    subjects_i18n: tuple[str, ...] = ()
    tiers: tuple[float, float, float] = (0.97, 0.02, 0.01)
    priorities: tuple[float, float, float, float] | None = None
    slot_names: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        texts = [
            *self.subjects_i18n,
            *self.followups,
            *self.notes,
            *self.updates,
            self.handoff.reason,
            self.handoff.summary,
            self.handoff.tried,
            self.handoff.impact,
        ]
        for v in self.variants:
            texts += [*v.subjects, v.opening, v.first_reply, v.resolution]
        names = sorted({name for text in texts for name in template_fields(text)})
        object.__setattr__(self, "slot_names", tuple(n for n in names if n not in CONTEXT_SLOTS))


def template_fields(text: str) -> set[str]:
    """The ``{slot}`` names a template uses."""
    return {name for _, name, _, _ in Formatter().parse(text) if name}


#: Slots filled from the ticket itself rather than drawn at random.
CONTEXT_SLOTS: Final = frozenset({"plan", "company"})


def _pick(values: tuple[str, ...]) -> Callable[[random.Random], str]:
    n = len(values)
    return lambda rng: values[int(rng.random() * n)]


def _number(prefix: str, low: int, high: int) -> Callable[[random.Random], str]:
    return lambda rng: f"{prefix}{rng.randrange(low, high)}"


def _amount(rng: random.Random) -> str:
    currency = ("€", "$", "£", "€", "$")[int(rng.random() * 5)]
    return f"{currency}{rng.randrange(9, 480)}.{('00', '99', '50', '49')[int(rng.random() * 4)]}"


def _vat(rng: random.Random) -> str:
    country = ("DE", "FR", "ES", "PL", "NL", "IT", "IE", "SE")[int(rng.random() * 8)]
    return f"{country}{rng.randrange(100_000_000, 1_000_000_000)}"


#: How each slot is drawn. Values never contain braces (they are not re-parsed).
SLOTS: Final[Mapping[str, Callable[[random.Random], str]]] = {
    "product": _pick(
        ("Nimbus Sync", "Nimbus Drive", "Nimbus Analytics", "Nimbus Pay", "Nimbus Forms",
         "Nimbus Chat")
    ),
    "hardware": _pick(("LabelJet 300", "LabelJet Pro 2", "Beacon Hub", "Beacon Mini",
                       "DeskDock 4K")),
    "printer": _pick(("LabelJet 300", "LabelJet Pro 2", "LabelJet Mini")),
    "plan_name": _pick(("Starter", "Pro", "Business", "Enterprise")),
    "order": _number("NW-", 100_000, 1_000_000),
    "invoice": _number("INV-", 2_000_000, 3_000_000),
    "amount": _amount,
    "vat": _vat,
    "error": _pick(
        ("ERR_CONN_RESET", "E4012 Invalid token", "500 Internal Server Error",
         "NullPointerException in SyncWorker.merge()",
         "TypeError: Cannot read properties of undefined (reading 'id')",
         "SQLSTATE[40001]: deadlock detected", "E_QUOTA_EXCEEDED",
         "java.lang.OutOfMemoryError: Java heap space", "ECONNREFUSED 10.0.3.14:443",
         "KeyError: 'workspace_id'", "upstream request timeout")
    ),
    "http_code": _pick(("500", "502", "503", "504")),
    "device": _pick(("iPhone 15", "iPhone 13 mini", "Pixel 8", "Galaxy S23", "iPad Air",
                     "Galaxy A54", "OnePlus 12", "Pixel 7a")),
    "os": _pick(("iOS 18.1", "iOS 17.6", "Android 15", "Android 14", "macOS 15",
                 "Windows 11", "Ubuntu 24.04")),
    "browser": _pick(("Chrome 131", "Firefox 133", "Safari 18", "Edge 131")),
    "app_version": _pick(("5.12.0", "5.12.1", "5.13.0", "6.0.0-beta.2", "5.11.4")),
    "feature": _pick(
        ("recurring invoices", "shared folders", "the reports page", "bulk edit",
         "custom fields", "the calendar view", "CSV import", "user permissions",
         "the dashboard", "saved filters")
    ),
    "wish": _pick(
        ("dark mode", "an offline mode", "a Zapier integration", "two-way Jira sync",
         "custom email templates", "audit log export", "keyboard shortcuts",
         "SAML group mapping", "a bulk delete option", "a Linux desktop app")
    ),
    "idp": _pick(("Okta", "Azure AD", "Google Workspace", "OneLogin", "JumpCloud",
                  "Keycloak")),
    "rate_limit": _pick(("600 requests/minute", "100 requests/minute", "10 requests/second")),
    "carrier": _pick(("DHL", "UPS", "FedEx", "DPD", "La Poste", "Royal Mail", "PostNL")),
    "tracking": _number("JD0146", 100_000_000, 1_000_000_000),
    "integration": _pick(("Slack", "Salesforce", "HubSpot", "Microsoft Teams", "Jira",
                          "Shopify", "QuickBooks")),
    "region": _pick(("eu-west-1", "us-east-1", "ap-southeast-2")),
    "request_id": lambda rng: f"req_{rng.getrandbits(48):012x}",
    "seats": lambda rng: str(rng.randrange(3, 250)),
    "days": lambda rng: str(rng.randrange(3, 15)),
    "country": _pick(("Germany", "France", "Spain", "Poland", "the Netherlands", "Italy",
                      "Ireland", "Sweden")),
    "weekday": _pick(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")),
    "file_size": lambda rng: f"{rng.randrange(2, 60)} GB",
}  # fmt: skip

# Desk-wide pools used by every scenario.
SUBJECT_PREFIXES: Final = ("Re: ", "Fwd: ", "Urgent: ", "Help: ", "Quick question: ", "RE: ")
CUSTOMER_GREETINGS: Final = (
    "Hi,\n\n", "Hello,\n\n", "Hi there,\n\n", "Hello support team,\n\n", "Good morning,\n\n",
    "", "Hey,\n\n", "Dear Nimbus team,\n\n",
)  # fmt: skip
#: Sign-offs followed by the customer's given name, or by the full name.
SIGNOFFS_GIVEN: Final = ("\n\nThanks,\n", "\n\nCheers,\n", "\n\n", "\n\nThank you!\n")
SIGNOFFS_FULL: Final = ("\n\nBest regards,\n", "\n\nKind regards,\n", "\n\n— ")
SIGNOFF_PHONE: Final = "\n\nSent from my phone"
AGENT_SIGNOFFS: Final = ("\n\nBest,\n", "\n\nKind regards,\n", "\n\nThanks,\n", "\n\nCheers,\n")
AGENT_FOOTER: Final = "\nNimbus Support"
VOICEMAIL_PREFIX: Final = "Voicemail transcription:\n"

FOLLOWUPS: Final = (
    "Thanks for getting back to me. I tried that but it's still happening.",
    "Here is the information you asked for. Let me know if you need anything else.",
    "I've attached a screenshot of what I see.",
    "That didn't work, unfortunately. Same result.",
    "Just checking in — is there anything else you need from me?",
)
NUDGES: Final = (
    "Any news on this?",
    "Following up on my message above — this is still a problem for us.",
    "Hello? Is anyone looking at this?",
    "Adding a bit more detail: it happens every time, not just sometimes.",
)
THANKS: Final = (
    "Thank you, that fixed it!",
    "Perfect, works now. Thanks for the quick help.",
    "Great, thanks a lot!",
    "All good now — appreciate it.",
    "Thanks! You can close this.",
)
UPDATES: Final = (
    "Thanks for the details. I've passed this on to the right team and will update you as "
    "soon as I hear back.",
    "Thanks — that helps. Could you also tell me roughly when this started?",
    "I'm still looking into this and will have an update for you by tomorrow.",
)
NOTES: Final = (
    "Checked logs — nothing unusual on our side for this account.",
    "Called the customer, no answer. Will retry tomorrow.",
    "Asked the customer's admin for more details; following up tomorrow.",
    "Same requester wrote in last month about something similar — see their other tickets.",
)
ESCALATION_NOTE: Final = "Escalating to {group} (tier {tier}).\nSummary: {summary}\nTried: {tried}"
ESCALATION_IMPACT: Final = "\nImpact: {impact}"

#: Text a UI must show literally: Rich/Textual markup and terminal control sequences.
#: Deterministically planted in a few customer messages (see ``tickets.HOSTILE_EVERY``).
HOSTILE_BODIES: Final = (
    "[bold red]URGENT[/] I will cancel today if nobody answers!!!",
    "Please verify here: [link=http://evil.example]click[/link]",
    "Pasted from my terminal: \x1b[2J\x1b[31mERROR\x1b[0m see above",
    "[@click=app.quit]Click for the invoice[/]",
    "Title trick \x1b]0;pwned\x07 and a bell\x07, then \x1b[1A\x1b[2Kerased line",
    "Sign-off with markup: [/] [red]unclosed and [b]bold",
)
#: (prefix, suffix) pairs planted in a few subjects.
HOSTILE_SUBJECTS: Final = (
    ("[bold red]URGENT[/] ", ""),
    ("", " \x1b[2J\x1b[31m"),
    ("[link=http://evil.example]click[/link] ", ""),
)
