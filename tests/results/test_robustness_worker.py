"""The robustness of a round's leaders computed by a real Celery worker after reviews came
in: the results page shows the last verdict as updating, and the fresh one once the worker
has written it to the cache both share (a Redis of the test's own)."""

import pytest
from django.conf import settings
from django.test import override_settings

from results.selectors import figures
from tests.factories import JurorFactory
from tests.results.manage_helpers import review, scored, url
from tests.results.test_publication_worker import results_in_log, wait_until
from tests.services import require_service

pytestmark = [pytest.mark.worker]


@pytest.fixture
def shared_cache(own_redis):
    own_redis.start()
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "core.cache.ResilientRedisCache",
                "LOCATION": own_redis.url,
                "KEY_PREFIX": "laurel",
            }
        }
    ):
        yield own_redis.url


@pytest.fixture
def worker(redis_url, shared_cache, start_worker, isolated_var, monkeypatch):
    url = settings.CELERY_BROKER_URL
    require_service(url.startswith("redis://"), f"needs a Redis broker, not {url}")
    from config.celery import app

    app.control.purge()
    monkeypatch.setattr(figures, "ROBUSTNESS_DEBOUNCE_S", 1)
    yield start_worker(broker_url=url, var_dir=isolated_var, LAUREL_CACHE_URL=shared_cache)
    app.control.purge()


def test_the_worker_computes_the_robustness_after_reviews_and_the_page_shows_it(client, worker):
    s = scored(((9, 6, 3), (8, 5, 2)), close=False)
    client.force_login(s.organiser)
    page = url(s.award, "category", category=s.category.pk)
    assert "robustness-updating" not in client.get(page).content.decode()

    third = JurorFactory(award=s.award, categories=[s.category])
    for submission, value in zip(s.submissions, (1, 5, 10), strict=True):
        review(s, third, submission, value)  # committed at once: each queues, one is sent
    assert "robustness-updating" in client.get(page).content.decode()

    wait_until(
        lambda: "robustness-updating" not in client.get(page).content.decode(),
        lambda: f"still updating; log: {worker.log_path.read_text()[-2000:]}",
    )
    assert results_in_log(worker, "results.robustness_refresh") == ["True"]
    assert 'data-testid="verdict"' in client.get(page).content.decode()
