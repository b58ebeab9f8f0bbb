"""The REST API's entry list, measured in an already set-up throwaway Django
(``_common.throwaway_django``): ``measure_entries`` seeds an award with the given number of
entries (four categories, a company each, a paragraph of text answers), gives its organiser
a token, and times ``GET /api/v1/awards/<slug>/entries/?page_size=100`` with Django's test
client, token in the header, counting the queries of each request.

``bench/api.py`` runs it; ``python bench/_api_entries.py --entries 500`` tries it alone on
a throwaway SQLite database (or ``--database-url`` for PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import random

try:  # as a module of ``bench`` (bench/api.py) or run as a script
    from ._common import log, measure_page, median_p95
except ImportError:  # pragma: no cover - the script
    from _common import log, measure_page, median_p95

WORDS = [
    "flax",
    "carbon",
    "basalt",
    "aluminium",
    "magnesium",
    "frame",
    "panel",
    "door",
    "seat",
    "rotor",
    "blade",
    "hull",
    "bracket",
    "housing",
    "resin",
    "fibre",
    "woven",
    "pressed",
    "printed",
    "recycled",
    "lighter",
    "stiffer",
]


def seed_entries(*, entries: int, rng: random.Random):
    """An award in judging with four categories and ``entries`` submitted entries of as many
    companies (each with an owner), in a handful of bulk inserts. Returns the award."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from awards.models import Award, Category
    from submissions.models import Membership, Organisation, Submission

    now = timezone.now()
    award = Award.objects.create(
        name="API Bench Award",
        edition=2031,
        slug="api-bench-2031",
        reference_prefix="API",
        organiser_name="Bench e.V.",
        status="judging",
        submissions_open_at=now - dt.timedelta(days=60),
        submissions_close_at=now - dt.timedelta(days=10),
    )
    categories = Category.objects.bulk_create(
        Category(award=award, code=code, name_de=code, name_en=code, position=n)
        for n, code in enumerate(("MOB", "IND", "BAU", "ENE"))
    )
    password = make_password(None)
    people = User.objects.bulk_create(
        (
            User(
                email=f"api-owner{n:05d}@bench.laurel.example",
                full_name=f"Owner {n}",
                email_verified_at=now,
                password=password,
            )
            for n in range(entries)
        ),
        batch_size=1000,
    )
    companies = Organisation.objects.bulk_create(
        (Organisation(name=f"Leichtbau {n} GmbH", size_class="sme") for n in range(entries)),
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        (
            Membership(organisation=company, user=person, role="owner")
            for company, person in zip(companies, people, strict=True)
        ),
        batch_size=1000,
    )
    numbers = dict.fromkeys((c.code for c in categories), 0)
    rows = []
    for n in range(entries):
        category = categories[n % len(categories)]
        numbers[category.code] += 1
        text = " ".join(rng.choice(WORDS) for _ in range(80))
        rows.append(
            Submission(
                award=award,
                category=category,
                organisation=companies[n],
                created_by=people[n],
                reference=f"API-2031-{category.code}-{numbers[category.code]:04d}",
                title=f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {n}",
                summary=text[:600],
                answers_text=text,
                status="submitted",
                submitted_at=now - dt.timedelta(minutes=rng.randint(10, 60 * 24 * 30)),
            )
        )
    Submission.objects.bulk_create(rows, batch_size=500)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return award


def organiser_token(award) -> str:
    """A read-only token of a new organiser of ``award``."""
    from django.utils import timezone

    from accounts.models import User
    from api.models import ApiToken
    from api.tokens import token_digest, token_make, token_prefix
    from awards.models import AwardRole

    user = User.objects.create(
        email="api-organiser@bench.laurel.example",
        full_name="API Bench Organiser",
        email_verified_at=timezone.now(),
        preferred_language="en",
    )
    AwardRole.objects.create(award=award, user=user, role="organiser")
    token = token_make()
    ApiToken.objects.create(
        user=user,
        award=award,
        name="bench",
        scope="read",
        prefix=token_prefix(token),
        digest=token_digest(token),
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return token


def measure_entries(*, entries: int, requests: int, seed: int = 1) -> dict:
    """Seed ``entries`` entries and time ``requests`` requests of the first page of 100:
    ``{"entries_page_ms_median", "entries_page_queries", …}``. The per-token throttle stays
    on (its cache access is part of every request) with a rate the bench cannot reach."""
    from django.test import Client

    from api.throttling import TokenRateThrottle

    award = seed_entries(entries=entries, rng=random.Random(seed))
    client = Client(headers={"authorization": f"Bearer {organiser_token(award)}"})
    url = f"/api/v1/awards/{award.slug}/entries/?page_size=100"
    rates = TokenRateThrottle.THROTTLE_RATES
    TokenRateThrottle.THROTTLE_RATES = {**rates, "token": "1000000/min"}
    try:
        times, queries = measure_page(client, url, requests=requests)
    finally:
        TokenRateThrottle.THROTTLE_RATES = rates
    median, p95 = median_p95(times)
    if min(queries) != max(queries):
        log(f"api entries: the query count varies between {min(queries)} and {max(queries)}")
    log(f"api entries {url}: median {median} ms, p95 {p95} ms, {max(queries)} queries")
    return {
        "entries": entries,
        "entries_page_ms_median": median,
        "entries_page_ms_p95": p95,
        "entries_page_queries": max(queries),
    }


if __name__ == "__main__":  # pragma: no cover - a quick try
    from _common import emit, parser, throwaway_django

    arguments = parser(__doc__)
    arguments.add_argument("--entries", type=int, default=500)
    arguments.add_argument("--requests", type=int, default=20)
    args = arguments.parse_args()
    with throwaway_django(database_url=args.database_url, settings=args.settings):
        emit(measure_entries(entries=args.entries, requests=args.requests, seed=args.seed))
