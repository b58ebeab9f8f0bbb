"""How fast the public pages answer with a realistic amount of data.

Seeds the demo awards, a few hundred applicants and N submissions across the current
award's four categories, then requests the landing page, the award page and /healthz/
through Django's test client (the whole middleware stack, no network) R times each, after
a short warm-up. Prints the median and 95th percentile wall time in ms and the number of
database queries per request; the last line is one JSON object.

    .venv/bin/python bench/pages.py [--submissions 2000] [--requests 200]
    .venv/bin/python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/laurel_bench
"""

import datetime as dt
import io
import random

from _common import database_vendor, emit, log, median_p95, milliseconds, parser, throwaway_django

FIRST_NAMES = [
    "Anna", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hannes", "Ines", "Jonas",
    "Katrin", "Lukas", "Mira", "Niklas", "Olga", "Paul", "Rita", "Sven", "Tanja", "Yusuf",
]  # fmt: skip
LAST_NAMES = [
    "Albrecht", "Becker", "Çelik", "Dietrich", "Engel", "Fischer", "Graf", "Hoffmann",
    "Ivanova", "Jung", "Krüger", "Lehmann", "Meyer", "Nowak", "Otto", "Peters", "Richter",
    "Schulz", "Weber", "Zimmermann",
]  # fmt: skip
MATERIALS = [
    "carbon fibre", "flax fibre", "basalt fibre", "aluminium foam", "magnesium",
    "titanium lattice", "bio-based resin", "recycled PET honeycomb", "glass fibre",
    "thermoplastic tape",
]  # fmt: skip
PRODUCTS = {
    "CON": ["bridge deck", "facade panel", "roof truss", "formwork system", "stair module"],
    "MOB": ["bicycle frame", "battery housing", "seat structure", "rail car door", "drone arm"],
    "HEA": ["prosthetic foot", "wheelchair frame", "knee orthosis", "rescue stretcher", "splint"],
    "LIF": ["ski core", "stacking chair", "paddle board", "suitcase shell", "tennis racket"],
}
# How the entries of an open award are spread over the states (draft, submitted, …).
STATUS_WEIGHTS = {
    "draft": 30,
    "submitted": 55,
    "withdrawn": 3,
    "eligible": 10,
    "ineligible": 2,
}


def seed(*, submissions: int, applicants: int, rng: random.Random) -> str:
    """The demo awards plus applicants and submissions; returns the current award's slug."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from awards import selectors
    from submissions.models import Membership, Organisation, Submission

    call_command("seed_demo", "--force", stdout=io.StringIO())
    award = selectors.award_current()
    categories = list(award.categories.order_by("position"))
    if len(categories) != 4:
        raise SystemExit(f"expected the demo award's 4 categories, found {len(categories)}")

    now = timezone.now()
    password = make_password(None)  # unusable: nobody logs in as a bench applicant
    User.objects.bulk_create(
        [
            User(
                email=f"applicant{number:04d}@bench.laurel.example",
                full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                preferred_language=rng.choice(["de", "de", "en"]),
                email_verified_at=now,
                password=password,
            )
            for number in range(applicants)
        ],
        batch_size=500,
    )
    people = list(User.objects.filter(email__endswith="@bench.laurel.example"))
    # One company per applicant, the applicant its owner.
    Organisation.objects.bulk_create(
        [Organisation(name=f"{person.full_name.split()[-1]} Leichtbau GmbH") for person in people],
        batch_size=500,
    )
    companies = list(Organisation.objects.order_by("pk"))[-len(people) :]
    Membership.objects.bulk_create(
        [
            Membership(organisation=company, user=person, role="owner")
            for company, person in zip(companies, people, strict=True)
        ],
        batch_size=500,
    )
    company_of = {person.pk: company for company, person in zip(companies, people, strict=True)}

    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    entries = []
    for _ in range(submissions):
        category = rng.choice(categories)
        status = rng.choices(statuses, weights)[0]
        title = (
            f"{rng.choice(PRODUCTS[category.code]).capitalize()} in "
            f"{rng.choice(MATERIALS)}, {rng.randint(12, 58)} % lighter"
        )
        entries.append(
            Submission(
                award=award,
                category=category,
                title=title,
                status=status,
                organisation=company_of[(person := rng.choice(people)).pk],
                created_by=person,
                submitted_at=None
                if status == "draft"
                else now - dt.timedelta(minutes=rng.randint(10, 60 * 24 * 30)),
            )
        )
    Submission.objects.bulk_create(entries, batch_size=500)
    if Submission.objects.filter(award=award).count() != submissions:
        raise SystemExit("the submissions were not all stored")
    return award.slug


def measure(url: str, *, requests: int, warmup: int = 5) -> tuple[list[float], list[int]]:
    """Wall times (ms) and query counts of ``requests`` GETs of ``url``."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(
                f"GET {url} answered {response.status_code}: {response.content[:500]!r}"
            )
        return response

    for _ in range(warmup):  # templates compiled, caches and connections warm
        get()
    times, queries = [], []
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            elapsed, _response = milliseconds(get)
        times.append(elapsed)
        queries.append(len(captured.captured_queries))
    return times, queries


def main(argv: list[str] | None = None) -> None:
    arguments = parser(__doc__)
    arguments.add_argument(
        "--submissions", type=int, default=2000, help="submissions to seed (default: 2000)"
    )
    arguments.add_argument(
        "--requests", type=int, default=200, help="requests per page (default: 200)"
    )
    arguments.add_argument(
        "--applicants",
        type=int,
        help="applicant accounts to seed (default: one per five submissions, 20 to 400)",
    )
    args = arguments.parse_args(argv)
    applicants = args.applicants or min(400, max(20, args.submissions // 5))
    rng = random.Random(args.seed)

    figures: dict = {
        "submissions": args.submissions,
        "applicants": applicants,
        "requests": args.requests,
    }
    with throwaway_django(database_url=args.database_url, settings=args.settings):
        figures["database"] = database_vendor()
        elapsed, slug = milliseconds(
            lambda: seed(submissions=args.submissions, applicants=applicants, rng=rng)
        )
        log(f"seeded {args.submissions} submissions, {applicants} applicants in {elapsed:.0f} ms")
        pages = {"landing": "/", "award": f"/awards/{slug}/", "healthz": "/healthz/"}
        for name, url in pages.items():
            times, queries = measure(url, requests=args.requests)
            median, p95 = median_p95(times)
            figures[f"{name}_ms_median"] = median
            figures[f"{name}_ms_p95"] = p95
            figures[f"{name}_queries"] = max(queries)
            if min(queries) != max(queries):
                log(f"{name}: the query count varies between {min(queries)} and {max(queries)}")
            log(f"{name} {url}: median {median} ms, p95 {p95} ms, {max(queries)} queries")
    emit(figures)


if __name__ == "__main__":
    main()
