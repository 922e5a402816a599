"""Who is in the demo: a fixed support team, and customers drawn from many cultures.

The agents' names and emails are documented (README, tests, the CLI's default
identity), so they are constants. Customers are generated: names from varied cultures
(non-ASCII on purpose, so every screen meets José, Zoë, Łukasz and 田中 美咲), unique
emails, and organisations shared by several contacts, as real B2B accounts are.
"""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from agentdesk.demo.sampling import Weighted, cumulative


@dataclass(frozen=True, slots=True)
class DemoGroup:
    """A team serving one tier."""

    name: str
    tier: int
    description: str


@dataclass(frozen=True, slots=True)
class DemoAgent:
    """A support agent of the demo team; ``tier`` is '1', '2', '3', 'lead' or 'admin'."""

    name: str
    email: str
    tier: str
    groups: tuple[str, ...]

    @property
    def first_name(self) -> str:
        """How the agent signs replies."""
        return self.name.split(" ", 1)[0]


#: The identity the desk uses when none is configured.
DEFAULT_AGENT_EMAIL: Final = "ana@support.example.com"

GROUPS: Final = (
    DemoGroup("Frontline", 1, "First answers for every channel: triage, how-to, accounts."),
    DemoGroup("Billing", 1, "Payments, refunds, invoices and plan changes."),
    DemoGroup("Technical", 2, "Bugs, integrations and API questions escalated from tier 1."),
    DemoGroup("Engineering", 3, "Product engineers on rotation for defects and incidents."),
)

#: The demo team. Emails are stable: documentation and tests refer to them.
AGENTS: Final = (
    DemoAgent("Ana Lima", "ana@support.example.com", "1", ("Frontline", "Billing")),
    DemoAgent("Ben Okafor", "ben@support.example.com", "1", ("Frontline",)),
    DemoAgent("Chloé Martin", "chloe@support.example.com", "1", ("Frontline",)),
    DemoAgent("Diego Ruiz", "diego@support.example.com", "1", ("Frontline", "Billing")),
    DemoAgent("Dev Patel", "dev@support.example.com", "2", ("Technical",)),
    DemoAgent("Grace Kim", "grace@support.example.com", "2", ("Technical",)),
    DemoAgent("Eva Novak", "eva@support.example.com", "3", ("Engineering",)),
    DemoAgent(
        "Lee Park",
        "lee@support.example.com",
        "lead",
        ("Frontline", "Billing", "Technical", "Engineering"),
    ),
    DemoAgent("Sam Admin", "sam@support.example.com", "admin", ()),
)

PLAN_MIX: Final = Weighted([("free", 0.6), ("pro", 0.3), ("enterprise", 0.1)])


@dataclass(frozen=True, slots=True)
class _Culture:
    weight: float
    given: tuple[str, ...]
    family: tuple[str, ...]
    family_first: bool = False


# "Display=ascii" where the email spelling cannot be derived by stripping accents.
_CULTURES: Final = (
    _Culture(
        16,
        ("James", "Emily", "Michael", "Sarah", "David", "Olivia", "Daniel", "Hannah",
         "Thomas", "Megan", "Ryan", "Zoë", "Aisha", "Connor"),
        ("Smith", "Johnson", "Brown", "Taylor", "Wilson", "Walker", "Harris", "Clarke",
         "Wright", "O'Brien", "Bennett", "Hughes", "Murphy", "Evans"),
    ),
    _Culture(
        10,
        ("José", "María", "Lucía", "Javier", "Sofía", "Mateo", "Valentina", "Andrés",
         "Camila", "Alejandro", "Inés", "Pablo"),
        ("García", "Martínez", "López", "Hernández", "Rodríguez", "Pérez", "Sánchez",
         "Ramírez", "Torres", "Flores", "Núñez", "Ortega"),
    ),
    _Culture(
        7,
        ("Léa", "Camille", "Hugo", "Théo", "Manon", "Louis", "Élodie", "Mathieu", "Amélie",
         "François"),
        ("Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Fournier", "Rousseau",
         "Bonnet", "Mercier", "Faure"),
    ),
    _Culture(
        7,
        ("Jürgen=juergen", "Lena", "Lukas", "Anna", "Felix", "Katharina", "Maximilian",
         "Sophie", "Jonas", "Greta"),
        ("Müller=mueller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker",
         "Schäfer=schaefer", "Köhler=koehler", "Wagner", "Hoffmann"),
    ),
    _Culture(
        5,
        ("Łukasz", "Agnieszka", "Katarzyna", "Piotr", "Małgorzata", "Tomasz", "Zofia",
         "Paweł", "Magdalena", "Krzysztof"),
        ("Kowalski", "Nowak", "Wiśniewska", "Wójcik", "Lewandowski", "Zieliński",
         "Kamińska", "Dąbrowski", "Szymańska", "Woźniak"),
    ),
    _Culture(
        4,
        ("Haruto", "Yui", "Sota", "Aoi", "Ren", "Sakura", "Yuki", "Hina"),
        ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"),
    ),
    # Written in Japanese order; the family name is also the polite form of address.
    _Culture(
        2,
        ("美咲=misaki", "翔太=shota", "陽菜=hina", "大翔=hiroto", "結衣=yui"),
        ("田中=tanaka", "佐藤=sato", "鈴木=suzuki", "高橋=takahashi", "山本=yamamoto"),
        family_first=True,
    ),
    _Culture(
        6,
        ("Wei", "Jing", "Xiaoming", "Yan", "Hao", "Mei", "Jun", "Lei", "Fang", "Yu"),
        ("Zhang", "Wang", "Chen", "Liu", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Li"),
    ),
    _Culture(
        3,
        ("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-yun", "Soo-ah"),
        ("Kim", "Lee", "Park", "Choi", "Jung", "Kang"),
    ),
    _Culture(
        9,
        ("Priya", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram", "Aditi", "Rahul", "Sneha",
         "Karthik"),
        ("Sharma", "Patel", "Iyer", "Gupta", "Reddy", "Singh", "Nair", "Mehta", "Das", "Rao"),
    ),
    _Culture(
        5,
        ("Chinedu", "Ngozi", "Oluwaseun", "Amaka", "Tunde", "Folake", "Emeka", "Adaeze"),
        ("Okeke", "Adeyemi", "Bello", "Eze", "Balogun", "Adebayo", "Nwosu", "Obi"),
    ),
    _Culture(
        5,
        ("Ahmed", "Fatima", "Omar", "Layla", "Youssef", "Nour", "Karim", "Amira"),
        ("Hassan", "Al-Sayed", "Khalil", "Haddad", "Mansour", "Farouk", "Saleh", "Nasser"),
    ),
    _Culture(
        1,
        ("محمد=mohammed", "فاطمة=fatima", "يوسف=youssef", "ليلى=layla"),
        ("حداد=haddad", "منصور=mansour", "خليل=khalil"),
    ),
    _Culture(
        7,
        ("João", "Ana", "Gabriel", "Beatriz", "Lucas", "Larissa", "Rafael", "Juliana",
         "Thiago", "Fernanda"),
        ("Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Carvalho",
         "Gonçalves", "Araújo", "Ribeiro"),
    ),
    _Culture(
        4,
        ("Björn", "Åsa", "Søren", "Ingrid", "Lars", "Sigrid", "Erik", "Astrid", "Freja"),
        ("Johansson", "Andersson", "Nielsen", "Hansen", "Lindqvist", "Bergström", "Larsen",
         "Nyström", "Ødegaard"),
    ),
    _Culture(
        3,
        ("Ayşe", "Mehmet", "Emre", "Zeynep", "Burak", "Elif", "Can", "Selin"),
        ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk"),
    ),
    _Culture(
        3,
        ("Thảo", "Minh", "Linh", "Đức", "Hoa", "Quang"),
        ("Nguyễn", "Trần", "Lê", "Phạm", "Võ"),
    ),
    _Culture(
        3,
        ("Olena", "Dmytro", "Natalia", "Sergei", "Iryna", "Andriy"),
        ("Kovalenko", "Shevchenko", "Ivanova", "Petrov", "Bondarenko", "Melnyk"),
    ),
)  # fmt: skip

_FIXED_ORGS: Final = (
    "Acme Corp", "Globex", "Initech", "Contoso Ltd", "Fabrikam Inc.", "Northwind Traders",
    "Tailspin Toys", "Woodgrove Bank", "Litware Inc.", "Vandelay Industries",
)  # fmt: skip
_ORG_NAMES: Final = (
    "Blue Harbor", "Kestrel", "Sakura", "Nordlicht", "Atlas", "Copperleaf", "Lumen",
    "Redwood", "Silver Birch", "Greenfield", "Iron Bridge", "Polaris", "Cedar & Finch",
    "Tidewater", "Alpine", "Orbit", "Saffron", "Meridian", "Juniper", "Bright Pixel",
)  # fmt: skip
_ORG_TRADES: Final = (
    "Logistics", "Analytics", "Foods", "Health", "Labs", "Retail", "Media", "Travel",
    "Energy", "Design", "Legal", "Consulting", "Motors", "Pharma", "Robotics", "Education",
    "Games", "Outdoor", "Insurance", "Studios",
)  # fmt: skip
_ORG_FORMS: Final = ("", "", "", " GmbH", " Ltd", " Inc.", " S.A.", " K.K.", " B.V.", " AB")
_PERSONAL_DOMAINS: Final = ("example.com", "example.net", "example.org", "mail.example")

_TRANSLIT: Final = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ı": "i", "ß": "ss"}
)


def _ascii(text: str) -> str:
    """Lower-case ASCII for an email address: 'Łukasz' -> 'lukasz', "O'Brien" -> 'obrien'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def _split(entry: str) -> tuple[str, str]:
    display, _, spelled = entry.partition("=")
    return display, spelled or _ascii(display)


def _slug(text: str) -> str:
    words = ("".join(c for c in w if c.isalnum()) for w in _ascii_words(text))
    return "-".join(w for w in words if w)


def _ascii_words(text: str) -> Iterator[str]:
    for word in text.replace("&", " ").split():
        yield _ascii(word)


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """One generated customer, ready for the ``customer`` table."""

    name: str
    greeting_name: str
    email: str
    organization: str | None
    plan: str


def organizations(rng: random.Random) -> list[str]:
    """Every organisation name the demo can use: well-known fakes first, then a mix."""
    mixed = [f"{n} {t}" for n in _ORG_NAMES for t in _ORG_TRADES]
    rng.shuffle(mixed)
    return list(_FIXED_ORGS) + [m + _ORG_FORMS[i % len(_ORG_FORMS)] for i, m in enumerate(mixed)]


def customers(rng: random.Random, count: int) -> Iterator[CustomerRow]:
    """``count`` customers with unique emails; plans about 60/30/10 free/pro/enterprise.

    Enterprise contacts cluster in few large organisations (Acme Corp has many),
    pro contacts in many small ones; most free users have none.
    """
    orgs = organizations(rng)
    enterprise_orgs = max(5, min(count // 250, 200))
    pro_orgs = max(10, min(count // 20, len(orgs) - enterprise_orgs))
    culture_cum = cumulative([c.weight for c in _CULTURES])
    cultures = [
        ([_split(g) for g in c.given], [_split(f) for f in c.family], c.family_first)
        for c in _CULTURES
    ]
    taken: dict[str, int] = {}
    domains: dict[str, str] = {}
    rnd = rng.random
    for _ in range(count):
        plan = PLAN_MIX.pick(rnd)
        given_list, family_list, family_first = cultures[bisect_right(culture_cum, rnd())]
        given, given_ascii = given_list[int(rnd() * len(given_list))]
        family, family_ascii = family_list[int(rnd() * len(family_list))]
        if family_first:
            name, greeting = f"{family} {given}", family
        else:
            name, greeting = f"{given} {family}", given
        organization: str | None
        if plan == "enterprise":
            organization = orgs[int(enterprise_orgs * rnd() ** 2)]
        elif plan == "pro" or rnd() < 0.1:
            organization = orgs[enterprise_orgs + int(pro_orgs * rnd())]
        else:
            organization = None
        if organization is None:
            domain = _PERSONAL_DOMAINS[int(rnd() * len(_PERSONAL_DOMAINS))]
        else:
            domain = domains.get(organization) or domains.setdefault(
                organization, _slug(organization) + ".example"
            )
        local = f"{given_ascii}.{family_ascii}"
        key = f"{local}@{domain}"
        seen = taken.get(key, 0)
        taken[key] = seen + 1
        email = key if not seen else f"{local}{seen + 1}@{domain}"
        yield CustomerRow(name, greeting, email, organization, plan)
