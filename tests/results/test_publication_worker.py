"""Publication by a real Celery worker on Redis: the ETA task publishes at the scheduled
moment, the beat's safety net publishes what a lost ETA task left behind, and every further
run changes nothing — the award is published and everyone mailed exactly once."""

import datetime as dt
import re
import time
from collections.abc import Callable

import pytest
from django.conf import settings
from django.utils import timezone

from awards.models import Award
from notifications.models import Message
from results import services as results_services
from tests.results.test_publication import EXPECTED_MAILS, decided_award
from tests.services import WorkerProcess, require_service

pytestmark = [pytest.mark.worker]

WAIT = 60  # seconds, for each wait


@pytest.fixture
def broker_url(redis_url):
    """The broker this process publishes to, which must be Redis; emptied before and after
    the test (an ETA task left behind would publish a later test's award)."""
    url = settings.CELERY_BROKER_URL
    require_service(
        url.startswith("redis://"),
        f"publishes through Redis (CELERY_BROKER_URL), not {url}",
    )
    from config.celery import app

    app.control.purge()
    yield url
    app.control.purge()


@pytest.fixture
def worker(broker_url, start_worker, isolated_var) -> WorkerProcess:
    # Set up after the broker, so that at the end the worker stops (and puts back what it
    # holds) before the broker is emptied.
    return start_worker(broker_url=broker_url, var_dir=isolated_var)


def wait_until(condition: Callable[[], bool], describe: Callable[[], str]) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"gave up after {WAIT} s: {describe()}", pytrace=False)


def results_in_log(worker: WorkerProcess, task: str) -> list[str]:
    """What each finished run of ``task`` returned, in order, from the worker's log."""
    log = worker.log_path.read_text(errors="replace")
    pattern = rf"Task {re.escape(task)}\[[^\]]+\] succeeded in [0-9.e-]+s: (\S+)"
    return re.findall(pattern, log)


def status(award) -> tuple[str, dt.datetime | None]:
    award = Award.objects.get(pk=award.pk)
    return award.status, award.results_published_at


def mails_of(award) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in Message.objects.filter(award=award).values_list("template_key", flat=True):
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_the_worker_publishes_at_the_moment_and_the_safety_net_catches_a_lost_task(worker):
    from config.celery import app

    on_time = decided_award()
    lost = decided_award()

    # The ETA task: enqueued when the schedule is committed, run at the moment.
    at = timezone.now() + dt.timedelta(seconds=3)
    results_services.publication_schedule(award=on_time.award, at=at, actor=on_time.organiser)
    assert status(on_time.award) == ("decided", None)

    wait_until(
        lambda: status(on_time.award)[0] == "published",
        lambda: f"{status(on_time.award)}; log: {worker.log_path.read_text()[-2000:]}",
    )
    published_at = status(on_time.award)[1]
    assert at <= published_at < at + dt.timedelta(seconds=WAIT)
    wait_until(
        lambda: results_in_log(worker, "jury.publish_results") == ["True"],
        lambda: f"publish_results runs: {results_in_log(worker, 'jury.publish_results')}",
    )
    assert mails_of(on_time.award) == EXPECTED_MAILS

    # A lost ETA task: the moment has passed, nothing was enqueued; beat's task publishes.
    Award.objects.filter(pk=lost.award.pk).update(
        results_publish_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert status(lost.award) == ("decided", None)
    app.send_task("jury.publish_due")

    wait_until(
        lambda: status(lost.award)[0] == "published",
        lambda: f"{status(lost.award)}; log: {worker.log_path.read_text()[-2000:]}",
    )
    wait_until(
        lambda: results_in_log(worker, "jury.publish_due") == ["1"],
        lambda: f"publish_due runs: {results_in_log(worker, 'jury.publish_due')}",
    )
    assert mails_of(lost.award) == EXPECTED_MAILS

    # Every further run, of either task, finds nothing to do.
    app.send_task("jury.publish_due")
    app.send_task("jury.publish_results", args=(on_time.award.pk,))
    app.send_task("jury.publish_results", args=(lost.award.pk,))
    app.send_task("jury.publish_due")
    wait_until(
        lambda: (
            len(results_in_log(worker, "jury.publish_due")) == 3
            and len(results_in_log(worker, "jury.publish_results")) == 3
        ),
        lambda: (
            f"publish_due runs: {results_in_log(worker, 'jury.publish_due')}, "
            f"publish_results runs: {results_in_log(worker, 'jury.publish_results')}"
        ),
    )
    assert results_in_log(worker, "jury.publish_due") == ["1", "0", "0"]
    assert results_in_log(worker, "jury.publish_results") == ["True", "False", "False"]
    assert status(on_time.award) == ("published", published_at)
    assert mails_of(on_time.award) == EXPECTED_MAILS
    assert mails_of(lost.award) == EXPECTED_MAILS
    assert Message.objects.count() == 2 * sum(EXPECTED_MAILS.values())
