"""The scenario families: who writes in about what, and how the desk answers.

Each :class:`~agentdesk.demo.corpus.Variant` is one coherent story (its subjects,
the customer's first message, the first reply, the resolution); a ticket picks one
variant and fills its ``{slots}``, so every message of a thread tells the same story.
Follow-ups, internal notes and the escalation handoff fit all variants of a family.
"""

from __future__ import annotations

from typing import Final

from agentdesk.demo.corpus import Handoff, Scenario, Variant

_T2: Final = (0.6, 0.32, 0.08)  # bug-like: often needs tier 2, sometimes engineering
_TECH: Final = (0.7, 0.25, 0.05)

SCENARIOS: Final = (
    Scenario(
        key="refund",
        weight=6,
        group="Billing",
        tags=("billing", "refund"),
        variants=(
            Variant(
                ("Refund request for order {order}", "Refund for {order} please"),
                "I was charged {amount} for order {order} but I cancelled within the trial "
                "period. Could you please refund it to my card?",
                "Thanks for reaching out about order {order}. I can see the {amount} charge on "
                "your account. Could you confirm the last four digits of the card so I can "
                "match the payment?",
                "I've issued a full refund of {amount} for order {order}. Depending on your "
                "bank it takes 5–10 business days to appear on your statement.",
            ),
            Variant(
                ("Please refund {amount} — wrong plan purchased", "Bought the wrong plan"),
                "I accidentally bought the {plan_name} plan instead of the monthly one. The "
                "charge was {amount}. Can this be refunded so I can purchase the right plan?",
                "I'm sorry about the mix-up with the {plan_name} plan. I'm checking the "
                "payment now and will get back to you shortly.",
                "The {amount} for the {plan_name} plan has been refunded and your workspace is "
                "back on the monthly plan. You'll receive a confirmation email shortly.",
            ),
            Variant(
                ("Requesting a refund for {product}", "Billed after we stopped using {product}"),
                "We stopped using {product} two weeks ago and were still billed {amount}. "
                "I'd like a refund for the unused period.",
                "Sorry to hear {product} didn't work out. I'm checking the subscription dates "
                "so I can work out the unused period.",
                "I've refunded {amount} for the unused period and cancelled the renewal, so "
                "you won't be billed for {product} again.",
            ),
        ),
        followups=(
            "Thanks. How long does it usually take for the refund to show up on my statement?",
            "The card ends in 4417, if that helps.",
        ),
        notes=(
            "Checked Stripe: charge succeeded, no prior refunds. Within the 30-day window, "
            "approving.",
            "Refund over €100 — approved by Lee in #billing. Customer on the {plan} plan.",
        ),
        handoff=Handoff(
            "billing",
            "Refund of {amount} fails in the billing admin with 'charge not refundable'.",
            "Retried the refund twice; checked the charge is settled in Stripe.",
            "Customer waiting on {amount}; refund window closes in {days} days.",
        ),
        subjects_i18n=("Reembolso del pedido {order}", "Remboursement de la commande {order}"),
    ),
    Scenario(
        key="double_charge",
        weight=4,
        group="Billing",
        tags=("billing", "payment"),
        variants=(
            Variant(
                ("Charged twice for my {plan_name} subscription", "Duplicate charge of {amount}"),
                "My bank statement shows two charges of {amount} from {company} on the same "
                "day. I only have one subscription. Please fix this.",
                "I'm sorry about the double charge. Could you send the dates of both charges "
                "as they appear on your statement?",
                "You're right: the payment was captured twice because of a retry on our side. "
                "I've refunded the duplicate {amount}; it should reach you within a week.",
            ),
            Variant(
                ("Why was my card billed two times this month?", "Two invoices this month?"),
                "We were billed twice for the {plan_name} plan this month (invoice {invoice} "
                "and another one without a number). Can you look into it?",
                "Thanks for flagging this. I can see invoice {invoice}; let me check whether "
                "a second payment was captured.",
                "The second charge was a pre-authorisation that your bank will release "
                "automatically within 3 business days. Only invoice {invoice} was paid.",
            ),
        ),
        followups=(
            "Attached is a screenshot of the statement showing both charges.",
            "Any news? The second charge pushed our account into overdraft.",
        ),
        notes=(
            "Checked Stripe: two captures 40s apart, idempotency key missing. Known issue "
            "BILL-212.",
            "Second charge is a pending auth only, will drop off. Told customer.",
        ),
        handoff=Handoff(
            "billing",
            "Duplicate capture of {amount}; the payment retry ignored the idempotency key.",
            "Refunded the duplicate manually; confirmed both captures in Stripe.",
            "Probably affects other customers billed on the same retry run.",
        ),
    ),
    Scenario(
        key="invoice_vat",
        weight=3,
        group="Billing",
        tags=("billing", "invoice", "vat"),
        variants=(
            Variant(
                ("VAT number missing on invoice {invoice}", "Invoice {invoice} needs our VAT ID"),
                "Our accounting team can't book invoice {invoice} because our VAT number "
                "{vat} is missing. Could you reissue it with the VAT ID and our full company "
                "address?",
                "Thanks — I can add the VAT ID {vat} to your billing profile. Could you confirm "
                "the exact company name and address that should appear on the invoice?",
                "I've updated your billing profile with VAT ID {vat} and reissued invoice "
                "{invoice}. The corrected PDF is available under Settings → Billing.",
            ),
            Variant(
                ("Reverse charge VAT not applied ({vat})", "VAT charged on a B2B invoice"),
                "We're a business in {country} and should be charged under the reverse-charge "
                "rules, but invoice {invoice} includes VAT. Our VAT ID is {vat}.",
                "I've checked invoice {invoice}. I'll validate the VAT ID {vat} in VIES and "
                "get back to you.",
                "VAT ID {vat} validated. Invoice {invoice} has been credited and reissued with "
                "reverse charge applied; the VAT amount will be refunded to your card.",
            ),
        ),
        followups=(
            "The company name should be exactly as registered, including the legal form.",
            "Can you also fix the previous two invoices? They have the same problem.",
        ),
        notes=(
            "VIES check OK for {vat}. Reissuing via billing admin, credit note created.",
            "VIES is down again — retry later before reissuing {invoice}.",
        ),
        handoff=Handoff(
            "billing",
            "Reverse charge not applied for {vat} although the VAT ID validates.",
            "Re-saved billing profile, revalidated in VIES, regenerated the invoice.",
            "Customer's accounting is blocked until the invoice is corrected.",
        ),
        subjects_i18n=("Rechnung {invoice} ohne USt-IdNr.", "Factura {invoice} sin NIF"),
    ),
    Scenario(
        key="plan_change",
        weight=3,
        group="Billing",
        tags=("billing", "upgrade"),
        variants=(
            Variant(
                ("Question about upgrading to {plan_name}", "Upgrade to {plan_name} mid-month?"),
                "We'd like to move to {plan_name}. Is the price prorated if we switch "
                "mid-month, and do we keep our data and settings?",
                "Happy to help with the upgrade. Yes, the price is prorated to the day and "
                "nothing changes in your data. Shall I make the change for you?",
                "Done — your workspace is now on {plan_name}. The prorated amount will appear "
                "on your next invoice.",
            ),
            Variant(
                ("Adding {seats} seats to our subscription", "Quote for {seats} more seats"),
                "How do we add more seats? We need {seats} users on {product} by next "
                "{weekday}, and procurement needs a quote first.",
                "You can add seats under Settings → Billing → Seats. I'll prepare a quote for "
                "{seats} seats on {plan_name} for your procurement team.",
                "I've attached a quote for {seats} seats on {plan_name}; it's valid for 30 "
                "days. Once it's signed the seats are available immediately.",
            ),
        ),
        followups=(
            "Great, thanks. Can the invoice go to our finance address instead?",
            "Could you send that in writing so I can forward it to procurement?",
        ),
        notes=(
            "Possible expansion — flagged to the account manager.",
            "Customer on {plan}; checked there's no pending invoice before changing plan.",
        ),
        handoff=Handoff(
            "billing",
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
        variants=(
            Variant(
                ("Please cancel my subscription", "Cancel {product} at the end of the term"),
                "Please cancel our {plan_name} subscription effective at the end of the current "
                "billing period. We've moved to a different tool.",
                "I'm sorry to see you go. Before I cancel: would a pause or a smaller plan "
                "help? If not, I'll process the cancellation right away.",
                "Your subscription is cancelled and won't renew. You'll keep access until the "
                "end of the current period, and you can export your data any time before then.",
            ),
            Variant(
                ("How do I close my account?", "Can't find the cancel button"),
                "I can't find a cancel button anywhere. I want to stop paying for {product}.",
                "You can cancel under Settings → Billing → Cancel subscription. I can also do "
                "it for you — just confirm and I'll take care of it.",
                "Cancellation confirmed. No further charges will be made; a confirmation email "
                "is on its way.",
            ),
        ),
        followups=(
            "Honestly the main reason is price. Is there a smaller plan?",
            "Please confirm in writing that we won't be charged again.",
        ),
        notes=(
            "Churn reason: price. Offered 20% retention discount, declined.",
            "Cancelled in billing admin; auto-renew off. Tagged churn-risk for CS review.",
        ),
        handoff=Handoff(
            "billing",
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
        variants=(
            Variant(
                ("Can't log in — 2FA code not accepted", "Authenticator codes always 'invalid'"),
                "Every time I enter the code from my authenticator app I get 'invalid code'. "
                "I've tried several codes in a row. I'm on {device} with {os}.",
                "Sorry you're locked out. Invalid codes are usually caused by the phone's clock "
                "drifting — could you check that date & time are set automatically?",
                "Glad the clock sync fixed it! Your codes will be accepted from now on.",
            ),
            Variant(
                ("Lost my phone, locked out by two-factor", "New phone, no 2FA codes"),
                "I got a new phone and didn't move my authenticator app. Now I can't get past "
                "the two-factor screen. How do I get back into my account?",
                "I can help you reset two-factor authentication. For security I'll need to "
                "verify your identity first: please reply from the account's email address and "
                "tell me the name of your workspace.",
                "Identity verified — I've reset two-factor authentication on your account. "
                "You'll set it up again at your next login; please keep the new backup codes "
                "somewhere safe.",
            ),
        ),
        followups=(
            "The time on my phone is set automatically, so I don't think it's a clock issue.",
            "I don't have the backup codes either, unfortunately.",
        ),
        notes=(
            "Identity verified via workspace owner + billing email. Resetting 2FA.",
            "Checked auth logs: 14 failed TOTP attempts, clock skew ~90s. Not an attack.",
        ),
        handoff=Handoff(
            "account-access",
            "TOTP codes rejected for a verified user even after 2FA reset.",
            "Reset 2FA twice, confirmed device clock, tried another authenticator app.",
            "User fully locked out of {product}.",
        ),
        subjects_i18n=(
            "Problème de connexion avec la double authentification",
            "Anmeldung mit Zwei-Faktor-Code schlägt fehl",
        ),
    ),
    Scenario(
        key="password_reset",
        weight=6,
        group="Frontline",
        tags=("login", "password-reset"),
        variants=(
            Variant(
                ("Password reset email never arrives", "Forgot password — no email received"),
                "I requested a password reset three times and never got the email. I checked "
                "spam too. My login is this email address.",
                "Sorry about that. I've checked and the reset emails were sent. Could you check "
                "whether your mail server blocks messages from no-reply@nimbus.example?",
                "Your company's mail filter was holding our emails. After whitelisting "
                "no-reply@nimbus.example the reset email arrived — you're all set.",
            ),
            Variant(
                ("Reset link says 'expired'", "Password reset link expired immediately"),
                "The password reset link says 'This link has expired' even though I clicked it "
                "within a minute. I'm using {browser}.",
                "Expired links usually mean the link was opened by an email security scanner "
                "first. I'll send you a fresh link manually.",
                "I've sent a new reset link directly; it's valid for 60 minutes. Once you're "
                "in, you can change the password under Profile → Security.",
            ),
        ),
        followups=(
            "Still nothing, and I checked the spam and promotions folders.",
            "Tried again in a private window — same result.",
        ),
        notes=(
            "Checked mail logs: 3 resets delivered, 250 OK from recipient server. Likely "
            "quarantined on their side.",
            "Link pre-clicked by a URL scanner (user agent in logs). Sent manual link.",
        ),
        handoff=Handoff(
            "account-access",
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
        variants=(
            Variant(
                ("Account locked after too many attempts", "Locked out of {product}"),
                "I mistyped my password a few times and now it says my account is locked for "
                "security reasons. How long does that last?",
                "The lock lifts automatically after 30 minutes, but I can unlock it now. Can "
                "you confirm this is your own account and that you were the one trying?",
                "Your account is unlocked. If you'd like, enable two-factor authentication to "
                "keep it safe from password-guessing attempts.",
            ),
            Variant(
                ("'Your account has been suspended' message", "Account suspended but we paid"),
                "When I log in I get 'Your account has been suspended'. We pay for {plan_name}, "
                "so I don't understand why.",
                "I'm checking why the account shows as suspended — one moment.",
                "The suspension came from a failed payment retry that has since succeeded. "
                "I've reactivated the account; sorry for the trouble.",
            ),
        ),
        followups=(
            "It's been more than an hour and it's still locked.",
            "Our invoices are paid, I can send a receipt.",
        ),
        notes=(
            "Lockout from 12 failed logins from one IP (the customer's office). Unlocked.",
            "Suspension flag left over from dunning although invoice paid. Cleared manually.",
        ),
        handoff=Handoff(
            "account-access",
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
        variants=(
            Variant(
                ("Error '{error}' when saving {feature}", "Something went wrong: {error}"),
                "When I try to save {feature} I get this error:\n\n    {error}\n\nIt started "
                "today. I'm using {browser} on {os}.",
                "Thanks for the detailed report. Could you send the time it last happened "
                "(with your time zone) so I can find the request in our logs?",
                "A fix was deployed this morning; saving {feature} works again. Thanks for "
                "reporting it and for your patience.",
            ),
            Variant(
                ("Bug: {feature} broken since the update", "{product}: {feature} doesn't work"),
                "Since the latest update {feature} doesn't work anymore. The page shows "
                "'Something went wrong' and the console says: {error}",
                "Sorry about this. I've reproduced the error on my side and I'm checking with "
                "our technical team.",
                "This was caused by a corrupted draft in your account. I've cleared it and "
                "{feature} saves normally now.",
            ),
            Variant(
                ("{product} shows an error on save", "Can't save changes in {product}"),
                "Steps: open {product}, go to {feature}, change anything, click Save.\n"
                "Expected: saved. Actual: {error}",
                "Thanks for the clear steps. I can reproduce it and have logged it as a bug.",
                "The bug is fixed in today's release — saving in {feature} works again.",
            ),
        ),
        followups=(
            "I tried in a private window and with extensions disabled — same error.",
            "It also happens for my colleagues, so it's not just my account.",
        ),
        updates=(
            "Our engineers have identified the cause and a fix is being tested. I'll let "
            "you know as soon as it's deployed.",
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
        variants=(
            Variant(
                ("URGENT: {product} is down", "Site down — getting {http_code} errors"),
                "{product} has been completely down for us for the last 20 minutes. Every page "
                "returns a {http_code}. Our whole team is blocked.",
                "We're aware of elevated {http_code} errors in {region} and our engineers are "
                "working on it. I'll update you as soon as we know more.",
                "The incident is resolved and {product} is fully available again. A "
                "post-incident report will be published on our status page within 48 hours.",
            ),
            Variant(
                ("Is there an outage right now?", "Nothing loads in {region}"),
                "Is there an outage? Nothing loads, the status page says all systems "
                "operational but we get {http_code} errors.",
                "Thanks for letting us know. I'm checking with the on-call team right now.",
                "Everything is back to normal. We've credited your account for the downtime in "
                "line with the SLA.",
            ),
        ),
        followups=(
            "Still down. This is costing us real money — please give us an ETA.",
            "It's back for some users but not others.",
        ),
        updates=(
            "Update: the cause has been identified (a failing load balancer in {region}) and "
            "traffic is being moved. Most requests should succeed again shortly.",
        ),
        notes=(
            "Linked to incident INC-{request_id}. Status page updated by on-call.",
            "Checked dashboards: {http_code} rate 38% in {region} since 09:12 UTC.",
        ),
        handoff=Handoff(
            "outage",
            "{product} returning {http_code} for customers in {region}.",
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
        variants=(
            Variant(
                ("Where is my order {order}?", "Order {order} still not delivered"),
                "I ordered a {hardware} {days} days ago (order {order}) and it still hasn't "
                "arrived. The tracking number {tracking} hasn't updated since last {weekday}.",
                "Sorry for the delay with order {order}. I've opened an enquiry with {carrier} "
                "and will update you within 24 hours.",
                "{carrier} confirmed the parcel was lost, so I've shipped a replacement "
                "{hardware} by express. New tracking number: {tracking}.",
            ),
            Variant(
                ("{hardware} shipment stuck with {carrier}", "Delivery exception on {order}"),
                "The {carrier} tracking for order {order} says 'delivery exception'. What does "
                "that mean and when will I get my {hardware}?",
                "A 'delivery exception' usually means the carrier needs the address confirmed. "
                "Could you confirm your delivery address for order {order}?",
                "Good news: {carrier} has delivered order {order} today. Enjoy your {hardware}!",
            ),
        ),
        followups=(
            "The tracking now says it was returned to sender?!",
            "I need it before next {weekday} for an event. Can you ship a replacement?",
        ),
        notes=(
            "Opened carrier claim with {carrier} for {tracking}. Follow up in 2 days.",
            "Warehouse confirms {order} left on time; delay is on the carrier side.",
        ),
        handoff=Handoff(
            "other",
            "Order {order} shows shipped but the warehouse has no scan.",
            "Checked carrier portal and warehouse system.",
            "Customer needs the {hardware} for an event next {weekday}.",
        ),
        subjects_i18n=(
            "Pedido {order} sin entregar",
            "Zamówienie {order} nie dotarło",
            "注文 {order} がまだ届きません",
        ),
    ),
    Scenario(
        key="damaged_item",
        weight=2,
        group="Frontline",
        tags=("shipping", "damaged", "replacement"),
        variants=(
            Variant(
                ("{hardware} arrived damaged", "Broken on delivery (order {order})"),
                "My {hardware} arrived today with a cracked case and it doesn't turn on. The "
                "box was visibly crushed. Order {order}.",
                "I'm sorry your {hardware} arrived damaged. Could you send a photo of the "
                "device and the packaging? Then I'll arrange a replacement straight away.",
                "A replacement {hardware} is on its way (tracking {tracking}). You'll get a "
                "prepaid label to return the damaged one — no rush.",
            ),
            Variant(
                ("Parts missing from order {order}", "No power adapter with my {hardware}"),
                "The {hardware} I received is missing the power adapter and the casing is "
                "scratched. Order {order}.",
                "Sorry about that! I'll send the missing adapter right away. Would you like a "
                "replacement unit for the scratched casing as well?",
                "The adapter shipped today (tracking {tracking}) and I've refunded {amount} "
                "for the scratched casing.",
            ),
        ),
        followups=(
            "Here are photos of the box and the device.",
            "Do I need to send the broken one back first?",
        ),
        notes=(
            "Photos confirm transport damage. Replacement order created, claim filed with "
            "{carrier}.",
            "Third damaged {hardware} from this batch this week — told the warehouse lead.",
        ),
        handoff=Handoff(
            "other",
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
        variants=(
            Variant(
                ("Feature request: {wish}", "Any plans for {wish}?"),
                "Love {product}! One thing we really miss is {wish}. Is that on the roadmap?",
                "Thanks for the suggestion! I've added your vote for {wish} to our product "
                "board. I can't promise a date, but requests like this shape the roadmap.",
                "I've logged {wish} as a feature request with your use case attached. We'll "
                "email you if it ships. Thanks for helping us improve {product}!",
            ),
            Variant(
                ("Suggestion for {product}", "Would switch fully with {wish}"),
                "Our team would switch fully to {product} if it had {wish}. Any plans?",
                "Great idea — I've passed it on to our product team with your use case.",
                "Good news: {wish} is in beta. I've enabled it for your workspace — let us "
                "know what you think!",
            ),
        ),
        followups=(
            "Thanks! Is there a way to follow the request so I know when it ships?",
            "Would a workaround with the API be possible in the meantime?",
        ),
        notes=(
            "Added +1 to the product board item for {wish} ({plan} customer).",
            "Duplicate of an existing request; linked.",
        ),
        handoff=Handoff(
            "feature-gap",
            "Prospect asking for {wish} as a purchase condition.",
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
        variants=(
            Variant(
                ("API returning 429 Too Many Requests", "Unexpected 429s from the API"),
                "Our nightly sync job started failing with HTTP 429 Too Many Requests after "
                "about 2,000 calls. The docs say the limit is {rate_limit}. We're well below "
                "that. Request id: {request_id}",
                "Thanks for the request id. Limits are counted per token and per workspace, so "
                "parallel jobs share the budget. Are several processes using the same token?",
                "The 429s came from a second integration using the same token. With separate "
                "tokens your sync stays well under the limit.",
            ),
            Variant(
                ("Rate limit too low for our integration", "Higher API limit for an import?"),
                "Can we get a higher API rate limit? We're integrating {product} with our ERP "
                "and {rate_limit} isn't enough for the initial import.",
                "I'll check the rate limit on your workspace and whether a temporary increase "
                "is possible for the initial import.",
                "We've raised your workspace limit for the next 7 days so the initial import "
                "can finish. After that the standard {rate_limit} applies.",
            ),
        ),
        followups=(
            "We do honour the Retry-After header, but it says 3600 seconds.",
            "Here's a log excerpt with timestamps of the failing calls.",
        ),
        notes=(
            "Checked gateway logs for {request_id}: 2 tokens hitting the same bucket.",
            "Limit override needs tier 2 approval.",
        ),
        handoff=Handoff(
            "bug",
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
        variants=(
            Variant(
                ("CSV export times out", "Export of {file_size} workspace never finishes"),
                "We need a full export of our workspace (about {file_size}) for an audit. The "
                "export button spins for a while and then says 'Request timed out'.",
                "I'll look into why the export is timing out for your workspace.",
                "I ran the export for you from our side; the ZIP ({file_size}) is linked in "
                "your email and stays valid for 7 days.",
            ),
            Variant(
                ("How do I export all my data?", "Export everything to CSV?"),
                "How can I export all records from {product} to CSV? I only see an export for "
                "the current view.",
                "Large exports run in the background: under Settings → Data → Export you can "
                "start a full export and we'll email you a download link when it's ready.",
                "The full export has finished — you'll find the download link in your email. "
                "It stays valid for 7 days.",
            ),
        ),
        followups=(
            "Is there an API endpoint for this instead?",
            "We need it by the end of next week for the auditors.",
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
        variants=(
            Variant(
                ("SAML login fails: 'Invalid audience'", "SSO setup with {idp} not working"),
                "We're setting up SAML SSO with {idp}. After the redirect we get 'Invalid "
                "audience' and end up on the login page again.",
                "'Invalid audience' means the Entity ID in {idp} doesn't match ours exactly. "
                "It should be https://app.nimbus.example/saml/metadata — could you compare it?",
                "Great to hear the Entity ID fix worked. SSO with {idp} is live, and admins "
                "can still log in with a password as a break-glass option.",
            ),
            Variant(
                ("Enforcing single sign-on for all users", "Rolling out {idp} SSO safely"),
                "We want to enforce SSO via {idp} for everyone in our workspace. What's the "
                "recommended rollout so nobody gets locked out?",
                "For a safe rollout: enable SSO, test with two accounts, then enforce. I'll "
                "send our step-by-step guide for {idp}.",
                "SSO is enforced for your workspace. SCIM provisioning with {idp} is also "
                "enabled — new users will be created automatically.",
            ),
        ),
        followups=(
            "We compared them and they look identical to me.",
            "Does SCIM provisioning work with {idp} too?",
        ),
        notes=(
            "Checked SAML debug logs: audience mismatch (trailing slash). Sent fix.",
            "Enterprise onboarding — loop in the CSM before enforcing SSO.",
        ),
        handoff=Handoff(
            "account-access",
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
        variants=(
            Variant(
                ("{printer} keeps jamming", "{printer} shows red blinking light"),
                "Our {printer} jams every 10–20 labels. We use the official rolls. The light "
                "blinks red and I have to open it and pull the labels out.",
                "Sorry about the jams! Please try: power off, open the cover, clean the rubber "
                "roller with an alcohol wipe and recalibrate by holding the feed button 5 "
                "seconds.",
                "Since cleaning didn't help, the feed motor is likely faulty. Your {printer} is "
                "under warranty; I've arranged a replacement.",
            ),
            Variant(
                ("Labels come out crooked on {printer}", "Barcodes cut off after update"),
                "After the latest firmware update, labels from our {printer} come out crooked "
                "and half the barcode is cut off.",
                "Could you send a photo of how the roll is loaded and tell me the firmware "
                "version (Settings → Device in the app)?",
                "Good news — recalibrating fixed it. If it happens again, recalibrating after "
                "every roll change usually prevents it.",
            ),
        ),
        followups=(
            "Cleaned the rollers as you suggested, still the same.",
            "Firmware version shown in the app is 2.4.1.",
        ),
        notes=(
            "Known issue with firmware 2.4.1 and narrow rolls. Workaround: recalibrate.",
            "Warranty check OK (purchased within 24 months). RMA created.",
        ),
        handoff=Handoff(
            "bug",
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
        variants=(
            Variant(
                ("App crashes on launch after update to {app_version}", "App won't open"),
                "Since updating to version {app_version} the app crashes right after the splash "
                "screen. {device}, {os}. Reinstalling didn't help.",
                "Thanks for the details. I've found your crash report and forwarded it to our "
                "mobile team.",
                "Version {app_version} had a start-up bug on {os}; the fix is in the update "
                "that just went live. Please update from the app store.",
            ),
            Variant(
                ("Mobile app crash when opening attachments", "{product} app closes on {device}"),
                "The app closes as soon as I open an attachment. Happens every time. {device} "
                "on {os}, app version {app_version}.",
                "Sorry about the crashes. Could you try: Settings → Apps → {product} → Clear "
                "cache, then open the app again? If it still crashes, please send a crash "
                "report via Settings → Help.",
                "Clearing the cache did the trick — glad the app works again!",
            ),
        ),
        followups=(
            "I sent a crash report from the app just now.",
            "Same thing on my colleague's phone ({device}).",
        ),
        notes=(
            "Crashlytics: 1.2k crashes on {app_version}, all {os}. Stack in image decoder.",
            "Asked for crash report id; device {device} is on the supported list.",
        ),
        handoff=Handoff(
            "bug",
            "Crash in {app_version} on {os} ({device}).",
            "Clear cache, reinstall; the previous version via TestFlight works.",
            "Spike in crash reports since the {app_version} rollout.",
        ),
        tiers=_T2,
        priorities=(0.1, 0.5, 0.35, 0.05),
    ),
    Scenario(
        key="sync_issue",
        weight=3,
        group="Frontline",
        tags=("sync", "bug"),
        variants=(
            Variant(
                ("Files not syncing between devices", "Nimbus Sync stuck at 'Preparing…'"),
                "Files I save on my laptop ({os}) don't show up on my phone anymore. The sync "
                "icon says 'Preparing…' for hours.",
                "Sorry about the sync trouble. Could you send the sync log (Help → Export "
                "logs) so I can see where it stops?",
                "A corrupted index on one device was blocking sync. After re-linking that "
                "device everything is up to date again.",
            ),
            Variant(
                ("Conflicted copies everywhere", "Every edit creates a 'conflicted copy'"),
                "Since yesterday every file edit creates a 'conflicted copy'. We have dozens "
                "now in our shared folders.",
                "Conflicted copies appear when two devices edit offline. Are any devices "
                "running an older app version?",
                "The fix for the conflict bug is rolled out; you can safely delete the "
                "conflicted copies once you've checked them.",
            ),
        ),
        followups=(
            "Restarting the app didn't change anything.",
            "The sync log shows: {error}",
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
        variants=(
            Variant(
                ("Webhooks failing with {http_code}", "Missing webhook events since {weekday}"),
                "Our webhook endpoint stopped receiving events. The dashboard shows deliveries "
                "failing with {http_code} but our endpoint is up and returns 200 to curl.",
                "I'm checking the delivery attempts for your endpoint now.",
                "The {http_code}s came from your WAF blocking our new IP range. With the "
                "updated allow-list deliveries succeed, and I've replayed the missed events.",
            ),
            Variant(
                ("Webhook deliveries disabled for our endpoint", "Re-enable our webhooks?"),
                "We got an email that webhook deliveries were disabled after repeated "
                "failures. How do we re-enable them and replay missed events?",
                "Deliveries are disabled after 24h of failures. You can re-enable them under "
                "Settings → Webhooks; I'll check which events were missed.",
                "Webhooks are re-enabled and the last 48 hours of events have been replayed.",
            ),
        ),
        followups=(
            "Our endpoint responds in under 2 seconds, so it shouldn't be a timeout.",
            "Can you replay events from the last 48 hours?",
        ),
        notes=(
            "Delivery logs ({request_id}): TLS handshake fails, their cert chain incomplete.",
            "Replay for >24h needs tier 2 tooling.",
        ),
        handoff=Handoff(
            "bug",
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
        variants=(
            Variant(
                ("Please delete my account and all my data", "Right to erasure request"),
                "Under GDPR Article 17 I request deletion of my account and all personal data "
                "you hold about me. Please confirm when done.",
                "We've received your request. For security, please confirm it by replying from "
                "the email address on the account.",
                "Your account and personal data have been deleted. Backups are purged on a "
                "rolling 30-day schedule. This is our final email to you.",
            ),
            Variant(
                ("GDPR data access request", "Copy of my personal data"),
                "I'd like a copy of all personal data you store about me (GDPR Article 15).",
                "Thanks — I've logged your data request; we'll respond within 30 days, usually "
                "much faster.",
                "Your data export is attached as a password-protected ZIP; the password "
                "follows in a separate email.",
            ),
        ),
        followups=(
            "Do you also delete backups?",
            "Please confirm within the legal deadline.",
        ),
        notes=(
            "Identity confirmed. Request logged in the privacy register; DPO informed.",
            "Logged in privacy register; deadline in 30 days.",
        ),
        handoff=Handoff(
            "data-request",
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
        variants=(
            Variant(
                ("Dashboard very slow to load", "Reports take minutes to open"),
                "The dashboard takes 30+ seconds to load since this week. Other sites are "
                "fast, so it's not our internet. {browser} on {os}.",
                "Thanks for letting us know. Could you send a HAR file of a slow page load so "
                "we can see which requests take long?",
                "A slow database query for workspaces with many saved filters was the cause; "
                "it's been optimised and the dashboard loads in under 2 seconds again.",
            ),
            Variant(
                ("{product} extremely slow today", "Everything is slow in {product}"),
                "{product} has become really slow for our team, especially {feature}. Is "
                "something going on?",
                "I'm checking our performance dashboards for your region.",
                "We added capacity in {region}; load times are back to normal.",
            ),
        ),
        followups=(
            "It's faster early in the morning and slow in the afternoon.",
            "Here's a HAR file from the browser.",
        ),
        notes=(
            "HAR: /api/dashboard p95 28s. Workspace has 1,900 saved filters.",
            "APM shows slow query on the reports endpoint since last deploy.",
        ),
        handoff=Handoff(
            "bug",
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
        variants=(
            Variant(
                ("{integration} integration disconnected", "Can't reconnect {integration}"),
                "Our {integration} integration shows 'Disconnected' and reconnecting fails "
                "with '{error}'.",
                "The {integration} connection expires when the authorising user loses admin "
                "rights. Could you reconnect it from an admin account?",
                "After re-authorising, the {integration} integration is connected and the "
                "backlog of events has synced.",
            ),
            Variant(
                ("{integration} sync stopped working", "Nothing arrives in {integration}"),
                "Since {weekday}, nothing from {product} shows up in {integration} anymore.",
                "I'm checking the connection logs for your {integration} integration.",
                "{integration} changed their API permissions; our update is live and the "
                "integration syncs normally again.",
            ),
        ),
        followups=(
            "I'm an admin in {integration}, so permissions should be fine.",
            "Tried reconnecting again — same result.",
        ),
        notes=(
            "OAuth refresh failing with invalid_grant — token revoked on their side.",
            "Several {integration} disconnects today, likely on their side. Watching.",
        ),
        handoff=Handoff(
            "bug",
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
        variants=(
            Variant(
                ("How do I add a teammate?", "Invite a colleague to {product}"),
                "How do I invite a colleague to our workspace? I can't find the option.",
                "You can invite people under Settings → Members → Invite. Only admins see "
                "this option; if it's missing, an admin can promote you.",
                "I've made you an admin of the workspace, so you can invite your colleagues "
                "under Settings → Members now.",
            ),
            Variant(
                ("Changing the workspace owner", "Our workspace owner left"),
                "Our workspace owner left the company. How do we transfer ownership to me?",
                "Ownership can be transferred by the current owner, or by us after verifying "
                "with your billing contact.",
                "Ownership has been transferred to you. You can now manage billing and members.",
            ),
            Variant(
                ("Remove a user who left the company", "Offboarding a user"),
                "A colleague left and I need to remove their access and reassign their work.",
                "You can remove them under Settings → Members; their items can be reassigned "
                "to you in the same step.",
                "The user has been removed; their items were reassigned to you, nothing was "
                "deleted.",
            ),
        ),
        followups=(
            "I don't see the 'Members' tab — maybe I'm not an admin?",
            "Thanks, and will their files be deleted?",
        ),
        notes=(
            "Verified with billing contact before changing roles.",
            "Customer on {plan}; member limit not reached.",
        ),
        handoff=Handoff(
            "account-access",
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
        variants=(
            Variant(
                ("Not receiving any email notifications", "Notifications going to spam"),
                "Our team doesn't receive notification emails from {product} anymore. They're "
                "not in spam either.",
                "Thanks for reporting. I'm checking our mail logs for your domain.",
                "Your mail server was rejecting our messages because of a strict DMARC policy; "
                "after your IT allow-listed us, notifications are arriving again.",
            ),
            Variant(
                ("Too many notification emails", "Daily digest instead of every change?"),
                "I get an email for every single change. How can I get a daily digest?",
                "You can switch to a daily digest under Profile → Notifications → Frequency.",
                "Glad the digest setting helps! You'll get one summary email each morning now.",
            ),
        ),
        followups=(
            "Our IT says nothing is blocked on their side.",
            "Found the setting, thanks — is there a weekly option too?",
        ),
        notes=(
            "Mail logs: 550 rejects from recipient domain, policy block.",
            "Domain on our suppression list after bounces; removed.",
        ),
        handoff=Handoff(
            "bug",
            "All notifications to the customer's domain bounce with 550.",
            "Checked suppression list, SPF/DKIM pass, sent test message.",
            "Team of {seats} without notifications.",
        ),
        tiers=(0.8, 0.17, 0.03),
    ),
)
