"""The figures computed from a round's reviews — its ranking, the robustness of each
category's leader and the jury's quality — kept in the cache under a **version of the data
they rest on**, so that a repeat view costs a cache read and no change can leave a stale
figure on a page.

The version (``RoundFeed.version``) is read from the data itself, not bumped by the code
that writes it, so no write path can forget it: the award's method settings, the criteria's
weights and scales, the round's method and whether calibration reviews count, an aggregate
of the round's submitted reviews (how many, the sum of their versions — every
save raises one — and the last change; drafts never count, so autosave leaves the figures
alone) and of its entries (which entries, in which categories, which are calibration
entries). Two small aggregate queries and the criteria, whatever the size.

The ranking and the jury's quality are computed on a miss, in the request; the robustness
(a thousand simulated juries per category) is computed by the task
``results.robustness_refresh`` after reviews change, debounced, and the page shows the last
verdict marked as updating until the fresh one is in (``RobustnessState``). Only when no
verdict was ever computed for the round (a new round, an emptied cache) is it computed in
the request, once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

from django.core.cache import cache
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone

from awards.models import Round
from core.queue import enqueue_on_commit
from jury.enums import ReviewStatus
from jury.models import Review, RoundEntry
from results.engine import (
    CategoryQuality,
    CategoryRanking,
    CriterionSpec,
    ReviewData,
    Robustness,
    jury_quality,
    ranking_compute,
    robustness,
)

from .feed import criteria_specs, review_data_for_round

# Raise it when the engine's output or the meaning of its inputs changes: every figure
# cached by an earlier release is then computed afresh.
CACHE_FORMAT = 1
# A figure whose data has not changed stays this long; any change gives it a new key.
FIGURES_TTL_S = 7 * 24 * 3600
ROBUSTNESS_RESAMPLES = 1000
ROBUSTNESS_SEED = 0
# Reviews often come in bursts (a juror submitting ten in a row): the robustness is
# computed once the burst has settled for this long.
ROBUSTNESS_DEBOUNCE_S = 30
# A refresh that was queued but never ran (a lost task) is queued again after this long.
ROBUSTNESS_QUEUED_TTL_S = ROBUSTNESS_DEBOUNCE_S + 300


# A figure under its version never changes, so each process also keeps the last few it read
# (a ranking of 2,000 entries is some 2,000 objects to unpickle: ~10 ms per view otherwise).
LOCAL_FIGURES = 16
_local: OrderedDict[str, object] = OrderedDict()
_local_lock = threading.Lock()


def forget_local() -> None:
    """Drop this process's copies (tests do, with the cache; nothing else needs to)."""
    with _local_lock:
        _local.clear()


def _cached(key: str) -> object | None:
    """The figure under ``key``: from this process's memory, else from the cache."""
    with _local_lock:
        value = _local.get(key)
        if value is not None:
            _local.move_to_end(key)
            return value
    value = cache.get(key)
    if value is not None:
        _remember(key, value)
    return value


def _keep(key: str, value: object) -> None:
    cache.set(key, value, FIGURES_TTL_S)
    _remember(key, value)


def _remember(key: str, value: object) -> None:
    with _local_lock:
        _local[key] = value
        _local.move_to_end(key)
        while len(_local) > LOCAL_FIGURES:
            _local.popitem(last=False)


class RoundFeed:
    """One scores round's data for the results pages of one request: its version, read once, and
    its reviews as the engine's plain data, read only when a figure has to be computed and
    then only once, whichever figures need them."""

    def __init__(self, round: Round):
        self.round = round
        self.award = round.award

    @cached_property
    def criteria(self) -> list[CriterionSpec]:
        """The award's criteria: part of the version, and what the engine scores by."""
        return criteria_specs(self.award.pk)

    @cached_property
    def reviews(self) -> list[ReviewData]:
        return review_data_for_round(self.round, criteria=self.criteria)[1]

    @cached_property
    def version(self) -> str:
        """A digest of everything the round's figures depend on (see the module)."""
        award, round_ = self.award, self.round
        reviews = Review.objects.filter(
            assignment__round_id=round_.pk, status=ReviewStatus.SUBMITTED
        ).aggregate(n=Count("pk"), versions=Sum("version"), changed=Max("updated_at"))
        entries = RoundEntry.objects.filter(round_id=round_.pk).aggregate(
            n=Count("pk"),
            ids=Sum("submission_id"),
            # Moving an entry to another category changes this sum.
            placed=Sum(F("submission_id") * F("submission__category_id")),
            calibration=Sum("submission_id", filter=Q(is_calibration=True)),
        )
        parts = (
            CACHE_FORMAT,
            round_.pk,
            round_.method,
            round_.calibration_counts,
            award.ranking_normalisation,
            award.ranking_aggregation,
            award.tie_break_criterion_id,
            award.reviews_per_submission,
            tuple(self.criteria),
            tuple(sorted((k, str(v)) for k, v in reviews.items())),
            tuple(sorted((k, str(v)) for k, v in entries.items())),
        )
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]

    @property
    def method(self) -> dict:
        """The award's methods, as the engine's functions take them."""
        from .rankings import tie_breakers_of

        return {
            "normalisation": self.award.ranking_normalisation,
            "aggregation": self.award.ranking_aggregation,
            "tie_breakers": tie_breakers_of(self.award),
        }

    def key(self, figure: str) -> str:
        return f"results:{figure}:{self.round.pk}:{self.version}"


# --- The ranking ----------------------------------------------------------------------


def feed_ranking(feed: RoundFeed) -> dict[int, CategoryRanking]:
    """Category id → the ranking of a scores round by the award's methods, from the cache
    or computed and kept there (``rankings.round_rankings`` without the cache)."""
    from .rankings import round_entries

    key = feed.key("ranking")
    ranking = _cached(key)
    if ranking is None:
        ranking = ranking_compute(
            feed.reviews, feed.criteria, entries=round_entries(feed.round), **feed.method
        )
        _keep(key, ranking)
    return ranking


# --- The jury's quality ---------------------------------------------------------------


def feed_quality(feed: RoundFeed) -> dict[int, CategoryQuality]:
    """Category id → the jury's quality in a scores round, from the cache or computed."""
    key = feed.key("quality")
    quality = _cached(key)
    if quality is None:
        quality = jury_quality(
            feed.reviews, feed.criteria, normalisation=feed.award.ranking_normalisation
        )
        _keep(key, quality)
    return quality


# --- The robustness -------------------------------------------------------------------


@dataclass(frozen=True)
class RobustnessState:
    """The robustness figures a page shows: category id → figures (empty before the first
    computation), when they were computed, and whether they are of the round's current data
    (``fresh``) or the last ones while the task computes the current ones."""

    figures: dict[int, Robustness]
    computed_at: dt.datetime | None
    fresh: bool


def _latest_key(round_id: int) -> str:
    return f"results:robustness:{round_id}:latest"


def _queued_key(round_id: int) -> str:
    return f"results:robustness:{round_id}:queued"


def robustness_compute(feed: RoundFeed) -> RobustnessState:
    """Compute the robustness of every category of the round and keep it under the round's
    version and as the round's latest. Called by the task, and by the page when no verdict
    was ever computed."""
    figures = robustness(
        feed.reviews,
        feed.criteria,
        resamples=ROBUSTNESS_RESAMPLES,
        seed=ROBUSTNESS_SEED,
        required=feed.award.reviews_per_submission,
        **feed.method,
    )
    state = RobustnessState(figures=figures, computed_at=timezone.now(), fresh=True)
    _keep(feed.key("robustness"), state)
    cache.set(_latest_key(feed.round.pk), (feed.version, state), FIGURES_TTL_S)
    return state


def robustness_refresh_queue(round: Round, *, countdown: float | None = None) -> bool:
    """Queue the computation of ``round``'s robustness after ``countdown`` seconds (default
    ``ROBUSTNESS_DEBOUNCE_S``), unless
    one is queued already (then it will see this change too: it reads the data when it
    runs). True when queued now. The marker expires, so a lost task is queued again by the
    next change or page view."""
    if not cache.add(_queued_key(round.pk), True, ROBUSTNESS_QUEUED_TTL_S):
        return False
    from results.tasks import robustness_refresh

    if countdown is None:
        countdown = ROBUSTNESS_DEBOUNCE_S
    enqueue_on_commit(robustness_refresh, round.pk, countdown=countdown)
    return True


def robustness_refresh_run(round: Round) -> RobustnessState:
    """The task's work: compute with the data as it is now, then clear the marker, and when
    the data changed while computing (a review came in, whose queueing found the marker),
    queue the next run at once. The marker stays while computing, so that the page views of
    that time (which find no fresh figure yet) do not queue the same work again."""
    feed = RoundFeed(round)
    state = robustness_compute(feed)
    cache.delete(_queued_key(round.pk))
    if RoundFeed(round).version != feed.version:
        robustness_refresh_queue(round, countdown=0)
    return state


def feed_robustness(feed: RoundFeed) -> RobustnessState:
    """The robustness for the page: fresh from the cache; else the last computed figures
    marked as not fresh, with a refresh queued; else (never computed) computed now."""
    fresh = _cached(feed.key("robustness"))
    if fresh is not None:
        return fresh
    latest = cache.get(_latest_key(feed.round.pk))
    if latest is None:
        return robustness_compute(feed)
    version, state = latest
    if version == feed.version:  # the versioned copy was evicted, the latest is current
        return state
    robustness_refresh_queue(feed.round, countdown=0)
    return RobustnessState(figures=state.figures, computed_at=state.computed_at, fresh=False)
