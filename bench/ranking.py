"""How fast a round of a large edition is ranked, from the database to the ranking, and how
fast the robustness of the category leaders is checked.

Seeds the demo awards, then an award in judging with the demo's four categories and six
criteria (scale 1–10, weights 3, 2, 2, 1, 2, 1), N eligible entries (``--submissions``,
spread evenly over the categories) in round 1, J jurors (``--jurors``, a quarter per
category) of different severity, and k submitted reviews per entry (``--k``) by jurors of
its category: N × k × 6 scores, all bulk-created. Each entry has a hidden quality; a
juror's score is that quality, plus the juror's severity (normal, sd ``--severity`` scale
points), plus noise, rounded and clipped to the scale.

Then it measures (after one untimed warm-up run, ``--repeat`` timed runs, median):

* ``ranking_s``: from the database to the ranking: ``results.selectors.feed.review_data_for_round``
  (two queries) and ``results.engine.ranking_compute`` with z-scores and the mean; split
  into ``query_s`` and ``compute_s``; ``compute_s_<normalisation>_<aggregation>`` for each
  method on the same data;
* ``bootstrap_s``: the bootstrap of each category leader (``--resamples`` resamples);
  ``robustness_s``: the whole robustness check (leave-one-juror-out and bootstrap);
  ``quality_s``: the jury quality figures;
* what came out: ``data_queries``, ``verdicts``, the Spearman correlation of the hidden
  quality with the raw mean and with the z-score ranking (how much normalisation helps),
  and in how many categories z-scores chose another leader than raw means.

The last line on stdout is one JSON object.

    .venv/bin/python bench/ranking.py [--submissions 10000] [--jurors 60] [--k 3]
    .venv/bin/python bench/ranking.py --database-url postgres://postgres@127.0.0.1:5432/laurel_bench
"""

import io
import random
import statistics
import time

from _common import database_vendor, emit, log, parser, throwaway_django

EXTRA_CRITERIA = [
    # name (German), name (English), weight
    ("Nachhaltigkeit", "Sustainability", 2),
    ("Team und Umsetzung", "Team and delivery", 1),
]


def seed(*, submissions: int, jurors: int, k: int, severity: float, rng: random.Random):
    """The bench award with its entries, jurors, assignments, reviews and scores.
    Returns (round, hidden quality by submission id, number of scores)."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from awards import demo
    from awards.models import Criterion
    from jury.models import Assignment, Juror, JurorCategory, Review, RoundEntry, Score
    from submissions.models import Membership, Organisation, Submission

    call_command("seed_demo", "--force", stdout=io.StringIO())
    now = timezone.now()
    edition = demo.current_edition(now)
    edition.update(
        slug=f"lightweight-innovation-award-{edition['edition']}-bench",
        edition=edition["edition"] + 100,
        status="judging",
        submissions_open_at=now - timezone.timedelta(days=60),
        submissions_close_at=now - timezone.timedelta(days=30),
        jury_deadline_at=now + timezone.timedelta(days=14),
        announcement_at=now + timezone.timedelta(days=30),
    )
    award = demo.demo_award_create(edition)
    for position, (name_de, name_en, weight) in enumerate(EXTRA_CRITERIA, start=10):
        Criterion.objects.create(
            award=award,
            name_de=name_de,
            name_en=name_en,
            weight=weight,
            scale_min=1,
            scale_max=10,
            position=position,
        )
    criteria = list(award.criteria.order_by("position", "pk"))
    categories = list(award.categories.order_by("position"))
    round_ = award.rounds.get(number=1)
    round_.status = "open"
    round_.opened_at = now
    round_.save(update_fields=["status", "opened_at"])

    password = make_password(None)
    owners = max(1, submissions // 4)
    User.objects.bulk_create(
        [
            User(
                email=f"owner{n:05d}@bench.laurel.example",
                full_name=f"Owner {n}",
                email_verified_at=now,
                password=password,
            )
            for n in range(owners)
        ]
        + [
            User(
                email=f"juror{n:03d}@bench.laurel.example",
                full_name=f"Juror {n}",
                email_verified_at=now,
                password=password,
            )
            for n in range(jurors)
        ],
        batch_size=1000,
    )
    people = list(
        User.objects.filter(
            email__startswith="owner", email__endswith="@bench.laurel.example"
        ).order_by("email")
    )
    organisations = Organisation.objects.bulk_create(
        [Organisation(name=f"Leichtbau Bench {n} GmbH", size_class="sme") for n in range(owners)],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [
            Membership(organisation=organisation, user=person, role="owner")
            for organisation, person in zip(organisations, people, strict=True)
        ],
        batch_size=1000,
    )
    Submission.objects.bulk_create(
        [
            Submission(
                award=award,
                category=categories[n % len(categories)],
                organisation=organisations[n % owners],
                created_by=people[n % owners],
                reference=f"LIA-BENCH-{n:05d}",
                title=f"Lightweight component {n}",
                status="eligible",
                consent_terms=True,
                consent_data=True,
                submitted_at=now - timezone.timedelta(days=40),
            )
            for n in range(submissions)
        ],
        batch_size=1000,
    )
    entries = list(Submission.objects.filter(award=award).order_by("pk"))
    RoundEntry.objects.bulk_create(
        [RoundEntry(round=round_, submission=entry) for entry in entries], batch_size=2000
    )

    juror_users = list(
        User.objects.filter(
            email__startswith="juror", email__endswith="@bench.laurel.example"
        ).order_by("email")
    )
    seats = Juror.objects.bulk_create(
        [
            Juror(
                award=award,
                user=user,
                confidentiality_confirmed_at=now,
                conflicts_declared_at=now,
            )
            for user in juror_users
        ]
    )
    pools: dict[int, list] = {category.pk: [] for category in categories}
    for n, seat in enumerate(seats):
        pools[categories[n % len(categories)].pk].append(seat)
    JurorCategory.objects.bulk_create(
        [
            JurorCategory(juror=seat, category_id=category_id)
            for category_id, pool in pools.items()
            for seat in pool
        ]
    )
    harshness = {seat.pk: rng.gauss(0, severity) for seat in seats}
    quality = {entry.pk: rng.gauss(5.5, 1.5) for entry in entries}

    assignments = []
    for entry in entries:
        pool = pools[entry.category_id]
        for seat in rng.sample(pool, min(k, len(pool))):
            assignments.append(Assignment(round=round_, juror=seat, submission=entry))
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    assignments = list(
        Assignment.objects.filter(round=round_).only("pk", "juror_id", "submission_id")
    )
    Review.objects.bulk_create(
        [
            Review(assignment=assignment, status="submitted", version=2, submitted_at=now)
            for assignment in assignments
        ],
        batch_size=2000,
    )
    reviews = Review.objects.filter(assignment__round=round_).values_list(
        "pk", "assignment__juror_id", "assignment__submission_id"
    )
    scores = []
    for review_id, juror_id, submission_id in reviews:
        base = quality[submission_id] + harshness[juror_id]
        for criterion in criteria:
            value = round(base + rng.gauss(0, 1.0))
            scores.append(
                Score(
                    review_id=review_id,
                    criterion=criterion,
                    value=min(criterion.scale_max, max(criterion.scale_min, value)),
                )
            )
    Score.objects.bulk_create(scores, batch_size=5000)
    return round_, quality, len(scores)


def timed(func, *, repeat: int) -> tuple[float, float, object]:
    """(median s, best s, last result) of ``repeat`` calls after one untimed call."""
    result = func()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 4), round(min(times), 4), result


def main() -> None:
    args = parser(__doc__)
    args.add_argument("--submissions", type=int, default=10_000)
    args.add_argument("--jurors", type=int, default=60)
    args.add_argument("--k", type=int, default=3, help="reviews per entry (default: %(default)s)")
    args.add_argument(
        "--severity",
        type=float,
        default=1.2,
        help="spread of the jurors' severities, in scale points (default: %(default)s)",
    )
    args.add_argument("--resamples", type=int, default=1000)
    args.add_argument(
        "--method",
        default="calibrated",
        help="the normalisation of the bootstrap and robustness figures (default: %(default)s)",
    )
    args.add_argument("--repeat", type=int, default=5)
    args = args.parse_args()
    figures: dict = {}
    with throwaway_django(database_url=args.database_url, settings=args.settings):
        import numpy as np
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from scipy.stats import spearmanr

        from results.engine import (
            AGGREGATIONS,
            NORMALISATIONS,
            jury_quality,
            ranking_compute,
            robustness,
        )
        from results.engine.ranking import category_rank, category_rows, review_table
        from results.engine.robustness import bootstrap_share
        from results.selectors.feed import review_data_for_round

        rng = random.Random(args.seed)
        started = time.perf_counter()
        round_, quality, count = seed(
            submissions=args.submissions,
            jurors=args.jurors,
            k=args.k,
            severity=args.severity,
            rng=rng,
        )
        log(f"seeded {count} scores in {time.perf_counter() - started:.1f} s")
        figures.update(
            database=database_vendor(),
            scores=count,
            submissions=args.submissions,
            jurors=args.jurors,
            reviews_per_entry=args.k,
        )

        def from_database():
            criteria, reviews = review_data_for_round(round_)
            return ranking_compute(reviews, criteria, normalisation="zscore", aggregation="mean")

        figures["ranking_s"], figures["ranking_s_best"], ranking = timed(
            from_database, repeat=args.repeat
        )
        with CaptureQueriesContext(connection) as captured:
            criteria, reviews = review_data_for_round(round_)
        figures["data_queries"] = len(captured.captured_queries)
        figures["query_s"], _best, _data = timed(
            lambda: review_data_for_round(round_), repeat=args.repeat
        )
        figures["compute_s"], _best, _ranking = timed(
            lambda: ranking_compute(reviews, criteria, normalisation="zscore", aggregation="mean"),
            repeat=args.repeat,
        )
        for normalisation in NORMALISATIONS:
            for aggregation in AGGREGATIONS:
                key = f"compute_s_{normalisation}_{aggregation}"
                figures[key], _best, _ranking = timed(
                    lambda n=normalisation, a=aggregation: ranking_compute(
                        reviews, criteria, normalisation=n, aggregation=a
                    ),
                    repeat=args.repeat,
                )
        log(f"ranked in {figures['ranking_s']} s (median of {args.repeat})")

        # The bootstrap alone: each category leader, refitting the method in every resample.
        table = review_table(reviews, criteria)
        leaders = []
        for rows in category_rows(table).values():
            ranked = category_rank(table, rows, normalisation=args.method, aggregation="mean")
            if ranked.sole_leader() is not None:
                leaders.append((rows, ranked.sole_leader(), ranked.fit))

        def bootstrap():
            generator = np.random.default_rng(args.seed)
            return [
                bootstrap_share(
                    table.juror[rows],
                    table.submission[rows],
                    table.total[rows],
                    leader=leader,
                    normalisation=args.method,
                    aggregation="mean",
                    resamples=args.resamples,
                    rng=generator,
                    fit=fit,
                )
                for rows, leader, fit in leaders
            ]

        figures["bootstrap_s"], figures["bootstrap_s_best"], shares = timed(bootstrap, repeat=1)
        figures["bootstrap_leaders"] = len(leaders)
        figures["bootstrap_resamples"] = args.resamples
        figures["robustness_s"], _best, checks = timed(
            lambda: robustness(
                reviews,
                criteria,
                normalisation=args.method,
                aggregation="mean",
                resamples=args.resamples,
                seed=args.seed,
                required=args.k,
            ),
            repeat=1,
        )
        verdicts = [check.verdict for check in checks.values()]
        figures["leaders_robust"] = verdicts.count("robust")
        figures["leaders_close_call"] = verdicts.count("close call")
        figures["leaders_incomplete"] = verdicts.count("incomplete")
        figures["robustness_method"] = args.method
        figures["bootstrap_share_min"] = round(min(shares), 3) if shares else None
        figures["quality_s"], _best, _quality = timed(
            lambda: jury_quality(reviews, criteria, normalisation=args.method), repeat=1
        )

        # How much normalisation helps: rank correlation with the hidden quality.
        raw = ranking_compute(reviews, criteria, normalisation="raw", aggregation="mean")
        calibrated = ranking_compute(
            reviews, criteria, normalisation="calibrated", aggregation="mean"
        )
        for name, result in (("raw", raw), ("zscore", ranking), ("calibrated", calibrated)):
            hidden, scores = [], []
            for category in result.values():
                for row in category.ranked:
                    hidden.append(quality[row.submission_id])
                    scores.append(row.score)
            figures[f"spearman_quality_{name}"] = round(float(spearmanr(hidden, scores)[0]), 4)
        figures["leaders_differing_raw_vs_zscore"] = sum(
            {r.submission_id for r in raw[c].leaders}
            != {r.submission_id for r in ranking[c].leaders}
            for c in ranking
        )
    emit(figures)


if __name__ == "__main__":
    main()
