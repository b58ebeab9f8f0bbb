"""How the organisers' entry pages and exports cope with a large edition.

Seeds the demo awards, one organisation per two entries, N entries (``--submissions``) with
realistic texts across the current award's four categories and statuses, and D documents
(``--documents``: PDFs of 200–800 KB, random content inside a valid PDF wrapper, stored
through the default storage in the throwaway media folder) attached to the applications of
ONE category, in its "documents" file slot. The award's application form has 30 questions
(``QUESTIONS``: the standard form's 7 and 23 more of every kind, 7 of them choice, multiple
choice or yes/no; with its 3 headings and 2 file slots), answered by every entry; then the
database's statistics are brought up to date (``ANALYZE``, as autovacuum would). Then,
logged in as an organiser through Django's test client (the whole middleware stack, no
network):

* the entries list ``/manage/<slug>/submissions/`` (plain, with a filter and a search, the
  last page): median and p95 ms and queries per request;
* the same list filtered by the answer to a choice question AND searched in the text
  answers (figures under the key ``questions``, with the ratio of its median to the plain
  list's, measured in the same run);
* the CSV and XLSX exports of all entries (5,000 × 30 answers by default): seconds to
  produce the whole file, and its size; one more XLSX download while a thread samples the
  process's resident memory (peak RSS and its growth);
* the ZIP of the category with the documents, read in chunks as a browser would, while a
  thread samples the process's resident memory: peak RSS, its growth over the value before
  the download, the archive's size and the time.

The last line on stdout is one JSON object.

    .venv/bin/python bench/submissions.py [--submissions 5000] [--documents 500]
    .venv/bin/python bench/submissions.py --database-url postgres://postgres@127.0.0.1:5432/laurel_bench
"""

import datetime as dt
import hashlib
import io
import os
import random
import secrets
import struct
import threading
import time
from pathlib import Path

from _common import (
    database_vendor,
    emit,
    log,
    machine,
    measure_page,
    median_p95,
    milliseconds,
    parser,
    throwaway_django,
)

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
COMPANY_WORDS = [
    "Leichtbau", "Composites", "Faserwerk", "Struktur", "Innovations", "Werkstoff", "Carbon",
    "Bionik", "Formteil", "Hybrid",
]  # fmt: skip
LEGAL_FORMS = ["GmbH", "GmbH & Co. KG", "AG", "UG (haftungsbeschränkt)", "e.V.", ""]
SIZES = ["startup", "sme", "sme", "large", "research"]
STATUS_WEIGHTS = {"draft": 25, "submitted": 50, "withdrawn": 3, "eligible": 18, "ineligible": 4}
APPLIED = {"submitted", "eligible", "ineligible"}
DOCUMENT_NAMES = [
    "Datenblatt.pdf", "Präsentation.pdf", "Prüfbericht.pdf", "Technische Zeichnung.pdf",
    "Ökobilanz.pdf", "Pitch Deck.pdf",
]  # fmt: skip
SENTENCE = (
    "The component replaces a welded steel assembly with a single {material} part, "
    "saving {saving} % of the weight and {energy} % of the energy in production. "
)


# The questions the bench adds to the standard form (7 questions, 3 headings, 2 file slots):
# (key, kind, English label, extra fields). With them the form asks 30 questions.
def _choices(*values: str) -> list[dict]:
    return [{"value": v, "de": v.capitalize(), "en": v.capitalize()} for v in values]


QUESTIONS = [
    ("product_name", "short_text", "Product name", {}),
    ("patent_status", "choice", "Patent status", {"choices": _choices("none", "filed", "granted")}),
    ("patent_number", "short_text", "Patent number", {}),
    ("contact_role", "short_text", "Role of the contact person", {}),
    ("partner", "short_text", "Research partner", {}),
    ("region", "short_text", "Region of production", {}),
    ("materials", "multiple", "Materials", {"choices": _choices(
        "carbon", "flax", "basalt", "aluminium", "magnesium", "titanium", "glass")}),
    ("sector", "choice", "Sector", {"choices": _choices(
        "automotive", "aviation", "rail", "construction", "medical", "sports", "energy")}),
    ("method", "multiple", "Production methods", {"choices": _choices(
        "pressing", "winding", "printing", "casting", "weaving")}),
    ("funded", "yes_no", "Publicly funded", {}),
    ("series", "yes_no", "In series production", {}),
    ("weight_kg", "number", "Weight", {"unit": "kg", "decimals": 1}),
    ("saving_pct", "number", "Weight saved", {"unit": "%"}),
    ("employees", "number", "Employees", {}),
    ("budget", "money", "Development budget", {}),
    ("revenue", "money", "Expected revenue", {}),
    ("started", "date", "Development started", {}),
    ("market_entry", "date", "Market entry", {}),
    ("sustainability", "long_text", "Sustainability", {"max_length": 5000}),
    ("recycling", "long_text", "Recycling at the end of life", {"max_length": 5000}),
    ("risks", "long_text", "Risks", {"max_length": 5000}),
    ("next_steps", "long_text", "Next steps", {"max_length": 5000}),
    ("website_demo", "url", "Demo video", {}),
]  # fmt: skip
PARTNERS = ["TU Berlin", "BTU Cottbus", "TH Wildau", "Fraunhofer IAP", "BAM", "Uni Potsdam"]
REGIONS = ["Lausitz", "Havelland", "Barnim", "Uckermark", "Berlin", "Prignitz"]


def paragraph(rng: random.Random, sentences: int) -> str:
    return "".join(
        SENTENCE.format(
            material=rng.choice(MATERIALS),
            saving=rng.randint(12, 60),
            energy=rng.randint(5, 45),
        )
        for _ in range(sentences)
    ).strip()


def pdf_bytes(rng: random.Random, size: int) -> bytes:
    """A valid one-page PDF of about ``size`` bytes: the padding is an incompressible stream
    (as the compressed images in real PDFs are), with a correct cross-reference table."""
    padding = rng.randbytes(max(0, size - 600))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(padding) + padding + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def form_create(award) -> list:
    """The bench's questions after the standard form's (the patent number asked only when the
    patent is granted); every question of the award's form, in order."""
    from submissions.models import Question
    from submissions.selectors import form_questions_of

    last = max((q.position for q in award.questions.all()), default=0)
    created = Question.objects.bulk_create(
        Question(
            award=award,
            key=key,
            kind=kind,
            label_en=label,
            label_de=label,
            position=last + 10 * index,
            **extra,
        )
        for index, (key, kind, label, extra) in enumerate(QUESTIONS, start=1)
    )
    by_key = {q.key: q for q in created}
    Question.objects.filter(pk=by_key["patent_number"].pk).update(
        show_if=by_key["patent_status"], show_if_values=["granted"]
    )
    questions = form_questions_of(award.pk)
    asked = [q for q in questions if q.kind not in ("section", "file")]
    if len(asked) != 30:
        raise SystemExit(f"the bench's form should ask 30 questions, not {len(asked)}")
    return questions


def answers_for(rng: random.Random, questions: list, n: int) -> dict:
    """One entry's stored answers to every question (as ``Submission.answers`` holds them)."""
    values: dict = {}
    for question in questions:
        kind, key = question.kind, question.key
        choices = [c["value"] for c in question.choices or []]
        if kind in ("section", "file"):
            continue
        if key == "market_readiness":
            value = str(rng.randint(3, 9))
        elif key == "patent_number":
            if values.get("patent_status") != "granted":
                continue
            value = f"DE 10 2023 {rng.randint(100000, 999999)}"
        elif kind == "short_text":
            value = {
                "product_name": f"{rng.choice(MATERIALS).capitalize()} part {n}",
                "contact_role": rng.choice(["CEO", "CTO", "Head of R&D", "Engineer"]),
                "partner": rng.choice(PARTNERS),
                "region": rng.choice(REGIONS),
            }[key]
        elif kind == "long_text":
            value = paragraph(rng, {"description": 12, "team": 2}.get(key, rng.randint(2, 4)))
        elif kind == "number":
            value = f"{rng.uniform(0.2, 80):.1f}" if question.decimals else str(rng.randint(3, 500))
        elif kind == "money":
            value = f"{rng.randint(20_000, 5_000_000)}.00"
        elif kind == "date":
            value = (dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(0, 3000))).isoformat()
        elif kind == "choice":
            value = rng.choice(choices)
        elif kind == "multiple":
            value = rng.sample(choices, k=rng.randint(1, 3))
        elif kind == "yes_no":
            value = rng.random() < 0.4
        elif kind == "url":
            value = f"https://video.example/{key}/{n}"
        else:
            continue
        values[key] = value
    by_key = {q.key: q for q in questions}
    return {
        str(by_key[key].pk): {"value": value, "version": by_key[key].version}
        for key, value in values.items()
    }


def seed(*, submissions: int, documents: int, rng: random.Random) -> dict:
    """The demo awards, organisations with an owner each, the entries and the documents.
    Returns the award's slug, the category holding the documents and what was stored."""
    from django.contrib.auth.hashers import make_password
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from awards import selectors
    from submissions.models import Attachment, Membership, Organisation, Submission
    from submissions.questions import answers_index

    call_command("seed_demo", "--force", stdout=io.StringIO())
    award = selectors.award_current()
    categories = list(award.categories.order_by("position"))
    if len(categories) != 4:
        raise SystemExit(f"expected the demo award's 4 categories, found {len(categories)}")
    questions = form_create(award)
    now = timezone.now()

    count = max(1, submissions // 2)
    password = make_password(None)  # unusable: nobody logs in as a bench applicant
    User.objects.bulk_create(
        [
            User(
                email=f"owner{n:05d}@bench.laurel.example",
                full_name=f"Owner {n}",
                email_verified_at=now,
                password=password,
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    people = list(User.objects.filter(email__endswith="@bench.laurel.example").order_by("pk"))
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_WORDS)} {n}",
                legal_form=rng.choice(LEGAL_FORMS),
                street=f"Am Flugplatz {rng.randint(1, 120)}",
                postal_code=f"{rng.randint(10115, 16949)}",
                city=rng.choice(["Berlin", "Potsdam", "Cottbus", "Wildau", "Brandenburg"]),
                website=f"https://company-{n}.example",
                size_class=rng.choice(SIZES),
                founded_year=rng.randint(1950, 2023),
                contact_name=people[n].full_name,
                contact_email=people[n].email,
                contact_phone=f"+49 30 {rng.randint(1000000, 9999999)}",
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [
            Membership(organisation=organisation, user=person, role="owner")
            for organisation, person in zip(organisations, people, strict=True)
        ],
        batch_size=1000,
    )

    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    numbers = dict.fromkeys((category.code for category in categories), 0)
    entries = []
    for n in range(submissions):
        category = categories[n % len(categories)]
        status = rng.choices(statuses, weights)[0]
        owner_index = n % count
        reference = None
        if status != "draft":
            numbers[category.code] += 1
            reference = f"LIA-{award.edition}-{category.code}-{numbers[category.code]:04d}"
        answers = answers_for(rng, questions, n)
        entries.append(
            Submission(
                award=award,
                category=category,
                organisation=organisations[owner_index],
                created_by=people[owner_index],
                reference=reference,
                title=(
                    f"{rng.choice(PRODUCTS[category.code]).capitalize()} in "
                    f"{rng.choice(MATERIALS)}, {rng.randint(12, 58)} % lighter"
                ),
                summary=paragraph(rng, 3)[:600],
                answers=answers,
                **answers_index(questions, answers),
                consent_terms=status != "draft",
                consent_data=status != "draft",
                consent_publication=rng.random() < 0.8,
                status=status,
                eligibility_reason="Outside Berlin-Brandenburg." if status == "ineligible" else "",
                submitted_at=None
                if status == "draft"
                else now - dt.timedelta(minutes=rng.randint(10, 60 * 24 * 30)),
            )
        )
    Submission.objects.bulk_create(entries, batch_size=500)
    if Submission.objects.filter(award=award).count() != submissions:
        raise SystemExit("the submissions were not all stored")

    # The documents: in ONE category, on its applications, one to a few per entry.
    category = categories[1]
    applied = list(Submission.objects.filter(category=category, status__in=APPLIED).order_by("pk"))
    if documents and not applied:
        raise SystemExit("no applications in the documents' category; use more --submissions")
    attachments, stored_bytes = [], 0
    documents_slot = next(q for q in questions if q.key == "documents")
    for n in range(documents):
        submission = applied[n % len(applied)]
        data = pdf_bytes(rng, rng.randint(200_000, 800_000))
        name = default_storage.save(
            f"submissions/{award.pk}/{secrets.token_hex(16)}.pdf", ContentFile(data)
        )
        attachments.append(
            Attachment(
                submission=submission,
                question=documents_slot,
                kind="document",
                file=name,
                original_name=DOCUMENT_NAMES[(n // len(applied)) % len(DOCUMENT_NAMES)],
                content_type="application/pdf",
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=submission.created_by,
            )
        )
        stored_bytes += len(data)
    Attachment.objects.bulk_create(attachments, batch_size=500)
    # The planner's statistics, as autovacuum would have them on a database in use.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "slug": award.slug,
        "award": award,
        "questions": questions,
        "category": category,
        "stored_mb": stored_bytes / 1_000_000,
    }


def organiser_client(award):
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from awards.models import AwardRole

    user = User.objects.create(
        email="organiser@bench.laurel.example",
        full_name="Bench Organiser",
        email_verified_at=timezone.now(),
        preferred_language="en",
    )
    AwardRole.objects.create(award=award, user=user, role="organiser")
    client = Client()
    client.force_login(user)
    return client


def download(client, url: str) -> tuple[float, int]:
    """Seconds to fetch and read the whole response, and its size in bytes."""
    started = time.perf_counter()
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    size = 0
    if response.streaming:
        for chunk in response.streaming_content:
            size += len(chunk)
    else:
        size = len(response.content)
    return time.perf_counter() - started, size


# --- memory ------------------------------------------------------------------------------
def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> bool:
    """Reset the kernel's record of the peak RSS (VmHWM) to the current value, if allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class RssSampler(threading.Thread):
    """Samples the resident memory every few ms while the download runs."""

    def __init__(self, interval: float = 0.002):
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_kb = _status_kb("VmRSS")
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_kb = max(self.peak_kb, _status_kb("VmRSS"))
            time.sleep(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        self.peak_kb = max(self.peak_kb, _status_kb("VmRSS"))
        return self.peak_kb


def measure_zip(client, url: str) -> dict:
    """Read the ZIP in chunks while sampling memory; check it is a whole archive."""
    import gc

    gc.collect()
    before_kb = _status_kb("VmRSS")
    exact = _reset_peak()
    sampler = RssSampler()
    sampler.start()
    started = time.perf_counter()
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    size, chunks, tail = 0, 0, b""
    for chunk in response.streaming_content:
        size += len(chunk)
        chunks += 1
        tail = (tail + chunk)[-65_536:]  # enough for the central directory's end record
    elapsed = time.perf_counter() - started
    peak_kb = sampler.stop()
    if exact:
        peak_kb = max(peak_kb, _status_kb("VmHWM"))
    if int(response["Content-Length"]) != size:
        raise SystemExit(f"ZIP: Content-Length {response['Content-Length']} but {size} bytes")
    # The end-of-central-directory record closes the archive and counts its members.
    end = tail[-22:]
    if end[:4] != b"PK\x05\x06":
        raise SystemExit("ZIP: no end-of-central-directory record")
    members = struct.unpack("<H", end[10:12])[0]
    return {
        "zip_members": members,
        "zip_s": round(elapsed, 2),
        "zip_mb": round(size / 1_000_000, 1),
        "zip_chunks": chunks,
        "zip_rss_before_mb": round(before_kb / 1024, 1),
        "zip_peak_rss_mb": round(peak_kb / 1024, 1),
        "zip_rss_growth_mb": round((peak_kb - before_kb) / 1024, 1),
        "zip_peak_exact": exact,
    }


def measure_download_rss(client, url: str) -> dict:
    """Download ``url`` whole while sampling memory: seconds, size, RSS before and peak."""
    import gc

    gc.collect()
    before_kb = _status_kb("VmRSS")
    exact = _reset_peak()
    sampler = RssSampler()
    sampler.start()
    elapsed, size = download(client, url)
    peak_kb = sampler.stop()
    if exact:
        peak_kb = max(peak_kb, _status_kb("VmHWM"))
    return {
        "s": round(elapsed, 2),
        "mb": round(size / 1_000_000, 1),
        "rss_before_mb": round(before_kb / 1024, 1),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "rss_growth_mb": round((peak_kb - before_kb) / 1024, 1),
        "peak_exact": exact,
    }


def measure_questions(client, base: str, award, questions: list, *, requests: int) -> dict:
    """The list filtered by a choice question and searched in the text answers, and the
    XLSX export of every entry with its 30 answers, with the memory it takes."""
    from submissions.manage_selectors import SubmissionFilters, submissions_of_award
    from submissions.models import Submission

    asked = [q for q in questions if q.kind not in ("section", "file")]
    sector = next(q for q in questions if q.key == "sector")
    url = f"{base}?{sector.field_name}=aviation&q=lausitz"
    filters = SubmissionFilters(search="lausitz", answers=((sector, "aviation"),))
    result: dict = {
        "asked": len(asked),
        "choice_questions": sum(q.kind in ("choice", "multiple", "yes_no") for q in asked),
        "answers": sum(
            len(answers)
            for answers in Submission.objects.filter(award=award).values_list("answers", flat=True)
        ),
        "list_url": url,
        "list_matches": submissions_of_award(award, filters).count(),
    }
    times, queries = measure_page(client, url, requests=requests)
    median, p95 = median_p95(times)
    result.update({"list_ms_median": median, "list_ms_p95": p95, "list_queries": max(queries)})
    if min(queries) != max(queries):
        log(f"questions list: the query count varies between {min(queries)} and {max(queries)}")
    log(f"questions list {url}: median {median} ms, p95 {p95} ms, {max(queries)} queries")
    # First a quarter of the entries (one category), then all of them: if the export streams,
    # the memory it takes does not grow with the rows (the process keeps what it took once,
    # so the smaller export goes first).
    category = award.categories.order_by("position").first()
    quarter = measure_download_rss(client, f"{base}export.xlsx?category={category.pk}")
    result.update({f"xlsx_quarter_{name}": value for name, value in quarter.items()})
    xlsx = measure_download_rss(client, f"{base}export.xlsx")
    result.update({f"xlsx_{name}": value for name, value in xlsx.items()})
    log(
        f"xlsx with {len(asked)} questions: {xlsx['mb']} MB in {xlsx['s']} s; RSS "
        f"{xlsx['rss_before_mb']} MB before, peak {xlsx['peak_rss_mb']} MB "
        f"(+{xlsx['rss_growth_mb']} MB); a quarter of the entries before: "
        f"+{quarter['rss_growth_mb']} MB"
    )
    return result


def main(argv: list[str] | None = None) -> None:
    arguments = parser(__doc__)
    arguments.add_argument(
        "--submissions", type=int, default=5000, help="entries to seed (default: 5000)"
    )
    arguments.add_argument(
        "--documents",
        type=int,
        default=500,
        help="PDF documents in one category (default: 500, 200–800 KB each)",
    )
    arguments.add_argument(
        "--requests", type=int, default=50, help="requests per list page (default: 50)"
    )
    arguments.add_argument(
        "--export-runs", type=int, default=3, help="runs of each export (default: 3)"
    )
    args = arguments.parse_args(argv)
    rng = random.Random(args.seed)
    # The documents go to the throwaway folder, never to a media folder set in the shell.
    os.environ.pop("DJANGO_MEDIA_ROOT", None)

    figures: dict = {
        "submissions": args.submissions,
        "documents": args.documents,
        "requests": args.requests,
    }
    with throwaway_django(database_url=args.database_url, settings=args.settings) as var_dir:
        from django.core.files.storage import default_storage

        if not str(getattr(default_storage, "location", "")).startswith(str(var_dir)):
            raise SystemExit(f"media would be stored outside {var_dir}: {default_storage!r}")
        figures["database"] = database_vendor()
        figures["machine"] = machine()
        elapsed, seeded = milliseconds(
            lambda: seed(submissions=args.submissions, documents=args.documents, rng=rng)
        )
        figures["seed_s"] = round(elapsed / 1000, 1)
        log(
            f"seeded {args.submissions} entries and {args.documents} documents "
            f"({seeded['stored_mb']:.0f} MB) in {elapsed / 1000:.1f} s"
        )
        slug, category = seeded["slug"], seeded["category"]
        client = organiser_client(seeded["award"])
        base = f"/manage/{slug}/submissions/"

        last_page = max(1, -(-args.submissions // 50))
        pages = {
            "list": base,
            "list_filtered": f"{base}?status=submitted&size=sme&q=frame",
            "list_last_page": f"{base}?page={last_page}",
        }
        for name, url in pages.items():
            times, queries = measure_page(client, url, requests=args.requests)
            median, p95 = median_p95(times)
            figures[f"{name}_ms_median"] = median
            figures[f"{name}_ms_p95"] = p95
            figures[f"{name}_queries"] = max(queries)
            if min(queries) != max(queries):
                log(f"{name}: the query count varies between {min(queries)} and {max(queries)}")
            log(f"{name} {url}: median {median} ms, p95 {p95} ms, {max(queries)} queries")

        questions = measure_questions(
            client, base, seeded["award"], seeded["questions"], requests=args.requests
        )
        questions["list_ratio_to_list"] = round(
            questions["list_ms_median"] / figures["list_ms_median"], 2
        )
        questions["list_ratio_to_list_filtered"] = round(
            questions["list_ms_median"] / figures["list_filtered_ms_median"], 2
        )
        figures["questions"] = questions
        log(
            f"questions list median / plain list median: {questions['list_ratio_to_list']}, "
            f"/ filtered list median: {questions['list_ratio_to_list_filtered']}"
        )

        for kind in ("csv", "xlsx"):
            url = f"{base}export.{kind}"
            runs = [download(client, url) for _ in range(max(1, args.export_runs))]
            seconds = sorted(s for s, _size in runs)[len(runs) // 2]
            figures[f"export_{kind}_s"] = round(seconds, 2)
            figures[f"{kind}_mb"] = round(runs[0][1] / 1_000_000, 1)
            log(f"export {kind}: median {seconds:.2f} s, {runs[0][1] / 1_000_000:.1f} MB")

        from submissions.enums import APPLIED_STATUSES
        from submissions.models import Attachment

        figures["zip_documents"] = Attachment.objects.filter(
            submission__category=category, submission__status__in=APPLIED_STATUSES
        ).count()
        figures.update(measure_zip(client, f"{base}category/{category.pk}/documents.zip"))
        if figures["zip_members"] != figures["zip_documents"]:
            raise SystemExit(
                f"ZIP: {figures['zip_members']} members, {figures['zip_documents']} documents"
            )
        log(
            f"zip: {figures['zip_documents']} documents, {figures['zip_mb']} MB in "
            f"{figures['zip_s']} s; RSS {figures['zip_rss_before_mb']} MB before, peak "
            f"{figures['zip_peak_rss_mb']} MB (+{figures['zip_rss_growth_mb']} MB)"
        )
    emit(figures)


if __name__ == "__main__":
    main()
