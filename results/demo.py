"""Demo results: the published 2023 edition with its four winners."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from awards import demo
from awards.models import Award
from jury.demo import demo_user
from submissions.models import Membership, Organisation, Submission

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
            reference=f"LIA-2023-{code}-{number:04d}",
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
