"""How long the worker takes to issue and draw the certificates of 2,000 participants.

Seeds the demo awards and the winners of their published 2023 edition, adds
``--certificates`` eligible entries of as many companies (besides the demo's own), and asks
in the award's design for a participation certificate for every entry, in German and
English (two pages each), with a logo and a signature. Then, as after a publication, it
enqueues the ``certificates.issue`` task and measures, with a real worker (``celery -A
config worker``, ``--concurrency`` processes, the embedded broker), until every certificate
is drawn:

- ``certificates``: certificates drawn (valid, with a PDF); ``generate_s``: seconds from the
  enqueue until the last one was drawn; ``per_certificate_ms``: ``generate_s`` per
  certificate and process; ``pdf_kb_median``: size of one PDF;
- ``worker_cpu_s``: CPU seconds the worker's processes used meanwhile (on a machine shared
  with other work ``generate_s`` grows, this does not: on two idle cores ``generate_s`` is
  about half of it), ``load_average_1m`` at the end;
- ``peak_rss_mb``: the largest peak resident memory of one worker process (VmHWM), and
  ``worker_rss_mb_total`` the sum over the worker's processes;
- ``longest_transaction_ms``: no transaction spans the batch: the longest one the worker
  held, taken from PostgreSQL's ``pg_stat_activity`` sampled every 50 ms (PostgreSQL only;
  ``null`` on SQLite).

    .venv/bin/python bench/certificates.py [--certificates 2000] [--concurrency 2]
    .venv/bin/python bench/certificates.py --database-url postgres://postgres@127.0.0.1:5432/laurel_bench_cert
"""

import io
import os
import statistics
import threading
import time
from pathlib import Path

from _common import (  # before Django: it moves this folder to the end of the import path
    database_vendor,
    emit,
    log,
    machine,
    parser,
    start_worker,
    stop_process_group,
    throwaway_django,
)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _cpu_s(pid: int) -> float:
    """CPU seconds (user and system) a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class TransactionWatch(threading.Thread):
    """The longest open transaction of any other connection (PostgreSQL only)."""

    def __init__(self, database_url: str) -> None:
        super().__init__(daemon=True)
        self.database_url = database_url
        self.longest_ms = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            while not self.stop.is_set():
                row = conn.execute(
                    "SELECT max(extract(epoch FROM clock_timestamp() - xact_start)) * 1000 "
                    "FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL "
                    "AND state <> 'idle'"
                ).fetchone()
                if row and row[0]:
                    self.longest_ms = max(self.longest_ms, float(row[0]))
                time.sleep(0.05)


def _image(size: tuple[int, int], colour: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", size, (255, 255, 255, 0))
    ImageDraw.Draw(image).ellipse((10, 10, size[0] - 10, size[1] - 10), fill=colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed(count: int):
    """The demo's published edition with ``count`` eligible entries more, and its design."""
    from django.core.management import call_command
    from django.utils import timezone

    from certificates.models import CertificateDesign
    from results.demo import results_2023_create
    from submissions.models import Organisation, Submission

    call_command("seed_demo", "--force", stdout=io.StringIO())
    award = results_2023_create()
    if award is None or not award.results_are_public():
        raise SystemExit("the demo has no edition with published results")
    categories = list(award.categories.order_by("position"))
    Organisation.objects.bulk_create(
        [Organisation(name=f"Bench Leichtbau {n:04d} GmbH") for n in range(count)],
        batch_size=500,
    )
    companies = list(Organisation.objects.filter(name__startswith="Bench Leichtbau"))
    now = timezone.now()
    creator = award.submissions.order_by("pk").first().created_by
    Submission.objects.bulk_create(
        [
            Submission(
                award=award,
                category=categories[n % len(categories)],
                organisation=company,
                title=f"Faserverbund-Bauteil Nr. {n}, 30 % leichter",
                status="eligible",
                reference=f"BENCH-{n:05d}",
                submitted_at=now,
                created_by=creator,
            )
            for n, company in enumerate(companies)
        ],
        batch_size=500,
    )
    from django.core.files.base import ContentFile

    design, _created = CertificateDesign.objects.get_or_create(award=award)
    design.issue_participants = True
    design.languages = "both"
    design.signatory_name = "Dr. Erika Mustermann"
    design.signatory_role_de = "Vorsitzende der Jury"
    design.signatory_role_en = "Chair of the jury"
    design.logo.save("logo.png", ContentFile(_image((600, 300), "#1f4e79")), save=False)
    design.signature.save("signature.png", ContentFile(_image((500, 160), "#000000")), save=False)
    design.save()
    return award


def main() -> None:
    arguments = parser(__doc__)
    arguments.add_argument(
        "--certificates", type=int, default=2000, help="participants (default: %(default)s)"
    )
    arguments.add_argument(
        "--concurrency", type=int, default=2, help="worker processes (default: %(default)s)"
    )
    arguments.add_argument(
        "--timeout", type=int, default=600, help="give up after seconds (default: %(default)s)"
    )
    args = arguments.parse_args()
    figures: dict = {}
    with throwaway_django(database_url=args.database_url, settings=args.settings) as var_dir:
        from django.db import connection

        from certificates.models import Certificate
        from certificates.tasks import issue_certificates
        from core.queue import enqueue

        started = time.perf_counter()
        award = seed(args.certificates)
        entries = award.submissions.filter(status__in=("submitted", "eligible")).count()
        log(f"seeded {entries} entries in {time.perf_counter() - started:.1f} s")
        worker = start_worker(
            env=dict(os.environ),
            log_path=var_dir / "worker.log",
            concurrency=args.concurrency,
            wait_s=90,
        )
        watch = None
        if connection.vendor == "postgresql":
            watch = TransactionWatch(args.database_url)
            watch.start()
        try:
            connection.close()
            pool = [worker.pid, *_children(worker.pid)]
            cpu_before = sum(_cpu_s(pid) for pid in pool)
            started = time.perf_counter()
            if not enqueue(issue_certificates, award.pk):
                raise SystemExit("could not enqueue the issue task")
            drawn = 0
            deadline = time.monotonic() + args.timeout
            while time.monotonic() < deadline:
                total = Certificate.objects.filter(award=award, revoked_at__isnull=True).count()
                drawn = Certificate.objects.filter(
                    award=award, revoked_at__isnull=True, generated_at__isnull=False
                ).count()
                if total and drawn == total:
                    break
                time.sleep(0.25)
            generate_s = time.perf_counter() - started
            log(f"{drawn} certificates drawn in {generate_s:.1f} s")
            pids = _children(worker.pid)
            rss = [_peak_rss_mb(pid) for pid in pids] + [_peak_rss_mb(worker.pid)]
            worker_cpu_s = sum(_cpu_s(pid) for pid in {*pool, *pids}) - cpu_before
            load = os.getloadavg()[0]
        finally:
            if watch is not None:
                watch.stop.set()
                watch.join(timeout=2)
            stop_process_group(worker)
        sizes = [
            c.file.size
            for c in Certificate.objects.filter(award=award, revoked_at__isnull=True)
            .exclude(file="")
            .order_by("pk")[:50]
        ]
        figures = {
            "certificates": drawn,
            "entries": entries,
            "generate_s": round(generate_s, 2),
            "per_certificate_ms": round(generate_s * 1000 * args.concurrency / max(drawn, 1), 1),
            "pages_per_certificate": 2,
            "pdf_kb_median": round(statistics.median(sizes) / 1024, 1) if sizes else None,
            # CPU the worker used: on an otherwise idle machine with ``--concurrency`` cores,
            # generate_s is about worker_cpu_s / concurrency.
            "worker_cpu_s": round(worker_cpu_s, 1),
            "load_average_1m": round(load, 2),
            "peak_rss_mb": round(max(rss), 1),
            "worker_rss_mb_total": round(sum(rss), 1),
            "longest_transaction_ms": round(watch.longest_ms, 1) if watch else None,
            "concurrency": args.concurrency,
            "database": database_vendor(),
            "machine": machine(),
        }
    emit(figures)


if __name__ == "__main__":
    main()
