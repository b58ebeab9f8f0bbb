"""How the organisers' edition overview (/manage/<slug>/) copes with a large edition.

Seeds the demo awards, then two editions in judging with the same structure (4 categories,
6 criteria, round 1 open and ending in 3 days, a final round planned, ``--jurors`` jurors
spread over the categories) and a small and a large field of entries (``--sizes``, default
50 and 5,000) in every status. Every eligible entry is in round 1 with ``--k`` assignments;
of those reviews 60 % are submitted and 15 % in draft. Each entry has had a mail (2 %
failed), the log holds 200 entries of every kind, some conflicts and invitations are open.

Then, logged in as an organiser through Django's test client (the whole middleware stack, no
network), it requests each edition's overview R times after a warm-up: median and p95 ms
and queries per request. The query count must be the same for both sizes. The last line on
stdout is one JSON object.

    .venv/bin/python bench/cockpit.py [--sizes 50,5000] [--jurors 40] [--requests 30]
    .venv/bin/python bench/cockpit.py --database-url postgres://postgres@127.0.0.1:5432/laurel_bench
"""

import datetime as dt
import hashlib
import io
import random

from _common import (
    database_vendor,
    emit,
    log,
    measure_page,
    median_p95,
    milliseconds,
    parser,
    throwaway_django,
)

STATUS_WEIGHTS = {"draft": 10, "submitted": 10, "eligible": 70, "ineligible": 5, "withdrawn": 5}
ACTIONS = [
    ("submission.submitted", "submissions.submission"),
    ("attachment.added", "submissions.attachment"),
    ("review.submitted", "jury.review"),
    ("jury.invited", "jury.juryinvitation"),
    ("award.updated", "awards.award"),
    ("round.opened", "awards.round"),
    ("announcement.created", "notifications.bulksend"),
]


def build(
    *, slug: str, edition: int, size: int, jurors: int, k: int, rng: random.Random, now
) -> object:
    """One edition in judging with ``size`` entries; returns the award."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from awards.models import AuditEntry, Award, Category, Criterion, Round
    from jury.models import (
        Assignment,
        Conflict,
        Juror,
        JurorCategory,
        JuryInvitation,
        Review,
        RoundEntry,
    )
    from notifications.models import Message
    from submissions.models import Membership, Organisation, Submission

    award = Award.objects.create(
        name=f"Bench Award {slug}",
        edition=edition,
        slug=slug,
        reference_prefix="BEN",
        organiser_name="Bench e.V.",
        status="judging",
        submissions_open_at=now - dt.timedelta(days=90),
        submissions_close_at=now - dt.timedelta(days=30),
        jury_deadline_at=now + dt.timedelta(days=3),
        announcement_at=now + dt.timedelta(days=30),
    )
    categories = [
        Category.objects.create(
            award=award, code=code, name_de=f"Kategorie {code}", name_en=f"Category {code}"
        )
        for code in ("CON", "MOB", "HEA", "LIF")
    ]
    for n in range(6):
        Criterion.objects.create(award=award, name_de=f"Kriterium {n}", name_en=f"Criterion {n}")
    round_ = Round.objects.create(
        award=award, number=1, name_de="Runde 1", name_en="Round 1", status="open", opened_at=now
    )
    Round.objects.create(award=award, number=2, name_de="Finale", name_en="Final", kind="final")

    password = make_password(None)  # unusable: nobody logs in as these people
    owners = User.objects.bulk_create(
        [
            User(email=f"{slug}-owner{n}@bench.laurel.example", password=password)
            for n in range(max(1, size // 2))
        ],
        batch_size=1000,
    )
    organisations = Organisation.objects.bulk_create(
        [Organisation(name=f"{slug} Leichtbau {n}") for n in range(len(owners))], batch_size=1000
    )
    Membership.objects.bulk_create(
        [
            Membership(organisation=o, user=u, role="owner")
            for o, u in zip(organisations, owners, strict=True)
        ],
        batch_size=1000,
    )
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    drawn = [rng.choices(statuses, weights)[0] for _ in range(size)]
    entries = Submission.objects.bulk_create(
        [
            Submission(
                award=award,
                category=categories[n % 4],
                organisation=organisations[n % len(organisations)],
                created_by=owners[n % len(owners)],
                reference=None
                if status == "draft"
                else f"BEN-{edition}-{categories[n % 4].code}-{n:05d}",
                title=f"Lightweight part {n}",
                status=status,
            )
            for n, status in enumerate(drawn)
        ],
        batch_size=1000,
    )
    seats = Juror.objects.bulk_create(
        [
            Juror(
                award=award,
                user=User.objects.create(
                    email=f"{slug}-juror{n}@bench.laurel.example", full_name=f"Juror {n}"
                ),
                confidentiality_confirmed_at=now if n % 10 else None,
                conflicts_declared_at=now,
                deadline_extended_until=now + dt.timedelta(days=10) if n % 7 == 0 else None,
            )
            for n in range(jurors)
        ]
    )
    JurorCategory.objects.bulk_create(
        [JurorCategory(juror=seat, category=categories[n % 4]) for n, seat in enumerate(seats)]
    )
    pools = {c.pk: [s for n, s in enumerate(seats) if n % 4 == i] for i, c in enumerate(categories)}
    eligible = [e for e in entries if e.status == "eligible"]
    RoundEntry.objects.bulk_create(
        [RoundEntry(round=round_, submission=e) for e in eligible], batch_size=1000
    )
    assignments = Assignment.objects.bulk_create(
        [
            Assignment(round=round_, juror=juror, submission=entry)
            for entry in eligible
            for juror in rng.sample(pools[entry.category_id], min(k, len(pools[entry.category_id])))
        ],
        batch_size=1000,
    )
    reviews = []
    for assignment in assignments:
        draw = rng.random()
        if draw < 0.6:
            reviews.append(Review(assignment=assignment, status="submitted", submitted_at=now))
        elif draw < 0.75:
            reviews.append(Review(assignment=assignment, status="draft"))
    Review.objects.bulk_create(reviews, batch_size=1000)
    Conflict.objects.bulk_create(
        [
            Conflict(juror=seats[n % jurors], submission=entry, status="suggested")
            for n, entry in enumerate(entries[: max(1, size // 100)])
        ]
    )
    JuryInvitation.objects.bulk_create(
        [
            JuryInvitation(
                award=award,
                email=f"{slug}-invited{n}@bench.laurel.example",
                expires_at=now + dt.timedelta(days=7),
            )
            for n in range(3)
        ]
    )
    Message.objects.bulk_create(
        [
            Message(
                award=award,
                recipient_email=f"{slug}-owner{n}@bench.laurel.example",
                language="de",
                template_key="submission.received",
                idempotency_key=f"bench:{slug}:{n}",
                subject=f"Ihre Einreichung {entry.reference}",
                body_text="…",
                body_html="…",
                status="failed" if rng.random() < 0.02 else "sent",
            )
            for n, entry in enumerate(entries)
        ],
        batch_size=1000,
    )
    # The overview reads the newest 20 entries only; the hash chain is not what is measured.
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                award=award,
                action=action,
                object_type=object_type,
                object_id=str(entries[n % size].pk if object_type.startswith("sub") else n),
                data={"submission": entries[n % size].pk} if action == "attachment.added" else {},
                created_at=now - dt.timedelta(minutes=200 - n),
                previous_hash="0" * 64,
                entry_hash=hashlib.sha256(f"{slug}:{n}".encode()).hexdigest(),
            )
            for n, (action, object_type) in enumerate(ACTIONS * 29)
            if n < 200
        ]
    )
    return award


def organiser_client(award):
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from awards.models import AwardRole

    user = User.objects.create(
        email=f"organiser-{award.slug}@bench.laurel.example",
        full_name="Bench Organiser",
        email_verified_at=timezone.now(),
        preferred_language="en",
    )
    AwardRole.objects.create(award=award, user=user, role="organiser")
    client = Client()
    client.force_login(user)
    return client


def main(argv: list[str] | None = None) -> None:
    arguments = parser(__doc__)
    arguments.add_argument(
        "--sizes", default="50,5000", help="entries of each edition (default: %(default)s)"
    )
    arguments.add_argument("--jurors", type=int, default=40, help="jurors (default: 40)")
    arguments.add_argument("--k", type=int, default=3, help="reviews per entry (default: 3)")
    arguments.add_argument("--requests", type=int, default=30, help="requests (default: 30)")
    args = arguments.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    rng = random.Random(args.seed)
    figures: dict = {"sizes": sizes, "jurors": args.jurors, "k": args.k, "requests": args.requests}
    with throwaway_django(database_url=args.database_url, settings=args.settings):
        from django.core.management import call_command
        from django.urls import reverse
        from django.utils import timezone

        figures["database"] = database_vendor()
        call_command("seed_demo", "--force", stdout=io.StringIO())
        now = timezone.now()
        for position, size in enumerate(sizes):
            elapsed, award = milliseconds(
                lambda size=size, position=position: build(
                    slug=f"bench-{size}",
                    edition=2040 + position,
                    size=size,
                    jurors=args.jurors,
                    k=args.k,
                    rng=rng,
                    now=now,
                )
            )
            log(f"seeded an edition of {size} entries in {elapsed:.0f} ms")
            client = organiser_client(award)
            url = reverse("awards:manage", kwargs={"slug": award.slug})
            times, queries = measure_page(client, url, requests=args.requests)
            median, p95 = median_p95(times)
            figures[f"overview_{size}_ms_median"] = median
            figures[f"overview_{size}_ms_p95"] = p95
            figures[f"overview_{size}_queries"] = max(queries)
            if min(queries) != max(queries):
                log(f"{size}: the query count varies between {min(queries)} and {max(queries)}")
            log(f"overview of {size} entries: median {median} ms, p95 {p95} ms, {max(queries)} q")
        counts = {figures[f"overview_{size}_queries"] for size in sizes}
        figures["queries_constant"] = len(counts) == 1
    emit(figures)


if __name__ == "__main__":
    main()
