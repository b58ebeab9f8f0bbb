"""Demo results: the published 2023 edition with its four winners, and an edition whose
first round a jury with two planted severe jurors has scored and closed (the ranking,
explanation and jury-quality pages, and deciding, can be tried on it)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random

from django.utils import timezone

from awards import demo
from awards.demo import demo_user
from awards.enums import AwardRoleKind
from awards.models import Award
from awards.services import award_role_grant
from jury import services as jury_services
from jury.models import Assignment, Juror, JurorCategory
from submissions.models import Membership, Organisation, Submission
from submissions.questions import answers_by_key, answers_index

from .enums import DecisionKind
from .models import Decision, RankingSnapshot

WINNERS_2023 = [
    # category code, company, title (German), title (English)
    (
        "CON",
        "Studio Sven Pfeiffer",
        "Leichtbau im Bauwesen (Demo-Eintrag)",
        "Lightweight construction (demo entry)",
    ),
    (
        "MOB",
        "Red Arrow technologies UG",
        "Leichtbau in der Mobilität (Demo-Eintrag)",
        "Lightweight mobility (demo entry)",
    ),
    (
        "HEA",
        "BETTERGUARDS Technology GmbH",
        "Leichtbau in der Medizin (Demo-Eintrag)",
        "Lightweight healthcare (demo entry)",
    ),
    (
        "LIF",
        "soulproducts GmbH",
        "Leichtbau im Alltag (Demo-Eintrag)",
        "Lightweight lifestyle (demo entry)",
    ),
]


def results_2023_create() -> Award | None:
    """The published 2023 edition's winners (one per category, 10,000 EUR each), once.
    The titles are placeholders: the demo names the real winning companies only."""
    award = Award.objects.filter(slug=demo.EDITION_2023["slug"]).first()
    if award is None or Decision.objects.filter(award=award).exists():
        return award
    categories = {c.code: c for c in award.categories.all()}
    round_ = award.rounds.order_by("number").first()
    for number, (code, company, title_de, title_en) in enumerate(WINNERS_2023, start=1):
        slug = "".join(ch for ch in company.lower() if ch.isalnum())[:20]
        owner = demo_user(f"kontakt@{slug}.example", f"Kontakt {company}")
        organisation, _ = Organisation.objects.get_or_create(
            name=company, defaults={"city": "Berlin", "size_class": "sme"}
        )
        Membership.objects.get_or_create(organisation=organisation, user=owner)
        submission = Submission.objects.create(
            award=award,
            category=categories[code],
            organisation=organisation,
            reference=f"{award.reference_prefix}-{award.edition}-{code}-{number:04d}",
            title=title_de,
            summary=title_en,
            consent_terms=True,
            consent_data=True,
            consent_publication=True,
            status="eligible",
            created_by=owner,
            submitted_at=demo.EDITION_2023["submissions_close_at"] - dt.timedelta(days=3),
        )
        rows = [{"submission": submission.pk, "place": 1, "score": None}]
        method = {"source": "demo"}
        snapshot = RankingSnapshot.objects.create(
            award=award,
            category=categories[code],
            round=round_,
            method=method,
            rows=rows,
            digest=hashlib.sha256(
                json.dumps({"method": method, "rows": rows}, sort_keys=True).encode()
            ).hexdigest(),
        )
        Decision.objects.create(
            award=award,
            category=categories[code],
            submission=submission,
            kind=DecisionKind.PLACE,
            place=1,
            snapshot=snapshot,
            decided_at=demo.EDITION_2023["jury_deadline_at"],
        )
    announced = demo.EDITION_2023["announcement_at"]
    Award.objects.filter(pk=award.pk).update(
        results_publish_at=announced, results_published_at=announced
    )
    award.refresh_from_db()
    return award


SCORED_SLUG = "lightweight-innovation-award-results-demo"
SCORED_NAME = "Lightweight Innovation Award (Bewertungs-Demo)"
# Its own prefix, as the jury demo's: the editions of one year must not share reference numbers.
SCORED_PREFIX = "LIABEW"
ENTRIES_PER_CATEGORY = 12
REVIEWS_PER_ENTRY = 4
SCORED_JURORS = [
    # email, name, affiliation, offset in scale points (hidden: + milder, − harsher)
    ("bewertung1@laurel.example", "Bernd Bauwesen", "TU Berlin", 0.0),
    ("bewertung2@laurel.example", "Claudia Carbon", "BAM", 0.0),
    ("bewertung3@laurel.example", "Dana Design", "UdK Berlin", 0.0),
    ("bewertung4@laurel.example", "Emil Elektro", "DLR", 0.0),
    ("bewertung5@laurel.example", "Frieda Faser", "Fraunhofer IAP", 0.0),
    ("bewertung6@laurel.example", "Gero Gestalt", "HTW Berlin", 0.0),
    ("bewertung7@laurel.example", "Stefan Streng", "BTU Cottbus", -2.5),
    ("bewertung8@laurel.example", "Mila Milde", "Beuth Hochschule", 2.5),
]


# What the demo's jurors write to the applicants (German first, as the award's jury does).
DEMO_FEEDBACK = [
    "Überzeugende Gewichtseinsparung; die Angaben zur Serienfertigung würden wir gern "
    "genauer sehen.",
    "Eine klare Idee mit regionalem Bezug. Für die nächste Einreichung: Vergleichswerte zu "
    "bestehenden Lösungen zeigen.",
    "Starke technische Umsetzung. Die Marktreife ist noch offen; ein Pilotkunde würde das "
    "Potenzial belegen.",
    "Der Werkstoffansatz ist neu und gut begründet. Die Kostenschätzung blieb uns zu knapp.",
    "Sehr gut dokumentiert. Die ökologische Bilanz über den ganzen Lebenszyklus fehlt noch.",
    "Das Gewichtsargument ist stark; zur Reparierbarkeit und zum Recycling erfahren wir zu wenig.",
    "Gute Idee für die Region. Ein Prototyp im realen Einsatz würde die Jury eher "
    "überzeugen als Simulationen.",
    "Klar beschrieben, aber der Vorsprung gegenüber dem Stand der Technik bleibt vage: "
    "Nennen Sie Wettbewerber und Kennzahlen.",
]


def scored_demo_create() -> Award:
    """An edition in judging whose first round is scored and closed: 4 categories × 12
    entries, 8 jurors (every category), 4 reviews per entry through the real assignment
    and review services. Each entry has a hidden quality; six jurors score it fairly with
    noise, "Stefan Streng" 2.5 scale points (about 28 points of 100) harsher and "Mila
    Milde" 2.5 milder, so the jury-quality page flags exactly those two. Once; an existing
    one is returned unchanged."""
    existing = Award.objects.filter(slug=SCORED_SLUG).first()
    if existing is not None:
        return existing
    now = timezone.now()
    local = now.astimezone(demo.BERLIN)
    close = (local - dt.timedelta(days=21)).replace(hour=18, minute=0, second=0, microsecond=0)
    edition = {
        "edition": local.year,
        "slug": SCORED_SLUG,
        "reference_prefix": SCORED_PREFIX,
        "submissions_open_at": close - dt.timedelta(weeks=8),
        "submissions_close_at": close,
        # The jury finished early: the round is closed before its deadline.
        "jury_deadline_at": (local + dt.timedelta(days=3)).replace(hour=18, minute=0),
        "announcement_at": close + dt.timedelta(days=40),
        "status": "judging",
        "reviews_per_submission": REVIEWS_PER_ENTRY,
    }
    award = demo.demo_award_create(edition, name=SCORED_NAME)
    # The jurors write feedback to the applicants: after deciding and publishing this
    # edition, the organisers review it and each company reads its own (results/feedback).
    Award.objects.filter(pk=award.pk).update(applicant_feedback=True)
    award.applicant_feedback = True
    for email, name, role in demo.USERS:
        if role == AwardRoleKind.ORGANISER:
            award_role_grant(award=award, user=demo_user(email, name), role=role, actor=None)
    rng = random.Random(2031)  # noqa: S311 - demo data, not security
    categories = list(award.categories.order_by("position"))
    questions = list(award.questions.all())
    quality: dict[int, float] = {}
    for category in categories:
        for number in range(1, ENTRIES_PER_CATEGORY + 1):
            company = f"{category.name_de} Demo {number:02d} GmbH"
            slug = "".join(ch for ch in company.lower() if ch.isalnum())[:24]
            owner = demo_user(f"kontakt@{slug}.example", f"Kontakt {company}")
            organisation, _ = Organisation.objects.get_or_create(
                name=company, defaults={"city": "Berlin", "size_class": "sme"}
            )
            Membership.objects.get_or_create(organisation=organisation, user=owner)
            entry = Submission.objects.create(
                award=award,
                category=category,
                organisation=organisation,
                reference=f"{award.reference_prefix}-{award.edition}-{category.code}-{number:04d}",
                title=f"{category.name_de}: Leichtbau-Idee {number}",
                summary="Demo-Eintrag für die Bewertung.",
                answers=answers_by_key(
                    questions,
                    {
                        "description": f"Leichtbau-Idee {number} aus {category.name_de}.",
                        "lightweight": f"{10 + number * 3} % weniger Gewicht als üblich.",
                        "innovation": "Neue Kombination aus Werkstoff und Verfahren.",
                        "future_potential": "Arbeitsplätze und Know-how in der Region.",
                        "market_readiness": str(3 + number % 7),
                        "team": "Ingenieurinnen und Ingenieure aus Berlin.",
                    },
                ),
                consent_terms=True,
                consent_data=True,
                consent_publication=True,
                status="eligible",
                created_by=owner,
                submitted_at=now - dt.timedelta(days=20),
            )
            # What the organisers' list searches and filters (text and choice answers).
            for name, value in answers_index(questions, entry.answers).items():
                setattr(entry, name, value)
            entry.save(update_fields=["answers_text", "choice_answers"])
            quality[entry.pk] = rng.gauss(6.0, 1.3)
    offsets = {}
    for email, name, affiliation, offset in SCORED_JURORS:
        juror = Juror.objects.create(
            award=award,
            user=demo_user(email, name),
            affiliation=affiliation,
            confidentiality_confirmed_at=now,
            conflicts_declared_at=now,
        )
        for category in categories:
            JurorCategory.objects.create(juror=juror, category=category)
        offsets[juror.pk] = offset
    round_ = award.rounds.get(number=1)
    jury_services.round_open(round=round_, actor=None)
    jury_services.assignment_run(round=round_, actor=None)
    criteria = list(award.criteria.all())
    for assignment in (
        Assignment.objects.filter(round=round_).select_related("juror__user").order_by("pk")
    ):
        impression = quality[assignment.submission_id] + offsets[assignment.juror_id]
        jury_services.review_save(
            assignment=assignment,
            actor=assignment.juror.user,
            version=0,
            scores={c.pk: max(1, min(10, round(impression + rng.gauss(0, 0.8)))) for c in criteria},
            overall_comment="Demo-Bewertung.",
            # Eight texts for eight jurors (consecutive ids): an entry's four differ.
            applicant_feedback=DEMO_FEEDBACK[
                (assignment.juror_id + assignment.submission_id) % len(DEMO_FEEDBACK)
            ],
            submit=True,
        )
    jury_services.round_close(round=round_, actor=None)
    return award
