"""A Lightweight Innovation Award edition in judging, for trying out the jury: twelve
eligible entries, nine jurors, round 1 open with its assignments, some reviews done."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from awards import demo
from awards.enums import AwardRoleKind
from awards.models import Award
from awards.services import award_role_grant
from submissions.enums import PreviewStatus
from submissions.models import Attachment, Membership, Organisation, Submission
from submissions.questions import answers_by_key, answers_index

from . import services
from .enums import ReviewStatus
from .models import Assignment, Juror, JurorCategory, RoundEntry

SLUG = "lightweight-innovation-award-jury-demo"
NAME = "Lightweight Innovation Award (Jury-Demo)"
# Its own prefix: the open edition of the same year numbers its entries LIA-<year>-…, and a
# reference number names one entry across the platform.
REFERENCE_PREFIX = "LIAJURY"
CONFIDENTIALITY_DE = (
    "Ich behandle alle Einreichungen und Unterlagen vertraulich, gebe nichts an Dritte "
    "weiter und nutze sie nur für die Bewertung. Befangenheiten zeige ich an."
)
CONFIDENTIALITY_EN = (
    "I will treat all entries and documents as confidential, share nothing with third "
    "parties and use them only for judging. I will declare any conflict of interest."
)
ENTRIES = [
    ("CON", "Studio Sven Pfeiffer", "Carbon-Wabenfassade", "Carbon honeycomb façade"),
    ("CON", "Holzleicht Bau GmbH", "Brettsperrholz-Hohlkastendecke", "Hollow CLT slab"),
    ("CON", "Textilbeton Berlin UG", "Carbonbeton-Fertigteilbrücke", "Carbon concrete bridge"),
    ("MOB", "Red Arrow technologies UG", "Leichtbau-Lastenrad", "Lightweight cargo bike"),
    ("MOB", "Spreeflug GmbH", "Flachs-Drohnenrahmen", "Flax drone frame"),
    ("MOB", "Havel Composites GmbH", "Thermoplastischer Sitz", "Thermoplastic seat"),
    ("HEA", "BETTERGUARDS Technology GmbH", "Adaptive Sprunggelenkorthese", "Adaptive ankle brace"),
    ("HEA", "OrthoLight GmbH", "3D-gedruckte Handorthese", "3D-printed hand splint"),
    ("HEA", "Medilite Berlin GmbH", "Ultraleichter Rollstuhl", "Ultralight wheelchair"),
    ("LIF", "soulproducts GmbH", "Faltbarer Kinderwagen", "Folding pram"),
    ("LIF", "Birkenform Studio", "Furnier-Lautsprecher", "Veneer loudspeaker"),
    ("LIF", "Kiez Outdoor UG", "Aluminiumschaum-Zeltstange", "Aluminium-foam tent pole"),
]
JURORS = [
    # email, name, affiliation, category codes
    ("juror4@laurel.example", "Karl Konstrukteur", "TU Berlin", ["CON", "MOB"]),
    ("juror5@laurel.example", "Mira Mobil", "BTU Cottbus", ["MOB", "CON"]),
    ("juror6@laurel.example", "Hanna Heil", "Charité", ["HEA", "LIF"]),
    ("juror7@laurel.example", "Lars Lifestyle", "UdK Berlin", ["LIF", "HEA"]),
    ("juror8@laurel.example", "Bea Bau", "BAM", ["CON", "HEA"]),
    ("juror9@laurel.example", "Tom Transport", "DLR", ["MOB", "LIF"]),
]


def _edition(now: dt.datetime) -> dict:
    local = now.astimezone(demo.BERLIN)
    close = (local - dt.timedelta(days=14)).replace(hour=18, minute=0, second=0, microsecond=0)
    return {
        "edition": local.year,
        "slug": SLUG,
        "reference_prefix": REFERENCE_PREFIX,
        "submissions_open_at": close - dt.timedelta(weeks=8),
        "submissions_close_at": close,
        "jury_deadline_at": close + dt.timedelta(days=24),
        "announcement_at": close + dt.timedelta(days=40),
        "status": "judging",
        "confidentiality_de": CONFIDENTIALITY_DE,
        "confidentiality_en": CONFIDENTIALITY_EN,
    }


def _dossier(entry: Submission, company: str, title: str) -> Attachment:
    """A two-page PDF "technical dossier", so that jurors can try reading documents inline."""
    import hashlib

    from django.core.files.base import ContentFile
    from fpdf import FPDF

    pdf = FPDF()
    for heading, text in (
        (title, f"{company}: technical dossier (demo)."),
        ("Load tests", "Weight, stiffness and fatigue compared with the usual design."),
    ):
        pdf.add_page()
        pdf.set_font("helvetica", "B", 22)
        pdf.multi_cell(0, 12, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=13)
        pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    data = bytes(pdf.output())
    attachment = Attachment(
        submission=entry,
        kind="document",
        question=entry.award.questions.filter(key="documents").first(),
        original_name="technical-dossier.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=entry.created_by,
        # Its page images are rendered by ``seed_jury_demo`` (or else by the preview sweep).
        preview_status=PreviewStatus.PENDING,
    )
    attachment.file.save("technical-dossier.pdf", ContentFile(data), save=False)
    attachment.save()
    return attachment


def jury_demo_create(now: dt.datetime | None = None) -> Award:
    """Create the jury demo once; an existing one is returned unchanged."""
    now = now or timezone.now()
    existing = Award.objects.filter(slug=SLUG).first()
    if existing is not None:
        return existing
    award = demo.demo_award_create(_edition(now), name=NAME)
    categories = {c.code: c for c in award.categories.all()}
    questions = list(award.questions.all())
    for email, name, role in demo.USERS:
        if role == AwardRoleKind.ORGANISER:
            award_role_grant(award=award, user=demo.demo_user(email, name), role=role, actor=None)
    numbers: dict[str, int] = {}
    for position, (code, company, title_de, title_en) in enumerate(ENTRIES):
        slug = "".join(ch for ch in company.lower() if ch.isalnum())[:20]
        owner = demo.demo_user(f"kontakt@{slug}.example", f"Kontakt {company}")
        organisation, _ = Organisation.objects.get_or_create(
            name=company,
            defaults={
                "city": "Berlin",
                "size_class": "sme",
                "contact_email": owner.email,
                "website": f"https://{slug}.example",
            },
        )
        Membership.objects.get_or_create(organisation=organisation, user=owner)
        numbers[code] = numbers.get(code, 0) + 1
        entry = Submission.objects.create(
            award=award,
            category=categories[code],
            organisation=organisation,
            reference=f"{award.reference_prefix}-{award.edition}-{code}-{numbers[code]:04d}",
            title=title_de if position % 2 else title_en,
            summary=f"{title_en}: lighter, stronger, made in Berlin/Brandenburg.",
            answers=answers_by_key(
                questions,
                {
                    "description": "A lightweight innovation from the region.",
                    "lightweight": "30 % less weight than the usual design.",
                    "innovation": "New combination of material and process.",
                    "future_potential": "Jobs and know-how in the region.",
                    "market_readiness": "6",
                    "team": "Engineers and designers.",
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
        _dossier(entry, company, title_en)
    jurors = []
    for email, name, role in demo.USERS:
        if role in ("juror", "jury_chair"):
            juror = Juror.objects.create(
                award=award,
                user=demo.demo_user(email, name),
                role=role,
                affiliation="Composites United",
            )
            for category in categories.values():
                JurorCategory.objects.create(juror=juror, category=category)
    for email, name, affiliation, codes in JURORS:
        user = demo.demo_user(email, name)
        juror = Juror.objects.create(
            award=award,
            user=user,
            affiliation=affiliation,
            confidentiality_confirmed_at=now,
            conflicts_declared_at=now,
        )
        for code in codes:
            JurorCategory.objects.create(juror=juror, category=categories[code])
        jurors.append(juror)
    round_ = award.rounds.get(number=1)
    services.round_open(round=round_, actor=None)
    services.assignment_run(round=round_, actor=None)
    # The ready jurors have done some of their work: a reproducible mix of submitted
    # reviews and drafts, so that progress and the shortlist have something to show.
    rng = random.Random(2023)  # noqa: S311 - demo data, not security
    criteria = list(award.criteria.all())
    for index, assignment in enumerate(
        Assignment.objects.filter(round=round_, juror__in=jurors)
        .select_related("juror__user")
        .order_by("pk")
    ):
        if index % 3 == 2:
            continue
        services.review_save(
            assignment=assignment,
            actor=assignment.juror.user,
            version=0,
            scores={c.pk: rng.randint(4, 10) for c in criteria},
            overall_comment="Überzeugender Leichtbauansatz.",
            submit=index % 3 == 0,
        )
    assert RoundEntry.objects.filter(round=round_).count() == len(ENTRIES)
    assert Assignment.objects.filter(round=round_, review__status=ReviewStatus.SUBMITTED).exists()
    return award
