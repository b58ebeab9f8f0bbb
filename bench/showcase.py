"""How fast the juror's pages and the public results page answer at the size of a real edition.

Seeds the demo awards and N entries in the current award (``pages.seed``), puts that award in
judging with round 1 open, every submitted entry eligible and in the round, and a jury of
``--jurors`` (a quarter per category) with 3 assignments per entry, of which 60 % are reviewed
and 15 % in draft. One juror, ready to work (confidentiality confirmed, conflicts declared),
has 100 assignments over the four categories (40 submitted, 20 in draft, 40 not started); one
of their entries has 3 PDF documents of 20 pages each, whose page images count as rendered
(``preview_status`` ready, as the preview task leaves them). A second juror has a single
assignment, an entry with 1 document: its review page must need as many queries as the first.

For the public results page the demo's published 2023 edition gets N entries too and, per
category, second and third places and three special mentions with statements and images
beside its winner.

Measured through Django's test client (the whole middleware stack, no network), R times each
after a warm-up: the public results page as an anonymous visitor (cold: right after the
results changed, so the cached block is rendered again; warm: from the cache), the juror's
dashboard and the review page of the entry with the 3 documents, logged in as the juror. The
last line on stdout is one JSON object.

    .venv/bin/python bench/showcase.py [--submissions 2000] [--requests 50]
    .venv/bin/python bench/showcase.py --database-url postgres://postgres@127.0.0.1:5432/laurel_bench
"""

import datetime as dt
import hashlib
import random
import time

from _common import (
    database_vendor,
    emit,
    log,
    machine,
    median_p95,
    milliseconds,
    parser,
    throwaway_django,
)
from pages import seed

JUROR_ASSIGNMENTS = 100
JUROR_REVIEWS = {"submitted": 40, "draft": 20}  # the rest not started
DOCUMENTS = 3
DOCUMENT_PAGES = 20
PUBLIC_MENTIONS = 3
COLD_SAMPLES = 10


def _pdf(pages: int, title: str) -> bytes:
    """A small real PDF of ``pages`` pages."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=14)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(0, 10, f"{title}, page {number}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _documents(entry, count: int) -> None:
    """``count`` PDF documents of DOCUMENT_PAGES pages on ``entry``, their page images ready."""
    from django.core.files.base import ContentFile

    from submissions.models import Attachment

    for number in range(1, count + 1):
        data = _pdf(DOCUMENT_PAGES, f"{entry.title}: document {number}")
        attachment = Attachment(
            submission=entry,
            kind="document",
            original_name=f"dossier-{number}.pdf",
            content_type="application/pdf",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=entry.created_by,
            # As the preview task leaves a rendered document: the bench measures the page.
            preview_status="ready",
            preview_pages=DOCUMENT_PAGES,
            page_count=DOCUMENT_PAGES,
        )
        attachment.file.save(f"dossier-{number}.pdf", ContentFile(data), save=False)
        attachment.save()


def _user(email: str, name: str):
    from django.utils import timezone

    from accounts.models import User

    return User.objects.create(
        email=email, full_name=name, email_verified_at=timezone.now(), preferred_language="en"
    )


def _reviews(assignments, statuses: list[str], criteria, rng: random.Random, now) -> int:
    """Reviews in ``statuses`` (one per assignment, "" for none) with a score per criterion."""
    from jury.models import Review, Score

    reviews = [
        Review(
            assignment=assignment,
            status=status,
            overall_comment="Solid work, clearly explained." if status == "submitted" else "",
            submitted_at=now if status == "submitted" else None,
        )
        for assignment, status in zip(assignments, statuses, strict=True)
        if status
    ]
    reviews = Review.objects.bulk_create(reviews, batch_size=1000)
    Score.objects.bulk_create(
        [
            Score(
                review=review,
                criterion=criterion,
                value=rng.randint(criterion.scale_min, criterion.scale_max),
                comment="",
            )
            for review in reviews
            for criterion in criteria
        ],
        batch_size=2000,
    )
    return len(reviews)


def seat_jurors(award, categories: list, jurors: int, *, now, affiliation: str = "") -> dict:
    """``jurors`` jurors ready to work, a quarter per category; category id → its jurors."""
    from jury.models import Juror, JurorCategory

    seats = Juror.objects.bulk_create(
        [
            Juror(
                award=award,
                user=_user(f"juror{n:03d}@bench.laurel.example", f"Juror {n}"),
                affiliation=affiliation,
                confidentiality_confirmed_at=now,
                conflicts_declared_at=now,
            )
            for n in range(jurors)
        ]
    )
    JurorCategory.objects.bulk_create(
        [JurorCategory(juror=seat, category=categories[n % 4]) for n, seat in enumerate(seats)]
    )
    return {c.pk: seats[i::4] for i, c in enumerate(categories)}


def build_jury(*, slug: str, jurors: int, rng: random.Random) -> dict:
    """Round 1 of the current award open with a jury at work; returns the bench's jurors and
    the assignments whose review pages are measured."""
    from django.utils import timezone

    from awards.models import Award
    from jury.models import Assignment, Juror, JurorCategory, RoundEntry
    from submissions.models import Submission

    now = timezone.now()
    award = Award.objects.get(slug=slug)
    categories = list(award.categories.order_by("position"))
    criteria = list(award.criteria.order_by("position"))
    round_ = award.rounds.get(number=1)
    Award.objects.filter(pk=award.pk).update(status="judging")
    type(round_).objects.filter(pk=round_.pk).update(
        status="open", opened_at=now, deadline_at=now + dt.timedelta(days=14)
    )

    # The eligibility check is done: what was submitted is eligible, and numbered.
    entries = list(
        Submission.objects.filter(award=award, status__in=["submitted", "eligible"]).order_by("pk")
    )
    code = {c.pk: c.code for c in categories}
    for n, entry in enumerate(entries):
        entry.status = "eligible"
        entry.reference = (
            f"{award.reference_prefix}-{award.edition}-{code[entry.category_id]}-B{n:04d}"
        )
        entry.consent_publication = True
    Submission.objects.bulk_update(
        entries, ["status", "reference", "consent_publication"], batch_size=1000
    )
    RoundEntry.objects.bulk_create(
        [RoundEntry(round=round_, submission=e) for e in entries], batch_size=1000
    )

    pools = seat_jurors(award, categories, jurors, now=now)

    def seat(email: str, name: str) -> object:
        juror = Juror.objects.create(
            award=award,
            user=_user(email, name),
            affiliation="Bench University",
            confidentiality_confirmed_at=now,
            conflicts_declared_at=now,
        )
        JurorCategory.objects.bulk_create(
            [JurorCategory(juror=juror, category=c) for c in categories]
        )
        return juror

    busy = seat("busy-juror@bench.laurel.example", "Busy Juror")
    single = seat("single-juror@bench.laurel.example", "Single Juror")

    # The busy juror's 100 entries, 25 per category; the single juror's one entry.
    by_category = {c.pk: [e for e in entries if e.category_id == c.pk] for c in categories}
    busy_entries = [e for c in categories for e in by_category[c.pk][: JUROR_ASSIGNMENTS // 4]]
    if len(busy_entries) < JUROR_ASSIGNMENTS:
        raise SystemExit(
            f"only {len(busy_entries)} eligible entries for the busy juror; seed more submissions"
        )
    single_entry = by_category[categories[0].pk][JUROR_ASSIGNMENTS // 4]
    special = {e.pk: busy for e in busy_entries} | {single_entry.pk: single}

    rows = []
    for entry in entries:
        pool = pools[entry.category_id]
        own = special.get(entry.pk)
        others = rng.sample(pool, min(2 if own else 3, len(pool)))
        rows.extend(Assignment(round=round_, juror=j, submission=entry) for j in others)
        if own:
            rows.append(Assignment(round=round_, juror=own, submission=entry))
    Assignment.objects.bulk_create(rows, batch_size=1000)

    assignments = list(
        Assignment.objects.filter(round=round_).order_by("pk").select_related("submission")
    )
    own_ids = {busy.pk, single.pk}
    others = [a for a in assignments if a.juror_id not in own_ids]
    statuses = [
        "submitted" if (draw := rng.random()) < 0.6 else "draft" if draw < 0.75 else ""
        for _ in others
    ]
    mine = sorted((a for a in assignments if a.juror_id == busy.pk), key=lambda a: a.submission_id)
    target = mine[-1]  # the entry with the documents: its review is a draft
    mine_statuses = (
        ["submitted"] * JUROR_REVIEWS["submitted"]
        + ["draft"] * JUROR_REVIEWS["draft"]
        + [""] * (len(mine) - sum(JUROR_REVIEWS.values()) - 1)
        + ["draft"]
    )
    single_assignment = next(a for a in assignments if a.juror_id == single.pk)
    reviews = _reviews(
        [*others, *mine, single_assignment],
        [*statuses, *mine_statuses, "draft"],
        criteria,
        rng,
        now,
    )

    _documents(target.submission, DOCUMENTS)
    _documents(single_assignment.submission, 1)
    return {
        "award": award,
        "busy": busy,
        "single": single,
        "target": target,
        "single_assignment": single_assignment,
        "entries": len(entries),
        "assignments": len(assignments),
        "reviews": reviews,
    }


def build_public(*, submissions: int, rng: random.Random) -> object:
    """The published 2023 edition with ``submissions`` entries and, per category, places 1 to
    3 and PUBLIC_MENTIONS special mentions with statements and images."""
    from django.utils import timezone

    from awards import demo
    from awards.models import Award
    from results.demo import results_2023_create
    from results.models import Decision, RankingSnapshot
    from submissions.models import Attachment, Membership, Submission

    results_2023_create()  # the demo's winners of 2023, published
    award = Award.objects.get(slug=demo.EDITION_2023["slug"])
    if not award.results_are_public():
        raise SystemExit(f"the demo edition {award.slug} has no public results")
    categories = list(award.categories.order_by("position"))
    members = list(Membership.objects.select_related("organisation", "user").order_by("pk"))
    closed = demo.EDITION_2023["submissions_close_at"]
    entries = Submission.objects.bulk_create(
        [
            Submission(
                award=award,
                category=categories[n % 4],
                organisation=(member := rng.choice(members)).organisation,
                created_by=member.user,
                reference=f"{award.reference_prefix}-2023-{categories[n % 4].code}-B{n:04d}",
                title=f"Lightweight part {n} of {member.organisation.name}",
                summary="A part that weighs a third less than the usual design.",
                consent_terms=True,
                consent_data=True,
                consent_publication=True,
                status="eligible",
                submitted_at=closed - dt.timedelta(days=rng.randint(1, 40)),
            )
            for n in range(submissions)
        ],
        batch_size=1000,
    )
    decided = demo.EDITION_2023["jury_deadline_at"]
    decisions = []
    for category in categories:
        snapshot = RankingSnapshot.objects.filter(award=award, category=category).first()
        ours = [e for e in entries if e.category_id == category.pk][: 2 + PUBLIC_MENTIONS]
        for n, entry in enumerate(ours):
            place = n + 2 if n < 2 else None
            decisions.append(
                Decision(
                    award=award,
                    category=category,
                    submission=entry,
                    kind="place" if place else "mention",
                    place=place,
                    snapshot=snapshot,
                    decided_at=decided,
                    statement_de="Die Jury überzeugte die konsequente Gewichtseinsparung.",
                    statement_en="The jury was convinced by the consistent weight saving.",
                )
            )
    Decision.objects.bulk_create(decisions)
    Attachment.objects.bulk_create(
        [
            Attachment(
                submission=d.submission,
                kind="image",
                file=f"submissions/{award.pk}/bench-{d.submission.pk}.jpg",
                thumbnail=f"submissions/{award.pk}/thumbs/bench-{d.submission.pk}.jpg",
                original_name="photo.jpg",
                content_type="image/jpeg",
                size=200_000,
                sha256=hashlib.sha256(str(d.submission.pk).encode()).hexdigest(),
            )
            for d in decisions
        ]
    )
    Award.objects.filter(pk=award.pk).update(results_changed_at=timezone.now())
    award.refresh_from_db()
    return award


def results_changed(award) -> None:
    """What a decision or the publication does to the public pages' cache key."""
    try:
        from results.services.showcase import results_changed as changed
    except ImportError:  # before the showcase service: the field directly
        from django.utils import timezone

        from awards.models import Award

        Award.objects.filter(pk=award.pk).update(results_changed_at=timezone.now())
    else:
        changed(award)


def one_request(client, url: str) -> tuple[float, float, int]:
    """(wall ms, CPU ms of this process, queries) of one GET of ``url``; anything but a 200
    ends the bench. On a shared machine the CPU time is the steadier figure: the wall time
    also holds the waits for a core."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        cpu = time.process_time()
        elapsed, response = milliseconds(lambda: client.get(url))
        cpu = (time.process_time() - cpu) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
    return elapsed, cpu, len(captured.captured_queries)


def measure(client, url: str, *, requests: int, warmup: int = 5) -> tuple[list, list, list]:
    """``warmup`` untimed GETs of ``url``, then ``requests`` timed ones: (wall ms, CPU ms,
    queries) of each."""
    for _ in range(warmup):
        one_request(client, url)
    samples = [one_request(client, url) for _ in range(requests)]
    return tuple(list(column) for column in zip(*samples, strict=True))


def record(figures: dict, name: str, samples: tuple[list, list, list]) -> None:
    times, cpu, queries = samples
    median, p95 = median_p95(times)
    figures[f"{name}_ms_median"] = median
    figures[f"{name}_ms_p95"] = p95
    figures[f"{name}_cpu_ms_median"] = median_p95(cpu)[0]
    figures[f"{name}_queries"] = max(queries)
    if min(queries) != max(queries):
        log(f"{name}: the query count varies between {min(queries)} and {max(queries)}")
    log(f"{name}: median {median} ms, p95 {p95} ms, {max(queries)} queries")


def main(argv: list[str] | None = None) -> None:
    arguments = parser(__doc__)
    arguments.add_argument(
        "--submissions", type=int, default=2000, help="entries per edition (default: 2000)"
    )
    arguments.add_argument(
        "--requests", type=int, default=50, help="requests per page (default: 50)"
    )
    arguments.add_argument(
        "--jurors", type=int, default=60, help="jurors besides the two measured (default: 60)"
    )
    args = arguments.parse_args(argv)
    rng = random.Random(args.seed)
    figures: dict = {
        "submissions": args.submissions,
        "requests": args.requests,
        "jurors": args.jurors + 2,
        "machine": machine(),
    }
    with throwaway_django(database_url=args.database_url, settings=args.settings):
        from django.test import Client
        from django.urls import reverse

        figures["database"] = database_vendor()
        applicants = min(400, max(20, args.submissions // 5))
        elapsed, slug = milliseconds(
            lambda: seed(submissions=args.submissions, applicants=applicants, rng=rng)
        )
        log(f"seeded the demo and {args.submissions} entries in {elapsed:.0f} ms")
        elapsed, jury = milliseconds(lambda: build_jury(slug=slug, jurors=args.jurors, rng=rng))
        log(
            f"seeded the jury in {elapsed:.0f} ms: {jury['entries']} entries in round 1, "
            f"{jury['assignments']} assignments, {jury['reviews']} reviews"
        )
        elapsed, published = milliseconds(
            lambda: build_public(submissions=args.submissions, rng=rng)
        )
        log(f"seeded the published edition {published.slug} in {elapsed:.0f} ms")
        figures.update(
            {
                "round_entries": jury["entries"],
                "assignments": jury["assignments"],
                "reviews": jury["reviews"],
                "juror_assignments": JUROR_ASSIGNMENTS,
                "review_documents": DOCUMENTS,
                "review_document_pages": DOCUMENT_PAGES,
            }
        )

        # The public results page, anonymously: cold right after a change, then warm.
        url = reverse("results:public", kwargs={"slug": published.slug})
        anonymous = Client()
        first_ms, _, first_queries = one_request(anonymous, url)
        cold = []
        for _ in range(COLD_SAMPLES):
            results_changed(published)
            cold.append(one_request(anonymous, url))
        warm = measure(anonymous, url, requests=args.requests)
        record(figures, "public_results", warm)
        cold_times, cold_cpu, cold_queries = (list(column) for column in zip(*cold, strict=True))
        cold_median, cold_p95 = median_p95(cold_times)
        figures["public_results_first_ms"] = round(first_ms, 2)
        figures["public_results_cold_ms"] = cold_median
        figures["public_results_cold_ms_p95"] = cold_p95
        figures["public_results_cold_cpu_ms"] = median_p95(cold_cpu)[0]
        figures["public_results_cold_queries"] = max(cold_queries)
        # A change of the results must reach the page: the block is rendered again.
        figures["public_results_invalidated"] = min(cold_queries) > max(warm[2])
        log(
            f"public results cold: first {first_ms:.1f} ms ({first_queries} queries), median "
            f"{cold_median} ms, p95 {cold_p95} ms, {max(cold_queries)} queries"
        )

        # The juror's pages, logged in as the busy juror.
        award = jury["award"]
        busy = Client()
        busy.force_login(jury["busy"].user)
        url = reverse("jury:dashboard", kwargs={"slug": award.slug})
        record(figures, "juror_dashboard", measure(busy, url, requests=args.requests))

        url = reverse("jury:review", kwargs={"slug": award.slug, "pk": jury["target"].pk})
        # The first request of the page: a document rendered in the request would show here.
        figures["review_page_first_ms"] = round(one_request(busy, url)[0], 2)
        record(figures, "review_page", measure(busy, url, requests=args.requests))

        # The same pages of a juror with one assignment, an entry with one document.
        single = Client()
        single.force_login(jury["single"].user)
        url = reverse(
            "jury:review", kwargs={"slug": award.slug, "pk": jury["single_assignment"].pk}
        )
        figures["review_page_queries_at_1_assignment"] = max(
            measure(single, url, requests=3, warmup=2)[2]
        )
        url = reverse("jury:dashboard", kwargs={"slug": award.slug})
        figures["juror_dashboard_queries_at_1_assignment"] = max(
            measure(single, url, requests=3, warmup=2)[2]
        )
        figures["review_page_queries_constant"] = (
            figures["review_page_queries"] == figures["review_page_queries_at_1_assignment"]
        )
        log(
            f"one assignment: review page {figures['review_page_queries_at_1_assignment']} "
            f"queries, dashboard {figures['juror_dashboard_queries_at_1_assignment']} queries"
        )
    emit(figures)


if __name__ == "__main__":
    main()
