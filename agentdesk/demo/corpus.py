"""What the demo tickets say: scenario families, the slots that vary them, hostile text.

Each scenario is a family of believable conversations (a refund, a 2FA lockout, a
503 outage...). Templates use ``{slot}`` fields (order numbers, error codes, product
names) filled once per ticket, so the subject and every message of a thread agree
and no two queues look alike. The fictional company is Nimbus: SaaS apps plus a
little hardware (label printers, hubs), so shipping and printer jams are at home
next to SSO and API limits.
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
class Scenario:
    """One family of conversations and how it is routed.

    ``tiers`` weighs tier 1/2/3; ``priorities`` weighs low/normal/high/urgent
    (``None``: the desk-wide mix).
    """

    key: str
    weight: float
    group: str
    tags: tuple[str, ...]
    subjects: tuple[str, ...]
    openings: tuple[str, ...]
    followups: tuple[str, ...]
    first_replies: tuple[str, ...]
    resolutions: tuple[str, ...]
    notes: tuple[str, ...]
    handoff: Handoff
    updates: tuple[str, ...] = ()
    subjects_i18n: tuple[str, ...] = ()
    tiers: tuple[float, float, float] = (0.97, 0.02, 0.01)
    priorities: tuple[float, float, float, float] | None = None
    slot_names: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        texts = (
            *self.subjects,
            *self.subjects_i18n,
            *self.openings,
            *self.followups,
            *self.first_replies,
            *self.resolutions,
            *self.notes,
            *self.updates,
            self.handoff.reason,
            self.handoff.summary,
            self.handoff.tried,
            self.handoff.impact,
        )
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

_T2: Final = (0.6, 0.32, 0.08)
_TECH: Final = (0.7, 0.25, 0.05)

SCENARIOS: Final = (
    Scenario(
        key="refund",
        weight=6,
        group="Billing",
        tags=("billing", "refund"),
        subjects=(
            "Refund request for order {order}",
            "Please refund {amount} — wrong plan purchased",
            "Requesting a refund for {product}",
        ),
        openings=(
            "I was charged {amount} for order {order} but I cancelled within the trial "
            "period. Could you please refund it to my card?",
            "I accidentally bought the {plan_name} plan instead of the monthly one. The charge "
            "was {amount}. Can this be refunded so I can purchase the right plan?",
            "We stopped using {product} two weeks ago and were still billed {amount}. "
            "I'd like a refund for the unused period.",
        ),
        followups=(
            "Thanks. How long does it usually take for the refund to show up on my statement?",
            "The order number is {order} and the card ends in 4417, if that helps.",
        ),
        first_replies=(
            "Thanks for reaching out about order {order}. I can see the {amount} charge on "
            "your account. Could you confirm the last four digits of the card so I can "
            "match the payment?",
            "I'm sorry about the mix-up with the {plan_name} plan. I'm checking the payment "
            "now and will get back to you shortly.",
        ),
        resolutions=(
            "I've issued a full refund of {amount} for order {order}. Depending on your "
            "bank it takes 5–10 business days to appear on your statement.",
            "The refund of {amount} has been processed. You'll receive a confirmation email "
            "from our payment provider in a few minutes.",
        ),
        notes=(
            "Checked Stripe: charge for {order} succeeded, no prior refunds. Within the "
            "30-day window, approving.",
            "Refund over €100 — approved by Lee in #billing. Customer on the {plan} plan.",
        ),
        subjects_i18n=("Reembolso del pedido {order}", "Remboursement de la commande {order}"),
        handoff=Handoff(
            "billing-system",
            "Refund for {order} fails in the billing admin with 'charge not refundable'.",
            "Retried the refund twice; checked the charge is settled in Stripe.",
            "Customer waiting on {amount}; refund window closes in {days} days.",
        ),
    ),
    Scenario(
        key="double_charge",
        weight=4,
        group="Billing",
        tags=("billing", "payment"),
        subjects=(
            "Charged twice for my {plan_name} subscription",
            "Duplicate charge of {amount}",
            "Why was my card billed two times this month?",
        ),
        openings=(
            "My bank statement shows two charges of {amount} from {company} on the same "
            "day. I only have one subscription. Please fix this.",
            "We were billed twice for the {plan_name} plan this month (invoice {invoice} "
            "and another one without a number). Can you look into it?",
        ),
        followups=(
            "Attached is a screenshot of the statement showing both charges.",
            "Any news? The second charge pushed our account into overdraft.",
        ),
        first_replies=(
            "I'm sorry about the double charge. I'm looking at your billing history now — "
            "could you send the dates of both charges as they appear on your statement?",
            "Thanks for flagging this. I can see invoice {invoice}; let me check whether "
            "a second payment was captured.",
        ),
        resolutions=(
            "You're right: the payment was captured twice because of a retry on our side. "
            "I've refunded the duplicate {amount}; it should reach you within a week.",
            "The second charge was a pre-authorisation that your bank will release "
            "automatically within 3 business days. No money was actually taken twice.",
        ),
        notes=(
            "Checked Stripe: two captures 40s apart for {invoice}, idempotency key missing. "
            "Known issue BILL-212.",
            "Second charge is a pending auth only, will drop off. Told customer.",
        ),
        handoff=Handoff(
            "billing-bug",
            "Duplicate capture for invoice {invoice}; payment retry ignored the idempotency key.",
            "Refunded the duplicate manually; confirmed both captures in Stripe.",
            "Probably affects other customers billed on the same retry run.",
        ),
    ),
    Scenario(
        key="invoice_vat",
        weight=3,
        group="Billing",
        tags=("billing", "invoice", "vat"),
        subjects=(
            "VAT number missing on invoice {invoice}",
            "Need invoice {invoice} reissued with our company details",
            "Reverse charge VAT not applied ({vat})",
        ),
        openings=(
            "Our accounting team can't book invoice {invoice} because our VAT number "
            "{vat} is missing. Could you reissue it with the VAT ID and our full company "
            "address?",
            "We're a business in {country} and should be charged under the reverse-charge "
            "rules, but invoice {invoice} includes VAT. Our VAT ID is {vat}.",
        ),
        followups=(
            "The company name should be exactly as registered, including the legal form.",
            "Can you also fix the previous two invoices? They have the same problem.",
        ),
        first_replies=(
            "Thanks — I can add the VAT ID {vat} to your billing profile. Could you confirm "
            "the exact company name and address that should appear on the invoice?",
            "I've checked invoice {invoice}. I'll validate the VAT ID {vat} in VIES and "
            "get back to you.",
        ),
        resolutions=(
            "I've updated your billing profile with VAT ID {vat} and reissued invoice "
            "{invoice}. The corrected PDF is available under Settings → Billing.",
            "VAT ID {vat} validated. Invoice {invoice} has been credited and reissued with "
            "reverse charge applied; the VAT amount will be refunded to your card.",
        ),
        notes=(
            "VIES check OK for {vat}. Reissuing via billing admin, credit note created.",
            "VIES is down again — retry later before reissuing {invoice}.",
        ),
        subjects_i18n=("Rechnung {invoice} ohne USt-IdNr.", "Factura {invoice} sin NIF"),
        handoff=Handoff(
            "billing-system",
            "Reverse charge not applied for {vat} although the VAT ID validates.",
            "Re-saved billing profile, revalidated in VIES, regenerated the invoice.",
            "Customer's accounting is blocked until the invoice is corrected.",
        ),
    ),
    Scenario(
        key="plan_change",
        weight=3,
        group="Billing",
        tags=("billing", "upgrade"),
        subjects=(
            "Question about upgrading to {plan_name}",
            "Adding {seats} seats to our subscription",
            "Downgrade to the free plan at the end of the term",
        ),
        openings=(
            "We'd like to move from our current plan to {plan_name} and add {seats} seats. "
            "Is the price prorated if we switch mid-month?",
            "How do I add more seats? We need {seats} users on {product} by next {weekday}.",
        ),
        followups=(
            "Great, and do we keep our existing data and settings when we switch?",
            "Could you send a quote we can forward to procurement?",
        ),
        first_replies=(
            "Happy to help with the upgrade. Yes, the price is prorated to the day. Would "
            "you like me to make the change or send you a quote first?",
            "You can add seats under Settings → Billing → Seats. If you'd prefer, I can "
            "prepare a quote for {seats} seats on {plan_name}.",
        ),
        resolutions=(
            "Done — your workspace is now on {plan_name} with {seats} seats. The prorated "
            "amount will appear on your next invoice.",
            "I've attached a quote for {seats} seats on {plan_name}; it's valid for 30 days.",
        ),
        notes=(
            "Possible expansion ({seats} seats) — flagged to the account manager.",
            "Customer on {plan}; checked there's no pending invoice before changing plan.",
        ),
        handoff=Handoff(
            "billing-system",
            "Plan change to {plan_name} fails with 'subscription locked'.",
            "Tried from the admin panel and via the customer's session.",
            "Customer can't add the {seats} seats they need.",
        ),
    ),
    Scenario(
        key="cancellation",
        weight=3,
        group="Billing",
        tags=("billing", "cancellation", "churn-risk"),
        subjects=(
            "Please cancel my subscription",
            "Cancel {product} at the end of the billing period",
            "How do I close my account?",
        ),
        openings=(
            "Please cancel our {plan_name} subscription effective at the end of the current "
            "billing period. We've moved to a different tool.",
            "I can't find a cancel button anywhere. I want to stop paying for {product}.",
        ),
        followups=(
            "Honestly the main reason is price. Is there a smaller plan?",
            "Please confirm in writing that we won't be charged again.",
        ),
        first_replies=(
            "I'm sorry to see you go. Before I cancel: would a pause or a smaller plan "
            "help? If not, I'll process the cancellation right away.",
            "You can cancel under Settings → Billing → Cancel subscription. I can also do "
            "it for you — just confirm and I'll take care of it.",
        ),
        resolutions=(
            "Your subscription is cancelled and won't renew. You'll keep access until the "
            "end of the current period, and you can export your data any time before then.",
            "Cancellation confirmed. No further charges will be made; a confirmation email "
            "is on its way.",
        ),
        notes=(
            "Churn reason: price. Offered 20% retention discount, declined.",
            "Cancelled in billing admin; auto-renew off. Tagged churn-risk for CS review.",
        ),
        handoff=Handoff(
            "billing-system",
            "Cancellation doesn't stick: subscription shows active again after a day.",
            "Cancelled twice via admin; checked webhooks from the payment provider.",
            "Customer will be charged again on renewal if not fixed.",
        ),
    ),
    Scenario(
        key="login_2fa",
        weight=6,
        group="Frontline",
        tags=("login", "2fa"),
        subjects=(
            "Can't log in — 2FA code not accepted",
            "Lost my phone, locked out by two-factor",
            "Authenticator codes always say 'invalid'",
        ),
        openings=(
            "Every time I enter the code from my authenticator app I get 'invalid code'. "
            "I've tried several codes in a row. I'm on {device} with {os}.",
            "I got a new phone and didn't move my authenticator app. Now I can't get past "
            "the two-factor screen. How do I get back into my account?",
        ),
        followups=(
            "The time on my phone is set automatically, so I don't think it's a clock issue.",
            "I don't have the backup codes either, unfortunately.",
        ),
        first_replies=(
            "Sorry you're locked out. Invalid codes are usually caused by the phone's clock "
            "drifting — could you check that date & time are set automatically?",
            "I can help you reset two-factor authentication. For security I'll need to "
            "verify your identity first: please reply from the account's email address and "
            "tell me the name of your workspace.",
        ),
        resolutions=(
            "Identity verified — I've reset two-factor authentication on your account. "
            "You'll be asked to set it up again at your next login. Please save the new "
            "backup codes somewhere safe.",
            "Glad the clock sync fixed it! Your codes should be accepted from now on.",
        ),
        notes=(
            "Identity verified via workspace owner + billing email. Resetting 2FA.",
            "Checked auth logs: 14 failed TOTP attempts, clock skew ~90s. Not an attack.",
        ),
        subjects_i18n=(
            "Problème de connexion avec la double authentification",
            "Anmeldung mit Zwei-Faktor-Code schlägt fehl",
        ),
        handoff=Handoff(
            "auth",
            "TOTP codes rejected for a verified user even after 2FA reset.",
            "Reset 2FA twice, confirmed device clock, tried another authenticator app.",
            "User fully locked out of {product}.",
        ),
    ),
    Scenario(
        key="password_reset",
        weight=6,
        group="Frontline",
        tags=("login", "password-reset"),
        subjects=(
            "Password reset email never arrives",
            "Reset link says 'expired'",
            "Forgot password — no email received",
        ),
        openings=(
            "I requested a password reset three times and never got the email. I checked "
            "spam too. My login is this email address.",
            "The password reset link says 'This link has expired' even though I clicked it "
            "within a minute.",
        ),
        followups=(
            "Still nothing, and I checked the spam and promotions folders.",
            "Tried again in a private window ({browser}) — same 'expired' message.",
        ),
        first_replies=(
            "Sorry about that. I've checked and the reset emails were sent. Could you check "
            "whether your mail server blocks messages from no-reply@nimbus.example?",
            "Expired links usually mean the link was opened by an email security scanner "
            "first. I'll send you a fresh link manually.",
        ),
        resolutions=(
            "I've sent a new reset link directly; it's valid for 60 minutes. Once you're "
            "in, you can change the password under Profile → Security.",
            "Your company's mail filter was holding our emails. After whitelisting "
            "no-reply@nimbus.example the reset email arrived — you're all set.",
        ),
        notes=(
            "Checked mail logs: 3 resets delivered, 250 OK from recipient server. Likely "
            "quarantined on their side.",
            "Link pre-clicked by Mimecast URL scanner (user agent in logs). Sent manual link.",
        ),
        handoff=Handoff(
            "auth",
            "Reset tokens expire immediately for this account.",
            "Sent 3 manual links, cleared sessions, checked the account isn't SSO-enforced.",
            "User can't log in at all.",
        ),
    ),
    Scenario(
        key="account_locked",
        weight=3,
        group="Frontline",
        tags=("login", "account-locked"),
        subjects=(
            "Account locked after too many attempts",
            "'Your account has been suspended' message",
            "Locked out of {product}",
        ),
        openings=(
            "I mistyped my password a few times and now it says my account is locked for "
            "security reasons. How long does that last?",
            "When I log in I get 'Your account has been suspended'. We pay for {plan_name}, "
            "so I don't understand why.",
        ),
        followups=(
            "It's been more than an hour and it's still locked.",
            "Our invoices are paid, I can send a receipt.",
        ),
        first_replies=(
            "The lock lifts automatically after 30 minutes, but I can unlock it now. Can "
            "you confirm this is your own account and that you were the one trying?",
            "I'm checking why the account shows as suspended — one moment.",
        ),
        resolutions=(
            "Your account is unlocked. If you'd like, enable two-factor authentication to "
            "keep it safe from password-guessing attempts.",
            "The suspension came from a failed payment retry that has since succeeded. "
            "I've reactivated the account; sorry for the trouble.",
        ),
        notes=(
            "Lockout from 12 failed logins from one IP (the customer's office). Unlocked.",
            "Suspension flag left over from dunning although invoice paid. Cleared manually.",
        ),
        handoff=Handoff(
            "auth",
            "Account re-locks right after unlocking.",
            "Unlocked 3 times, reset password, revoked sessions.",
            "User can't work; possible credential-stuffing traffic.",
        ),
    ),
    Scenario(
        key="bug_report",
        weight=6,
        group="Frontline",
        tags=("bug",),
        subjects=(
            "Error '{error}' when saving {feature}",
            "Bug: {feature} broken since this morning",
            "{product} shows an error on save",
            "Something went wrong: {error}",
        ),
        openings=(
            "When I try to save {feature} I get this error:\n\n    {error}\n\nIt started "
            "today. I'm using {browser} on {os}.",
            "Since the latest update {feature} doesn't work anymore. The page shows "
            "'Something went wrong' and the console says: {error}",
            "Steps: open {product}, go to {feature}, change anything, click Save. "
            "Expected: saved. Actual: {error}",
        ),
        followups=(
            "I tried in a private window and with extensions disabled — same error.",
            "It also happens for my colleagues, so it's not just my account.",
        ),
        first_replies=(
            "Thanks for the detailed report. Could you send the time it last happened "
            "(with your time zone) so I can find the request in our logs?",
            "Sorry about this. I've reproduced the error on my side and I'm checking with "
            "our technical team.",
        ),
        updates=(
            "Our engineers have identified the cause and a fix is being tested. I'll let "
            "you know as soon as it's deployed.",
        ),
        resolutions=(
            "A fix was deployed this morning; saving {feature} works again. Thanks for "
            "reporting it and for your patience.",
            "This was caused by a corrupted draft in your account. I've cleared it and "
            "{feature} saves normally now.",
        ),
        notes=(
            "Checked logs for {request_id}: 500 from the save endpoint, stack trace points "
            "at {error}.",
            "Reproduced on staging with {browser}. Looks like a regression from the last release.",
        ),
        handoff=Handoff(
            "bug",
            "Saving {feature} fails with '{error}' (request {request_id}).",
            "Reproduced in {browser} and in a clean profile; cleared cache; other "
            "workspaces unaffected.",
            "Customer can't save any changes to {feature}.",
        ),
        tiers=_T2,
    ),
    Scenario(
        key="outage",
        weight=2,
        group="Frontline",
        tags=("outage", "incident"),
        subjects=(
            "URGENT: {product} is down",
            "Site down — getting {http_code} errors",
            "Nothing loads in {region}",
            "Is there an outage right now?",
        ),
        openings=(
            "{product} has been completely down for us for the last 20 minutes. We get "
            "'{http_code} Service Unavailable' on every page. Our whole team is blocked.",
            "Is there an outage? Nothing loads, the status page says all systems "
            "operational but we get {http_code} errors.",
        ),
        followups=(
            "Still down. This is costing us real money — please give us an ETA.",
            "It's back for some users but not others.",
        ),
        first_replies=(
            "We're aware of elevated {http_code} errors in {region} and our engineers are "
            "working on it. I'll update you as soon as we know more.",
            "Thanks for letting us know. I'm checking with the on-call team right now.",
        ),
        updates=(
            "Update: the cause has been identified (a failing load balancer in {region}) "
            "and traffic is being moved. Most requests should succeed again shortly.",
        ),
        resolutions=(
            "The incident is resolved and {product} is fully available again. A post-"
            "incident report will be published on our status page within 48 hours.",
            "Everything is back to normal. We've credited your account for the downtime "
            "in line with the SLA.",
        ),
        notes=(
            "Linked to incident INC-{request_id}. Status page updated by on-call.",
            "Checked dashboards: {http_code} rate 38% in {region} since 09:12 UTC.",
        ),
        handoff=Handoff(
            "outage",
            "{product} returning {http_code} for enterprise customers in {region}.",
            "Confirmed from two networks; status page shows green.",
            "Whole customer team blocked; several reports in the last 15 minutes.",
        ),
        tiers=(0.55, 0.37, 0.08),
        priorities=(0.0, 0.1, 0.4, 0.5),
    ),
    Scenario(
        key="shipping_delay",
        weight=5,
        group="Frontline",
        tags=("shipping", "order"),
        subjects=(
            "Where is my order {order}?",
            "Order {order} still not delivered",
            "{hardware} shipment stuck with {carrier}",
        ),
        openings=(
            "I ordered a {hardware} {days} days ago (order {order}) and it still hasn't "
            "arrived. The tracking number {tracking} hasn't updated since last {weekday}.",
            "The {carrier} tracking for order {order} says 'delivery exception'. What does "
            "that mean and when will I get my {hardware}?",
        ),
        followups=(
            "The tracking now says it was returned to sender?!",
            "I need it before next {weekday} for an event. Can you ship a replacement?",
        ),
        first_replies=(
            "Sorry for the delay with order {order}. I've opened an enquiry with {carrier} "
            "and will update you within 24 hours.",
            "Thanks for your patience. The parcel is at the {carrier} depot; a "
            "'delivery exception' usually means the address needs confirming. Could you "
            "confirm your delivery address?",
        ),
        resolutions=(
            "{carrier} confirmed the parcel was lost, so I've shipped a replacement "
            "{hardware} by express. New tracking number: {tracking}.",
            "Good news: {carrier} has delivered order {order} today. Enjoy your {hardware}!",
        ),
        notes=(
            "Opened carrier claim with {carrier} for {tracking}. Follow up in 2 days.",
            "Warehouse confirms {order} left on time; delay is on the carrier side.",
        ),
        subjects_i18n=(
            "Pedido {order} sin entregar",
            "Zamówienie {order} nie dotarło",
            "注文 {order} がまだ届きません",
        ),
        handoff=Handoff(
            "fulfilment",
            "Order {order} shows shipped but the warehouse has no scan.",
            "Checked carrier portal and warehouse system.",
            "Customer needs the {hardware} for an event next {weekday}.",
        ),
    ),
    Scenario(
        key="damaged_item",
        weight=2,
        group="Frontline",
        tags=("shipping", "damaged", "replacement"),
        subjects=(
            "{hardware} arrived damaged",
            "Broken screen on delivery (order {order})",
            "Replacement needed for order {order}",
        ),
        openings=(
            "My {hardware} arrived today with a cracked case and it doesn't turn on. The "
            "box was visibly crushed. Order {order}.",
            "The {hardware} I received is missing the power adapter and the casing is "
            "scratched. I'd like a replacement please.",
        ),
        followups=(
            "Here are photos of the box and the device.",
            "Do I need to send the broken one back first?",
        ),
        first_replies=(
            "I'm sorry your {hardware} arrived damaged. Could you send a photo of the "
            "device and the packaging? Then I'll arrange a replacement straight away.",
            "Thanks for the photos — that's clearly transport damage. I'm setting up a "
            "replacement now.",
        ),
        resolutions=(
            "A replacement {hardware} is on its way (tracking {tracking}). You'll get a "
            "prepaid label to return the damaged one — no rush.",
            "I've refunded {amount} for the missing adapter and sent one separately.",
        ),
        notes=(
            "Photos confirm transport damage. Replacement order created, carrier claim "
            "filed with {carrier}.",
            "Third damaged {hardware} from this batch this week — told the warehouse lead.",
        ),
        handoff=Handoff(
            "fulfilment",
            "Replacement order for {order} blocked in the warehouse system.",
            "Created the replacement twice, both stuck in 'awaiting stock'.",
            "Customer without a working {hardware}.",
        ),
    ),
    Scenario(
        key="feature_request",
        weight=4,
        group="Frontline",
        tags=("feature-request",),
        subjects=(
            "Feature request: {wish}",
            "Any plans for {wish}?",
            "Suggestion for {product}",
        ),
        openings=(
            "Love {product}! One thing we really miss is {wish}. Is that on the roadmap?",
            "Our team would switch fully to {product} if it had {wish}. Any plans?",
        ),
        followups=(
            "Thanks! Is there a way to follow the request so I know when it ships?",
            "Would a workaround with the API be possible in the meantime?",
        ),
        first_replies=(
            "Thanks for the suggestion! I've added your vote for {wish} to our product "
            "board. I can't promise a date, but requests like this shape the roadmap.",
            "Great idea — I've passed it on to our product team with your use case.",
        ),
        resolutions=(
            "I've logged {wish} as a feature request with your use case attached. We'll "
            "email you if it ships. Thanks for helping us improve {product}!",
            "Good news: {wish} is in beta. I've enabled it for your workspace — let us "
            "know what you think!",
        ),
        notes=(
            "Added +1 to the product board item for {wish} ({plan} customer).",
            "Duplicate of an existing request; linked.",
        ),
        handoff=Handoff(
            "product",
            "Enterprise prospect asking for {wish} as a purchase condition.",
            "Checked roadmap and product board.",
            "Deal of {seats} seats depends on it.",
        ),
        priorities=(0.6, 0.38, 0.02, 0.0),
    ),
    Scenario(
        key="api_rate_limit",
        weight=2,
        group="Frontline",
        tags=("api", "rate-limit"),
        subjects=(
            "API returning 429 Too Many Requests",
            "Rate limit too low for our integration",
            "Hitting {rate_limit} limit on the API",
        ),
        openings=(
            "Our nightly sync job started failing with HTTP 429 Too Many Requests after "
            "about 2,000 calls. The docs say the limit is {rate_limit}. We're well below "
            "that. Request id: {request_id}",
            "Can we get a higher API rate limit? We're integrating {product} with our ERP "
            "and {rate_limit} isn't enough for the initial import.",
        ),
        followups=(
            "We do honour the Retry-After header, but it says 3600 seconds.",
            "Here's a log excerpt with timestamps of the failing calls.",
        ),
        first_replies=(
            "Thanks for the request id. Limits are counted per token and per workspace, "
            "so parallel jobs share the budget. Are several processes using the same token?",
            "I'll check the rate limit on your workspace and whether a temporary increase "
            "is possible for the initial import.",
        ),
        resolutions=(
            "We've raised your workspace limit for the next 7 days so the initial import "
            "can finish. After that the standard {rate_limit} applies.",
            "The 429s came from a second integration using the same token. With separate "
            "tokens your sync stays well under the limit.",
        ),
        notes=(
            "Checked gateway logs for {request_id}: 2 tokens hitting the same bucket.",
            "Limit override needs tier 2 approval — escalating.",
        ),
        handoff=Handoff(
            "api",
            "429s below the documented {rate_limit} for one workspace ({request_id}).",
            "Confirmed single token, verified Retry-After handling, checked limits config.",
            "Customer's nightly ERP sync fails; data is a day behind.",
        ),
        tiers=(0.55, 0.38, 0.07),
        priorities=(0.1, 0.5, 0.35, 0.05),
    ),
    Scenario(
        key="data_export",
        weight=3,
        group="Frontline",
        tags=("data-export",),
        subjects=(
            "How do I export all my data?",
            "CSV export times out",
            "Export of {file_size} workspace never finishes",
        ),
        openings=(
            "We need a full export of our workspace (about {file_size}) for an audit. The "
            "export button spins for a while and then says 'Request timed out'.",
            "How can I export all records from {product} to CSV? I only see an export for "
            "the current view.",
        ),
        followups=(
            "Is there an API endpoint for this instead?",
            "We need it by the end of next week for the auditors.",
        ),
        first_replies=(
            "Large exports run in the background: under Settings → Data → Export you can "
            "start a full export and we'll email you a download link when it's ready.",
            "I'll look into why the export is timing out for your workspace.",
        ),
        resolutions=(
            "The full export has finished — you'll find the download link in your email. "
            "It stays valid for 7 days.",
            "I ran the export for you from our side; the ZIP ({file_size}) is linked in "
            "your email.",
        ),
        notes=(
            "Export job {request_id} killed after 15 min (worker timeout). Re-queued on "
            "the large-jobs worker.",
            "Customer on {plan}; full exports are included.",
        ),
        handoff=Handoff(
            "bug",
            "Full export for a {file_size} workspace times out every time.",
            "Retried the job, started it from admin, checked worker logs ({request_id}).",
            "Audit deadline for the customer.",
        ),
        tiers=(0.8, 0.17, 0.03),
    ),
    Scenario(
        key="sso_setup",
        weight=2,
        group="Frontline",
        tags=("sso", "enterprise-setup"),
        subjects=(
            "SSO setup with {idp}",
            "SAML login fails: 'Invalid audience'",
            "Enforcing single sign-on for all users",
        ),
        openings=(
            "We're setting up SAML SSO with {idp}. After the redirect we get 'Invalid "
            "audience' and end up on the login page again.",
            "We want to enforce SSO via {idp} for everyone in our workspace. What's the "
            "recommended rollout so nobody gets locked out?",
        ),
        followups=(
            "Attached the SAML response from the browser's network tab (signature removed).",
            "Does SCIM provisioning work with {idp} too?",
        ),
        first_replies=(
            "'Invalid audience' means the Entity ID in {idp} doesn't match ours exactly. "
            "It should be https://app.nimbus.example/saml/metadata — could you compare it?",
            "For a safe rollout: enable SSO, test with two accounts, then enforce. I'll "
            "send our step-by-step guide for {idp}.",
        ),
        resolutions=(
            "Great to hear the Entity ID fix worked. SSO with {idp} is live, and admins "
            "can still log in with a password as a break-glass option.",
            "SSO is enforced for your workspace. SCIM provisioning with {idp} is also "
            "enabled — new users will be created automatically.",
        ),
        notes=(
            "Checked SAML debug logs: audience mismatch (trailing slash). Sent fix.",
            "Enterprise onboarding — loop in the CSM before enforcing SSO.",
        ),
        handoff=Handoff(
            "sso",
            "SAML assertions from {idp} rejected although metadata matches.",
            "Compared Entity ID and ACS URL, re-uploaded the certificate, checked clock skew.",
            "Enterprise rollout for {seats} users blocked.",
        ),
        tiers=(0.55, 0.4, 0.05),
    ),
    Scenario(
        key="printer_jam",
        weight=3,
        group="Frontline",
        tags=("hardware", "printer"),
        subjects=(
            "{printer} keeps jamming",
            "Labels come out crooked on {printer}",
            "{printer} shows red blinking light",
        ),
        openings=(
            "Our {printer} jams every 10–20 labels. We use the official rolls. The light "
            "blinks red and I have to open it and pull the labels out.",
            "After the latest firmware update, labels from our {printer} come out crooked "
            "and half the barcode is cut off.",
        ),
        followups=(
            "Cleaned the rollers as you suggested, still jamming.",
            "Firmware version shown in the app is 2.4.1.",
        ),
        first_replies=(
            "Sorry about the jams! Please try: power off, open the cover, clean the rubber "
            "roller with an alcohol wipe and recalibrate by holding the feed button 5 "
            "seconds.",
            "Could you send a photo of how the roll is loaded and tell me the firmware "
            "version (Settings → Device in the app)?",
        ),
        resolutions=(
            "Good news — the calibration fixed it. If it happens again, recalibrating "
            "after every roll change usually prevents it.",
            "Since cleaning didn't help, the feed motor is likely faulty. Your {printer} "
            "is under warranty; I've arranged a replacement.",
        ),
        notes=(
            "Known issue with firmware 2.4.1 and narrow rolls. Workaround: recalibrate.",
            "Warranty check OK (purchased within 24 months). RMA created.",
        ),
        handoff=Handoff(
            "hardware",
            "{printer} jams after firmware 2.4.1 with official rolls.",
            "Cleaning, recalibration, factory reset, tried another roll.",
            "Customer's shipping station can't print labels.",
        ),
    ),
    Scenario(
        key="mobile_crash",
        weight=3,
        group="Frontline",
        tags=("mobile", "bug", "crash"),
        subjects=(
            "App crashes on launch after update to {app_version}",
            "{product} app closes immediately on {device}",
            "Mobile app crash when opening attachments",
        ),
        openings=(
            "Since updating to version {app_version} the app crashes right after the splash "
            "screen. {device}, {os}. Reinstalling didn't help.",
            "The app closes as soon as I open an attachment. Happens every time. {device} "
            "on {os}, app version {app_version}.",
        ),
        followups=(
            "I sent a crash report from the app just now.",
            "Same thing on my colleague's phone ({device}).",
        ),
        first_replies=(
            "Sorry about the crashes. Could you try: Settings → Apps → {product} → Clear "
            "cache, then open the app again? If it still crashes, please send a crash "
            "report via Settings → Help.",
            "Thanks for the details. I've found your crash report and forwarded it to our "
            "mobile team.",
        ),
        resolutions=(
            "Version {app_version} had a bug with large attachment previews; the fix is in "
            "the update that just went live. Please update from the app store.",
            "Clearing the cache did the trick — glad the app works again!",
        ),
        notes=(
            "Crashlytics: 1.2k crashes on {app_version}, all {os}. Stack in image decoder.",
            "Asked for crash report id; device {device} is on the supported list.",
        ),
        handoff=Handoff(
            "mobile",
            "Crash on launch in {app_version} on {os} ({device}).",
            "Clear cache, reinstall, older version via TestFlight works.",
            "Spike in crash reports since the {app_version} rollout.",
        ),
        tiers=(0.6, 0.32, 0.08),
        priorities=(0.1, 0.5, 0.35, 0.05),
    ),
    Scenario(
        key="sync_issue",
        weight=3,
        group="Frontline",
        tags=("sync", "bug"),
        subjects=(
            "Files not syncing between devices",
            "Nimbus Sync stuck at 'Preparing…'",
            "Conflicted copies everywhere",
        ),
        openings=(
            "Files I save on my laptop ({os}) don't show up on my phone anymore. The sync "
            "icon says 'Preparing…' for hours.",
            "Since yesterday every file edit creates a 'conflicted copy'. We have dozens "
            "now in our shared folders.",
        ),
        followups=(
            "Restarting the app didn't change anything.",
            "The sync log shows: {error}",
        ),
        first_replies=(
            "Sorry about the sync trouble. Could you send the sync log (Help → Export "
            "logs) so I can see where it stops?",
            "Conflicted copies appear when two devices edit offline. Are any devices "
            "running an older app version?",
        ),
        resolutions=(
            "A corrupted index on one device was blocking sync. After re-linking that "
            "device everything is up to date again.",
            "The fix for the conflict bug is rolled out; you can safely delete the "
            "conflicted copies once you've checked them.",
        ),
        notes=(
            "Sync log: cursor stuck at the same change id for 6h — index corruption.",
            "Old client 4.x on one device causing conflicts. Asked them to update.",
        ),
        handoff=Handoff(
            "bug",
            "Sync cursor stuck for a workspace; clients loop on the same change.",
            "Re-linked devices, cleared local index, checked server-side changes.",
            "Shared folders out of date for the whole team.",
        ),
        tiers=(0.75, 0.2, 0.05),
    ),
    Scenario(
        key="webhook_failures",
        weight=1.5,
        group="Frontline",
        tags=("api", "webhooks"),
        subjects=(
            "Webhooks failing with {http_code}",
            "Webhook deliveries disabled for our endpoint",
            "Missing webhook events since {weekday}",
        ),
        openings=(
            "Our webhook endpoint stopped receiving events. The dashboard shows deliveries "
            "failing with {http_code} but our endpoint is up and returns 200 to curl.",
            "We got an email that webhook deliveries were disabled after repeated failures. "
            "How do we re-enable them and replay missed events?",
        ),
        followups=(
            "Our endpoint responds in under 2 seconds, so it shouldn't be a timeout.",
            "Can you replay events from the last 48 hours?",
        ),
        first_replies=(
            "Deliveries are disabled after 24h of failures. You can re-enable them under "
            "Settings → Webhooks. I'll check the delivery logs for the {http_code}s.",
            "I'm checking the delivery attempts for your endpoint now.",
        ),
        resolutions=(
            "The {http_code}s came from your WAF blocking our new IP range. With the "
            "updated allow-list deliveries succeed, and I've replayed the missed events.",
            "Webhooks are re-enabled and the last 48 hours of events have been replayed.",
        ),
        notes=(
            "Delivery logs ({request_id}): TLS handshake fails, their cert chain incomplete.",
            "Replay for >24h needs tier 2 tooling.",
        ),
        handoff=Handoff(
            "api",
            "Webhook deliveries to the customer's endpoint fail with {http_code}.",
            "Checked delivery logs ({request_id}), endpoint reachable from outside.",
            "Customer's order processing depends on these events.",
        ),
        tiers=(0.5, 0.42, 0.08),
    ),
    Scenario(
        key="gdpr_deletion",
        weight=1.5,
        group="Frontline",
        tags=("privacy", "gdpr"),
        subjects=(
            "Please delete my account and all my data",
            "GDPR data access request",
            "Right to erasure request",
        ),
        openings=(
            "Under GDPR Article 17 I request deletion of my account and all personal data "
            "you hold about me. Please confirm when done.",
            "I'd like a copy of all personal data you store about me (GDPR Article 15).",
        ),
        followups=(
            "Do you also delete backups?",
            "Please confirm within the legal deadline.",
        ),
        first_replies=(
            "We've received your request. For security, please confirm it by replying from "
            "the email address on the account.",
            "Thanks — I've logged your data request; we'll respond within 30 days, usually "
            "much faster.",
        ),
        resolutions=(
            "Your account and personal data have been deleted. Backups are purged on a "
            "rolling 30-day schedule. This is our final email to you.",
            "Your data export is attached as a password-protected ZIP; the password "
            "follows in a separate email.",
        ),
        notes=(
            "Identity confirmed. Deletion job queued; DPO informed.",
            "Logged in privacy register; deadline in 30 days.",
        ),
        handoff=Handoff(
            "privacy",
            "Deletion job fails for the account (foreign key on shared workspace).",
            "Removed user from workspaces, re-ran deletion.",
            "Legal deadline for the erasure request.",
        ),
    ),
    Scenario(
        key="slow_performance",
        weight=2,
        group="Frontline",
        tags=("performance",),
        subjects=(
            "Dashboard very slow to load",
            "{product} extremely slow today",
            "Reports take minutes to open",
        ),
        openings=(
            "The dashboard takes 30+ seconds to load since this week. Other sites are "
            "fast, so it's not our internet. {browser} on {os}.",
            "{product} has become really slow for our team, especially {feature}. "
            "Is something going on?",
        ),
        followups=(
            "It's faster early in the morning and slow in the afternoon.",
            "Here's a HAR file from the browser.",
        ),
        first_replies=(
            "Thanks for letting us know. Could you send a HAR file of a slow page load so "
            "we can see which requests take long?",
            "I'm checking our performance dashboards for your region.",
        ),
        resolutions=(
            "A slow database query for workspaces with many saved filters was the cause; "
            "it's been optimised and the dashboard loads in under 2 seconds again.",
            "We added capacity in {region}; load times are back to normal.",
        ),
        notes=(
            "HAR: /api/dashboard p95 28s. Workspace has 1,900 saved filters.",
            "APM shows slow query on the reports endpoint since last deploy.",
        ),
        handoff=Handoff(
            "performance",
            "Dashboard endpoint p95 ~28s for one large workspace.",
            "HAR captured, cache cleared, compared with a smaller workspace.",
            "Team of {seats} can barely use {product}.",
        ),
        tiers=_TECH,
    ),
    Scenario(
        key="integration_disconnected",
        weight=2,
        group="Frontline",
        tags=("integrations",),
        subjects=(
            "{integration} integration disconnected",
            "Can't reconnect {integration}",
            "{integration} sync stopped working",
        ),
        openings=(
            "Our {integration} integration shows 'Disconnected' and reconnecting fails "
            "with '{error}'.",
            "Since {weekday}, nothing from {product} shows up in {integration} anymore.",
        ),
        followups=(
            "I'm an admin in {integration}, so permissions should be fine.",
            "Tried reconnecting again — same result.",
        ),
        first_replies=(
            "The {integration} connection expires when the authorising user loses admin "
            "rights. Could you reconnect it from an admin account?",
            "I'm checking the connection logs for your {integration} integration.",
        ),
        resolutions=(
            "After re-authorising, the {integration} integration is connected and the "
            "backlog of events has synced.",
            "{integration} changed their API permissions; our update is live and the "
            "integration reconnects normally now.",
        ),
        notes=(
            "OAuth refresh failing with invalid_grant — token revoked on their side.",
            "Several {integration} disconnects today, likely on their side. Watching.",
        ),
        handoff=Handoff(
            "integrations",
            "{integration} OAuth refresh fails with invalid_grant after reconnecting.",
            "Reconnected with an admin user, revoked and re-granted the app.",
            "Customer's workflow with {integration} stopped.",
        ),
        tiers=(0.8, 0.17, 0.03),
    ),
    Scenario(
        key="how_to_users",
        weight=4,
        group="Frontline",
        tags=("how-to", "users"),
        subjects=(
            "How do I add a teammate?",
            "Changing the workspace owner",
            "Remove a user who left the company",
        ),
        openings=(
            "How do I invite a colleague to our workspace? I can't find the option.",
            "Our workspace owner left the company. How do we transfer ownership to me?",
            "A colleague left and I need to remove their access and reassign their work.",
        ),
        followups=(
            "I don't see the 'Members' tab — maybe I'm not an admin?",
            "Thanks, and will their files be deleted?",
        ),
        first_replies=(
            "You can invite people under Settings → Members → Invite. Only admins see "
            "this option; if it's missing, an admin can promote you.",
            "Ownership can be transferred by the current owner, or by us after verifying "
            "with your billing contact.",
        ),
        resolutions=(
            "Ownership has been transferred to you. You can now manage billing and members.",
            "The user has been removed; their items were reassigned to you, nothing was deleted.",
        ),
        notes=(
            "Verified with billing contact before transferring ownership.",
            "Customer on {plan}; member limit not reached.",
        ),
        handoff=Handoff(
            "accounts",
            "Ownership transfer fails with 'owner has active subscription'.",
            "Verified billing contact, tried from admin.",
            "Workspace has no active admin.",
        ),
    ),
    Scenario(
        key="email_notifications",
        weight=2,
        group="Frontline",
        tags=("notifications", "email-deliverability"),
        subjects=(
            "Notifications going to spam",
            "Not receiving any email notifications",
            "Too many notification emails",
        ),
        openings=(
            "Our team doesn't receive notification emails from {product} anymore. They're "
            "not in spam either.",
            "All emails from {company} land in our spam folder since last week.",
            "I get an email for every single change. How can I get a daily digest?",
        ),
        followups=(
            "Our IT says nothing is blocked on their side.",
            "Found them in quarantine after all.",
        ),
        first_replies=(
            "Thanks for reporting. I'm checking our mail logs for your domain.",
            "You can switch to a daily digest under Profile → Notifications → Frequency.",
        ),
        resolutions=(
            "Your mail server was rejecting our messages because of a strict DMARC "
            "policy; after your IT allow-listed us, notifications are arriving again.",
            "Glad the digest setting helps!",
        ),
        notes=(
            "Mail logs: 550 rejects from recipient domain, policy block.",
            "Domain on our suppression list after bounces; removed.",
        ),
        handoff=Handoff(
            "email",
            "All notifications to the customer's domain bounce with 550.",
            "Checked suppression list, SPF/DKIM pass, sent test message.",
            "Team of {seats} without notifications.",
        ),
        tiers=(0.8, 0.17, 0.03),
    ),
)

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
    "Waiting on the vendor; set on-hold until they reply.",
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
