"""Compose Italian names, titles and descriptions from the vocabulary in `content.py`.

Every function takes the generator's `random.Random`, so the text is as deterministic
as the rest of the data.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from faker import Faker

from marketplace.demo import content
from marketplace.demo.codes import ascii_letters
from marketplace.demo.content import Line, Theme


def weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def in_comune(name: str) -> str:
    """The preposition Italian uses before a place name: "a Melzo", "ad Albairate"."""
    return f"ad {name}" if name[:1] in "Aa" else f"a {name}"


def to(phrase: str) -> str:
    """ "a" before an infinitive, "ad" before one starting with a: "a stirare", "ad allestire"."""
    return f"ad {phrase}" if phrase[:1] in "Aa" else f"a {phrase}"


def slug(text: str) -> str:
    """ASCII lower-case words joined by dots ('Nicolò D'Amico' -> 'nicolo.damico')."""
    words = [ascii_letters(word).lower() for word in re.split(r"[\s\-]+", text)]
    return ".".join(word for word in words if word)


def full_name(fake: Faker) -> str:
    # Not fake.name(): it sometimes adds titles ("Sig.ra", "Dott.") that end up in email addresses.
    return f"{fake.first_name()} {fake.last_name()}"


# --- Organisations -----------------------------------------------------------------------


def company_name(rng: random.Random, fake: Faker, line: Line, legal_form: str | None = None) -> str:
    """A company's name ending with its legal form ("" for a ditta individuale); drawn when not given."""
    pattern = weighted(rng, content.COMPANY_PATTERNS)
    core = pattern.format(
        surname=fake.last_name(),
        surname2=fake.last_name(),
        word=rng.choice(line.business_words or ("Servizi",)),
        place=rng.choice(content.PLACE_WORDS),
    )
    if legal_form is None:
        legal_form = weighted(rng, content.COMPANY_LEGAL_FORMS)
    if legal_form in ("S.n.c.", "S.a.s.") and "&" not in core:
        # Partnerships are named after a partner: "… S.n.c. di Mario Rossi & C."
        return f"{core} {legal_form} di {fake.first_name()} {fake.last_name()} & C."
    return f"{core} {legal_form}".strip()


def organization_name(
    rng: random.Random, fake: Faker, kind: str, line: Line, comune: str, legal_form: str | None = None
) -> str:
    name = rng.choice(content.SOCIAL_NAMES)
    place = rng.choice(content.PLACE_WORDS)
    if kind in ("social_coop_a", "social_coop_b"):
        return rng.choice(content.COOP_PATTERNS).format(name=name)
    if kind == "social_enterprise":
        return rng.choice(content.SOCIAL_ENTERPRISE_PATTERNS).format(name=name)
    if kind == "association":
        return rng.choice(content.ASSOCIATION_PATTERNS).format(name=name, place=place)
    if kind == "public_body":
        return rng.choice(line.names or ("Comune di {comune}",)).format(comune=comune, place=place)
    return company_name(rng, fake, line, legal_form)


_KIND_SENTENCES = {
    "company": (
        "Collabora con il SIL e con i servizi del territorio per accogliere tirocinanti.",
        "È disponibile a ospitare tirocini, stage e percorsi PCTO.",
        "Cerca giovani motivati da formare e, quando possibile, assumere.",
    ),
    "social_coop_b": (
        "Come cooperativa di tipo B, inserisce al lavoro persone svantaggiate: almeno il 30% dei soci lavoratori.",
        "Dal lavoro nasce l'inclusione: ogni anno attiva borse lavoro e tirocini di inclusione.",
    ),
    "social_coop_a": (
        "Gestisce servizi socio-sanitari ed educativi in convenzione con i Comuni dell'ambito.",
        "Lavora con équipe di educatori, ASA e psicologi, in rete con i servizi sociali.",
    ),
    "social_enterprise": (
        "È un'impresa sociale: gli utili sono reinvestiti nell'attività e nell'inclusione lavorativa.",
    ),
    "association": (
        "È un ente del Terzo settore che vive grazie all'impegno dei volontari.",
        "Propone attività gratuite per ragazzi, famiglie e cittadini del territorio.",
    ),
    "public_body": (
        "Collabora con la rete dell'Adda Martesana per i percorsi di orientamento e inclusione.",
        "Ospita tirocini e progetti di cittadinanza in accordo con il Piano di Zona.",
    ),
}


def organization_description(
    rng: random.Random, name: str, kind: str, line: Line, comune: str, obligated_68: bool
) -> str:
    since = "" if kind == "public_body" else f" dal {rng.randint(1965, 2021)}"
    sentences = [
        f"{name} si occupa di {line.activity}{since}, con sede {in_comune(comune)}.",
        rng.choice(_KIND_SENTENCES[kind]),
    ]
    if obligated_68 and kind != "public_body" and rng.random() < 0.5:
        sentences.append("È soggetta agli obblighi di assunzione della legge 68/1999 (collocamento mirato).")
    return " ".join(sentences)


def street_address(rng: random.Random, fake: Faker) -> str:
    # Faker's Italian streets are invented ("Borgo Costantino"); mix them with common real-world names.
    street = rng.choice(content.STREET_NAMES) if rng.random() < 0.6 else fake.street_name()
    return f"{street}, {rng.randint(1, 180)}"


def website(rng: random.Random, name: str) -> str | None:
    if rng.random() < 0.3:
        return None
    words = [w for w in slug(name).split(".") if w not in {"s", "r", "l", "p", "a", "n", "c", "di", "e"}]
    return f"https://www.{'-'.join(words[:3]) or 'ente'}.example.org"


# --- Opportunities -----------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What one opportunity is about; title and description both read from it."""

    role: str
    setting: str
    workshop: str
    course: str
    volunteering: tuple[str, str, str]
    guidance: str


def pick_subject(rng: random.Random, theme: Theme, line: Line) -> Subject:
    workshops = theme.workshops + content.GENERIC_WORKSHOPS
    courses = theme.courses + content.GENERIC_COURSES
    return Subject(
        role=rng.choice(line.roles),
        setting=rng.choice(line.settings),
        # The theme's own topics first: a cooking workshop is likelier at a restaurant.
        workshop=rng.choice(theme.workshops) if theme.workshops and rng.random() < 0.6 else rng.choice(workshops),
        course=rng.choice(theme.courses) if theme.courses and rng.random() < 0.6 else rng.choice(courses),
        volunteering=rng.choice(content.VOLUNTEERING_PLACES),
        guidance=rng.choice(content.GUIDANCE_TITLES),
    )


def opportunity_title(rng: random.Random, kind: str, subject: Subject, comune: str, obligated_68: bool) -> str:
    templates = content.TITLE_TEMPLATES[kind]
    if not obligated_68:
        templates = tuple(t for t in templates if "68/99" not in t) or templates
    title = rng.choice(templates).format(
        role=subject.role,
        Role=capitalize(subject.role),
        setting=subject.setting,
        workshop=subject.workshop,
        course=subject.course,
        place=subject.volunteering[0],
        place_short=subject.volunteering[1],
        guidance=subject.guidance,
        comune=comune,
        in_comune=in_comune(comune),
    )
    return capitalize(title)[:200]


@dataclass(frozen=True)
class Terms:
    """The practical facts a description mentions."""

    comune: str
    hours_per_week: int | None
    allowance_eur: int | None
    age_min: int | None
    age_max: int | None
    permanent: bool  # a job with no end date
    months: int


def _what_you_do(rng: random.Random, kind: str, subject: Subject, line: Line) -> str:
    if kind == "workshop":
        return rng.choice(content.WORKSHOP_SENTENCES).format(topic=subject.workshop, n=rng.randint(6, 12))
    if kind == "course":
        return rng.choice(content.COURSE_SENTENCES).format(course=subject.course, n=rng.randint(5, 20))
    if kind == "guidance":
        return rng.choice(content.GUIDANCE_SENTENCES)
    if kind == "volunteering":
        return rng.choice(content.VOLUNTEERING_SENTENCES).format(
            what=subject.volunteering[2], a_what=to(subject.volunteering[2])
        )
    first, second = rng.sample(line.tasks, 2)
    return rng.choice(content.WHAT_YOU_DO_INTROS).format(t1=first, t2=second, a_t1=to(first))


def _second_sentence(rng: random.Random, kind: str, theme: Theme, line: Line, terms: Terms) -> str | None:
    if kind == "job":
        if terms.permanent:
            return "Contratto a tempo indeterminato."
        return f"Contratto a tempo determinato di {terms.months} mesi, con possibilità di proroga."
    if rng.random() < 0.3:
        return None
    if kind in content.EXTRA_SENTENCES:
        return rng.choice(content.EXTRA_SENTENCES[kind])
    first, second = rng.sample(line.learnings or theme.learnings, 2)
    return rng.choice(content.LEARNING_SENTENCES).format(l1=first, l2=second)


def _who(rng: random.Random, kind: str, terms: Terms, room_for_ages: bool) -> str:
    sentence = rng.choice(content.WHO_SENTENCES[kind])
    if room_for_ages and terms.age_min is not None and terms.age_max is not None and rng.random() < 0.6:
        sentence += f" Possono partecipare persone dai {terms.age_min} ai {terms.age_max} anni."
    return sentence


def _practicalities(rng: random.Random, kind: str, terms: Terms) -> str:
    where = in_comune(terms.comune)
    slots = next(slots for limit, slots in content.TIME_SLOTS if terms.hours_per_week <= limit)
    hours = f"Impegno di {terms.hours_per_week} ore settimanali, {rng.choice(slots)}, {where}"
    if terms.allowance_eur is None:
        return f"{hours}; la partecipazione è gratuita."
    if kind in ("job", "apprenticeship"):
        return f"{hours}, con una retribuzione lorda di circa {terms.allowance_eur} € al mese."
    return f"{hours}, con un'indennità mensile di {terms.allowance_eur} €."


def opportunity_description(
    rng: random.Random, kind: str, subject: Subject, theme: Theme, line: Line, terms: Terms
) -> str:
    """Two to four plain sentences: what you do, what you learn, who it is for, when and where."""
    parts = [_what_you_do(rng, kind, subject, line)]
    second = _second_sentence(rng, kind, theme, line, terms)
    if second:
        parts.append(second)
    parts.append(_who(rng, kind, terms, room_for_ages=second is None))
    if terms.hours_per_week is not None and rng.random() < 0.85:
        parts.append(_practicalities(rng, kind, terms))
    return " ".join(parts)


# --- People ------------------------------------------------------------------------------


def aspiration(rng: random.Random, theme: Theme) -> str:
    line = rng.choice(theme.lines)
    return rng.choice(content.ASPIRATIONS).format(
        role=rng.choice(line.roles),
        setting=rng.choice(line.settings),
        course=rng.choice(theme.courses or content.GENERIC_COURSES),
    )
