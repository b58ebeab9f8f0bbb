"""The demo data for the Lightweight Innovation Award (used by ``manage.py seed_demo``)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
DEMO_PASSWORD = "laurel-demo-2023"  # noqa: S105 - printed for the demo; refused unless DEBUG

ORGANISER = "Composites United e.V."
DESCRIPTION_DE = (
    "Der Lightweight Innovation Award zeichnet Unternehmen aus Berlin und Brandenburg aus, "
    "die mit Leichtbau Material, Energie und Gewicht sparen – vom Start-up über den "
    "Mittelstand bis zur Industrie. Ein Projekt von Composites United e.V. im Rahmen von "
    "„Leichtbau made in Berlin“."
)
DESCRIPTION_EN = (
    "The Lightweight Innovation Award honours companies from Berlin and Brandenburg whose "
    "lightweight engineering saves material, energy and weight – from start-ups and SMEs to "
    "industry. A project of Composites United e.V. within “Leichtbau made in Berlin”."
)

CATEGORIES = [
    (
        "CON",
        "Bauen",
        "Construction",
        "Leichtbau für Gebäude, Brücken und Infrastruktur.",
        "Lightweight solutions for buildings, bridges and infrastructure.",
    ),
    (
        "MOB",
        "Mobilität",
        "Mobility",
        "Leichtere Fahrzeuge, Räder, Bahnen und Luftfahrt.",
        "Lighter vehicles, bikes, rail and aviation.",
    ),
    (
        "HEA",
        "Gesundheit",
        "Healthcare",
        "Medizintechnik, Orthopädie und Schutzausrüstung.",
        "Medical technology, orthopaedics and protective equipment.",
    ),
    (
        "LIF",
        "Lifestyle",
        "Lifestyle",
        "Sport, Möbel, Design und Alltagsprodukte.",
        "Sports, furniture, design and everyday products.",
    ),
]

CRITERIA = [
    (
        "Innovationsgrad",
        "Degree of innovation",
        "Wie neu ist die Lösung gegenüber dem Stand der Technik?",
        "How new is the solution compared with the state of the art?",
        Decimal("3"),
    ),
    (
        "Zukunftspotenzial für Mensch und Region",
        "Future potential for people and the region",
        "Nutzen für Menschen, Arbeitsplätze und Wertschöpfung in Berlin-Brandenburg.",
        "Benefit for people, jobs and value creation in Berlin-Brandenburg.",
        Decimal("2"),
    ),
    (
        "Leichtbaugrad",
        "Lightweight contribution",
        "Eingesparte Masse, Material und Energie, belegt mit Zahlen.",
        "Mass, material and energy saved, backed by figures.",
        Decimal("2"),
    ),
    (
        "Marktreife",
        "Market readiness",
        "Technologiereifegrad und Weg in den Markt.",
        "Technology readiness and path to market.",
        Decimal("1"),
    ),
]

# What the scores of each criterion mean (scale 1–10), shown to the jurors while they score.
LEVELS = {
    "Degree of innovation": [
        (
            1,
            2,
            "Keine erkennbare Neuerung gegenüber dem Stand der Technik.",
            "No recognisable innovation over the state of the art.",
        ),
        (
            3,
            4,
            "Bekannte Lösung, geringfügig verbessert oder neu kombiniert.",
            "A known solution, slightly improved or newly combined.",
        ),
        (
            5,
            6,
            "Deutliche Weiterentwicklung, in der Branche so noch selten.",
            "A clear advance, still rare in the industry.",
        ),
        (
            7,
            8,
            "Neuer Ansatz mit belegtem Vorsprung vor vergleichbaren Lösungen.",
            "A new approach with a proven lead over comparable solutions.",
        ),
        (
            9,
            10,
            "Durchbruch: die erste Lösung ihrer Art.",
            "A breakthrough: the first of its kind.",
        ),
    ],
    "Future potential for people and the region": [
        (
            1,
            2,
            "Kein erkennbarer Nutzen für Menschen oder die Region.",
            "No recognisable benefit for people or the region.",
        ),
        (
            3,
            4,
            "Nutzen vor allem für das eigene Unternehmen.",
            "Benefits mainly the company itself.",
        ),
        (
            5,
            6,
            "Spürbarer Nutzen, etwa einige neue Arbeitsplätze in der Region.",
            "A noticeable benefit, such as some new jobs in the region.",
        ),
        (
            7,
            8,
            "Stärkt Wertschöpfung und Zusammenarbeit in Berlin-Brandenburg.",
            "Strengthens value creation and cooperation in Berlin-Brandenburg.",
        ),
        (
            9,
            10,
            "Kann die Region prägen: neue Branche, viele Arbeitsplätze, Vorbild für andere.",
            "Can shape the region: a new industry, many jobs, an example to others.",
        ),
    ],
    "Lightweight contribution": [
        (1, 2, "Keine Einsparung belegt.", "No saving shown."),
        (
            3,
            4,
            "Geringe Einsparung an Masse oder Material (unter 10 %), kaum belegt.",
            "A small saving of mass or material (under 10 per cent), barely backed.",
        ),
        (
            5,
            6,
            "Deutliche Einsparung (10 bis 30 %), mit Zahlen belegt.",
            "A clear saving (10 to 30 per cent), backed by figures.",
        ),
        (
            7,
            8,
            "Große Einsparung (30 bis 50 %) auch an Energie über die Lebensdauer.",
            "A large saving (30 to 50 per cent), energy over the lifetime included.",
        ),
        (
            9,
            10,
            "Herausragend: mehr als die Hälfte eingespart, über den ganzen Lebenszyklus belegt.",
            "Outstanding: more than half saved, shown over the whole life cycle.",
        ),
    ],
    "Market readiness": [
        (1, 2, "Idee oder Laborversuch (TRL 1–3).", "An idea or laboratory test (TRL 1–3)."),
        (
            3,
            4,
            "Prototyp im Labor oder Technikum (TRL 4–5).",
            "A prototype in the laboratory or pilot plant (TRL 4–5).",
        ),
        (
            5,
            6,
            "Im Einsatz erprobt, erste Pilotkunden (TRL 6–7).",
            "Tested in use, first pilot customers (TRL 6–7).",
        ),
        (
            7,
            8,
            "Serienreif, erste Verkäufe (TRL 8).",
            "Ready for series production, first sales (TRL 8).",
        ),
        (
            9,
            10,
            "Am Markt etabliert, mit wachsendem Umsatz (TRL 9).",
            "Established on the market, with growing sales (TRL 9).",
        ),
    ],
}

ROUNDS = [
    (1, "Bewertungsrunde", "Scoring round", "scoring", 3),
    (2, "Finalrunde", "Final round", "final", None),
]

EDITION_2023 = {
    "edition": 2023,
    "slug": "lightweight-innovation-award-2023",
    "submissions_open_at": dt.datetime(2023, 1, 9, 9, 0, tzinfo=BERLIN),
    "submissions_close_at": dt.datetime(2023, 3, 10, 18, 0, tzinfo=BERLIN),
    "jury_deadline_at": dt.datetime(2023, 4, 28, 18, 0, tzinfo=BERLIN),
    "announcement_at": dt.datetime(2023, 5, 24, 18, 0, tzinfo=BERLIN),
    "status": "published",
}


def current_edition(now: dt.datetime) -> dict:
    """An edition of this year, open now, closing in eight weeks at 18:00 Berlin time."""
    local = now.astimezone(BERLIN)
    close_day = (local + dt.timedelta(weeks=8)).date()
    close = dt.datetime.combine(close_day, dt.time(18, 0), tzinfo=BERLIN)
    return {
        "edition": local.year,
        "slug": f"lightweight-innovation-award-{local.year}",
        "submissions_open_at": (local - dt.timedelta(days=30)).replace(
            hour=9, minute=0, second=0, microsecond=0
        ),
        "submissions_close_at": close,
        "jury_deadline_at": close + dt.timedelta(weeks=6),
        "announcement_at": close + dt.timedelta(weeks=10),
        "status": "open",
    }


USERS = [
    # email, full name, role in the awards (None: applicant)
    ("organiser@laurel.example", "Olga Organiser", "organiser"),
    ("juror1@laurel.example", "Jana Jurorin", "juror"),
    ("juror2@laurel.example", "Jonas Juror", "juror"),
    ("juror3@laurel.example", "Julia Jury-Vorsitz", "jury_chair"),
    ("applicant@red-arrow.example", "Rita Red Arrow", None),
    ("applicant@soulproducts.example", "Sam Soulproducts", None),
]


# What the apps above add to a new demo award (the application form: ``submissions``
# registers it in its ``ready``), called in the order registered.
DEMO_AWARD_EXTRAS: list = []


def demo_award_extra_register(extra) -> None:
    """Have ``extra(award)`` called on every demo award ``demo_award_create`` creates."""
    if extra not in DEMO_AWARD_EXTRAS:
        DEMO_AWARD_EXTRAS.append(extra)


def demo_award_create(edition: dict, name: str = "Lightweight Innovation Award"):
    """The award of ``edition`` (by slug) with the demo's categories, criteria and rounds,
    and what the apps registered (``DEMO_AWARD_EXTRAS``: the application form);
    an existing one is returned unchanged. Its reference prefix is LIA unless ``edition``
    names another: the demo editions of one year need one each (``Award.clean`` checks)."""
    from .models import Award, Category, Criterion, Round, RubricLevel

    award, created = Award.objects.get_or_create(
        slug=edition["slug"],
        defaults={
            "name": name,
            "reference_prefix": "LIA",
            "organiser_name": ORGANISER,
            "description_de": DESCRIPTION_DE,
            "description_en": DESCRIPTION_EN,
            **edition,
        },
    )
    if not created:
        return award
    award.full_clean()
    for position, (code, name_de, name_en, desc_de, desc_en) in enumerate(CATEGORIES):
        Category.objects.create(
            award=award,
            code=code,
            name_de=name_de,
            name_en=name_en,
            description_de=desc_de,
            description_en=desc_en,
            prize_amount=10_000,
            max_entries_per_organisation=2,
            position=position,
        )
    for position, (name_de, name_en, desc_de, desc_en, weight) in enumerate(CRITERIA):
        criterion = Criterion.objects.create(
            award=award,
            name_de=name_de,
            name_en=name_en,
            description_de=desc_de,
            description_en=desc_en,
            weight=weight,
            scale_min=1,
            scale_max=10,
            position=position,
        )
        RubricLevel.objects.bulk_create(
            RubricLevel(
                criterion=criterion,
                low=low,
                high=high,
                description_de=level_de,
                description_en=level_en,
            )
            for low, high, level_de, level_en in LEVELS.get(name_en, ())
        )
    for number, name_de, name_en, kind, shortlist in ROUNDS:
        Round.objects.create(
            award=award,
            number=number,
            name_de=name_de,
            name_en=name_en,
            kind=kind,
            shortlist_size=shortlist,
        )
    for extra in DEMO_AWARD_EXTRAS:
        extra(award)
    return award


def demo_user(email: str, name: str):
    """A demo person who can log in at once: verified, the demo password, and agreed to the
    current privacy policy (else every demo login would first be asked). Existing ones are
    returned as they are, with the consent added if the policy's version changed."""
    from django.utils import timezone

    from accounts.models import User
    from accounts.services import privacy_consent_record

    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": name, "email_verified_at": timezone.now()}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    privacy_consent_record(user=user)
    return user
