"""Starter canned responses: what a new team would otherwise write on day one.

Bodies use the desk's placeholders ({{customer.first_name}}, {{customer.name}},
{{ticket.id}}, {{ticket.subject}}, {{agent.first_name}}, {{agent.name}}), left
unrendered here: the macro engine fills them when an agent applies one. Actions use
the keys ``status``, ``priority``, ``add_tags`` and ``remove_tags``.

:data:`MACRO_REPLIES` says which generated replies a starter macro wrote, so the
demo's history records macro uses and suggestions have past tickets to learn from.
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
        "Logs checked — nothing unusual",
        "Hi {{customer.first_name}},\n\nI've checked our logs for {{customer.name}} about "
        '"{{ticket.subject}}" and found nothing unusual on our side. Could you tell me '
        "exactly when it last happened?\n\nBest,\n{{agent.name}}",
        {"status": "pending"},
    ),
)

#: (scenario key, variant, "first" or "resolution") -> the starter macro that wrote that reply.
MACRO_REPLIES: Final = {
    ("refund", 0, "first"): "Refund — need card details",
    ("refund", 0, "resolution"): "Refund approved",
    ("refund", 1, "resolution"): "Refund approved",
    ("refund", 2, "resolution"): "Refund approved",
    ("double_charge", 0, "resolution"): "Refund approved",
    ("invoice_vat", 0, "resolution"): "VAT invoice reissued",
    ("invoice_vat", 1, "resolution"): "VAT invoice reissued",
    ("cancellation", 0, "resolution"): "Cancellation confirmed",
    ("cancellation", 1, "resolution"): "Cancellation confirmed",
    ("login_2fa", 1, "first"): "2FA reset — verify identity",
    ("password_reset", 1, "resolution"): "Password reset steps",
    ("bug_report", 0, "first"): "Ask for more details",
    ("slow_performance", 0, "first"): "Ask for more details",
    ("sync_issue", 0, "first"): "Ask for more details",
    ("outage", 0, "first"): "Known outage — we're on it",
    ("outage", 0, "resolution"): "Outage resolved",
    ("outage", 1, "resolution"): "Outage resolved",
    ("shipping_delay", 0, "first"): "Shipping delay apology",
    ("feature_request", 0, "first"): "Feature request logged",
    ("feature_request", 1, "first"): "Feature request logged",
    ("api_rate_limit", 0, "first"): "API rate limits explained",
    ("data_export", 1, "first"): "Data export instructions",
    ("sso_setup", 0, "first"): "SSO setup guide",
    ("sso_setup", 1, "first"): "SSO setup guide",
    ("printer_jam", 0, "first"): "Printer jam troubleshooting",
    ("mobile_crash", 1, "first"): "Mobile app — clear cache",
}

#: A few personal macros: (owner's email, macro). Only their owner sees them.
PERSONAL_MACROS: Final = (
    (
        "ana@support.example.com",
        StarterMacro(
            "Ana — quick check-in",
            "Hi {{customer.first_name}},\n\nJust checking in on #{{ticket.id}}: is everything "
            "working for you now?\n\nCheers,\n{{agent.first_name}}",
            {"status": "pending"},
        ),
    ),
    (
        "ana@support.example.com",
        StarterMacro(
            "Ana — handing to Billing",
            "Hi {{customer.first_name}},\n\nI've passed this to our Billing team, who can "
            "see the payment details. They'll reply here shortly.\n\nBest,\n"
            "{{agent.first_name}}",
            {"group": "Billing", "add_tags": ["billing"]},
        ),
    ),
    (
        "dev@support.example.com",
        StarterMacro(
            "Dev — need a HAR file",
            "Hi {{customer.first_name}},\n\nTo see which requests are slow, could you record "
            "a HAR file (DevTools → Network → Export HAR) while it happens and attach it?"
            "\n\nThanks,\n{{agent.first_name}}",
            {"status": "pending", "add_tags": ["needs-har"]},
        ),
    ),
)
