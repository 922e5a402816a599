"""Starter canned responses: what a new team would otherwise write on day one.

Bodies use the desk's placeholders ({{customer.first_name}}, {{customer.name}},
{{ticket.id}}, {{ticket.subject}}, {{agent.first_name}}, {{agent.name}}), left
unrendered here: the macro engine fills them when an agent applies one. Actions use
the keys ``status``, ``priority``, ``add_tags`` and ``remove_tags``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True, slots=True)
class StarterMacro:
    """A shared macro: title, body template, the ticket changes it applies."""

    title: str
    body: str
    actions: dict[str, Any]


_SIGN: Final = "\n\nBest,\n{{agent.first_name}}"

STARTER_MACROS: Final = (
    StarterMacro(
        "Ask for more details",
        "Hi {{customer.first_name}},\n\nThanks for contacting us about "
        '"{{ticket.subject}}". To look into this, could you send us the steps you took, '
        "what you expected to happen, and a screenshot of what you see?" + _SIGN,
        {"status": "pending"},
    ),
    StarterMacro(
        "Refund approved",
        "Hi {{customer.first_name}},\n\nI've issued a full refund for your payment. "
        "Depending on your bank it takes 5–10 business days to appear on your statement." + _SIGN,
        {"status": "solved", "add_tags": ["refund"]},
    ),
    StarterMacro(
        "Refund — need card details",
        "Hi {{customer.first_name}},\n\nI'm happy to look into a refund. Could you confirm "
        "the last four digits of the card that was charged?" + _SIGN,
        {"status": "pending", "add_tags": ["refund"]},
    ),
    StarterMacro(
        "Password reset steps",
        "Hi {{customer.first_name}},\n\nYou can reset your password at "
        "https://app.nimbus.example/reset. The link in the email is valid for 60 minutes; "
        "if it doesn't arrive, please check your spam folder." + _SIGN,
        {"status": "pending", "add_tags": ["password-reset"]},
    ),
    StarterMacro(
        "2FA reset — verify identity",
        "Hi {{customer.first_name}},\n\nI can reset two-factor authentication for you. For "
        "your security, please reply from the account's email address and tell me the name "
        "of your workspace." + _SIGN,
        {"status": "pending", "add_tags": ["2fa"]},
    ),
    StarterMacro(
        "Escalated to tier 2",
        "Hi {{customer.first_name}},\n\nI've passed ticket #{{ticket.id}} to our technical "
        "team, who will dig deeper. You don't need to do anything; we'll update you here." + _SIGN,
        {"status": "open", "add_tags": ["escalated"]},
    ),
    StarterMacro(
        "Known outage — we're on it",
        "Hi {{customer.first_name}},\n\nWe're aware of the problem and our engineers are "
        "working on it. You can follow progress on https://status.nimbus.example. We'll "
        "update you as soon as it's resolved." + _SIGN,
        {"status": "on-hold", "priority": "high", "add_tags": ["outage"]},
    ),
    StarterMacro(
        "Outage resolved",
        "Hi {{customer.first_name}},\n\nThe incident is resolved and everything is working "
        "normally again. Sorry for the disruption, and thanks for your patience." + _SIGN,
        {"status": "solved"},
    ),
    StarterMacro(
        "Shipping delay apology",
        "Hi {{customer.first_name}},\n\nI'm sorry your order is late. I've opened an "
        "enquiry with the carrier and will update you within 24 hours." + _SIGN,
        {"status": "pending", "add_tags": ["shipping"]},
    ),
    StarterMacro(
        "Feature request logged",
        "Hi {{customer.first_name}},\n\nThanks for the suggestion! I've added it to our "
        "product board with your use case. We'll let you know if it ships." + _SIGN,
        {"status": "solved", "add_tags": ["feature-request"]},
    ),
    StarterMacro(
        "API rate limits explained",
        "Hi {{customer.first_name}},\n\nAPI limits are counted per token and per workspace, "
        "so parallel jobs share the same budget. When you receive a 429, wait for the number "
        "of seconds in the Retry-After header before retrying." + _SIGN,
        {"status": "pending", "add_tags": ["api"]},
    ),
    StarterMacro(
        "Data export instructions",
        "Hi {{customer.first_name}},\n\nYou can start a full export under Settings → Data "
        "→ Export. We'll email you a download link when it's ready; it stays valid for "
        "7 days." + _SIGN,
        {"status": "pending", "add_tags": ["data-export"]},
    ),
    StarterMacro(
        "Cancellation confirmed",
        "Hi {{customer.first_name}},\n\nYour subscription is cancelled and won't renew. "
        "You keep access until the end of the current period." + _SIGN,
        {"status": "solved", "add_tags": ["cancellation"]},
    ),
    StarterMacro(
        "VAT invoice reissued",
        "Hi {{customer.first_name}},\n\nI've updated your billing profile and reissued the "
        "invoice with your VAT ID. The corrected PDF is under Settings → Billing." + _SIGN,
        {"status": "solved", "add_tags": ["vat", "invoice"]},
    ),
    StarterMacro(
        "SSO setup guide",
        "Hi {{customer.first_name}},\n\nHere's our SSO guide: "
        "https://docs.nimbus.example/sso. The Entity ID must be exactly "
        "https://app.nimbus.example/saml/metadata. Test with two accounts before enforcing."
        + _SIGN,
        {"status": "pending", "add_tags": ["sso"]},
    ),
    StarterMacro(
        "Printer jam troubleshooting",
        "Hi {{customer.first_name}},\n\nPlease power off the printer, clean the rubber "
        "roller with an alcohol wipe, then recalibrate by holding the feed button for "
        "5 seconds. Let me know if it still jams." + _SIGN,
        {"status": "pending", "add_tags": ["printer"]},
    ),
    StarterMacro(
        "Mobile app — clear cache",
        "Hi {{customer.first_name}},\n\nPlease update the app, then clear its cache "
        "(Settings → Apps → Nimbus → Clear cache). If it still crashes, send a crash report "
        "from Settings → Help." + _SIGN,
        {"status": "pending", "add_tags": ["mobile"]},
    ),
    StarterMacro(
        "Closing — no response",
        "Hi {{customer.first_name}},\n\nWe haven't heard back, so I'm closing this ticket "
        "for now. Just reply to reopen it any time." + _SIGN,
        {"status": "solved"},
    ),
    StarterMacro(
        "Internal: checked logs",
        "Checked logs for {{customer.name}} ({{ticket.subject}}): nothing unusual. "
        "— {{agent.name}}",
        {},
    ),
)
