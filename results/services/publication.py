"""Publication of the results: scheduled to the second, mailed exactly once.

Visibility follows the clock, not the worker: the results of an award are public from the
moment ``results_publish_at`` has passed, provided the award is decided (or published). The
task that runs at that moment (a Celery ETA task; a beat every minute is the safety net if the
ETA task is lost) flips the award to "published" and writes the
announcement mails; it claims the flip with a conditional update, so running twice, or on
two workers, publishes and mails once.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from awards.enums import AwardStatus
from awards.models import Award
from awards.services import audit_log
from core.events import event_emit
from core.queue import enqueue_on_commit
from jury.models import Juror
from notifications.services import notify
from submissions.enums import APPLIED_STATUSES
from submissions.models import Membership, Submission

from ..enums import DecisionKind
from ..models import Decision
from ..signals import results_published
from ..tasks import publish_results, share_images
from .feedback import feedback_release_with_results
from .showcase import results_changed


class PublicationError(ValidationError):
    pass


def results_visible(award: Award, now: dt.datetime | None = None) -> bool:
    """Whether anyone but the organisers may see the results of ``award`` now."""
    return award.results_are_public(now)


def results_url(award: Award) -> str:
    return settings.SITE_URL + reverse("results:public", kwargs={"slug": award.slug})


def _enqueue(award: Award, at: dt.datetime) -> None:
    # A broker that is down leaves it to the minutely safety net (``results_publish_due``).
    enqueue_on_commit(publish_results, award.pk, eta=at)


@transaction.atomic
def publication_schedule(*, award: Award, at: dt.datetime, actor: User | None) -> Award:
    """Publish the results of ``award`` at ``at`` (now or later). The award must be decided:
    every category has its winner. Rescheduling is possible until the moment has passed.
    Side effects: audit entry ``results.scheduled``; the ETA task; the share images (task
    ``results.share_images``, on commit)."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    now = timezone.now()
    if award.status != AwardStatus.DECIDED:
        raise PublicationError(
            _("Results can be scheduled once the award is “%(status)s”.")
            % {"status": AwardStatus.DECIDED.label}
        )
    if results_visible(award, now):
        raise PublicationError(_("The results are public already."))
    undecided = award.categories.exclude(
        pk__in=Decision.objects.filter(award=award, kind=DecisionKind.PLACE, place=1).values(
            "category_id"
        )
    )
    if undecided.exists():
        raise PublicationError(
            _("Every category needs its winner first: %(names)s.")
            % {"names": ", ".join(c.name for c in undecided)}
        )
    at = max(at, now)
    before = award.results_publish_at
    award.results_publish_at = at
    award.save(update_fields=["results_publish_at", "updated_at"])
    results_changed(award)
    audit_log(
        award=award,
        actor=actor,
        action="results.scheduled",
        target=award,
        data={"before": before, "after": at},
    )
    _enqueue(award, at)
    # Made now, stored privately, served from the moment on (missing ones on first request).
    enqueue_on_commit(share_images, award.pk)
    return award


@transaction.atomic
def publication_cancel(*, award: Award, actor: User | None) -> Award:
    award = Award.objects.select_for_update().get(pk=award.pk)
    if results_visible(award):
        raise PublicationError(_("The results are public already; they cannot be withdrawn."))
    if award.results_publish_at is None:
        raise PublicationError(_("No publication is scheduled."))
    before = award.results_publish_at
    award.results_publish_at = None
    award.save(update_fields=["results_publish_at", "updated_at"])
    results_changed(award)
    audit_log(
        award=award,
        actor=actor,
        action="results.unscheduled",
        target=award,
        data={"before": before},
    )
    return award


def _announce(award: Award) -> int:
    """One mail per person and entry: winners, everyone else who applied, the jury."""
    url = results_url(award)
    decisions = {
        d.submission_id: d for d in Decision.objects.filter(award=award).select_related("category")
    }
    entries = list(
        Submission.objects.filter(award=award, status__in=APPLIED_STATUSES)
        .select_related("category")
        .order_by("pk")
    )
    members: dict[int, list[User]] = {}
    for membership in Membership.objects.filter(
        organisation_id__in={e.organisation_id for e in entries}, user__is_active=True
    ).select_related("user"):
        members.setdefault(membership.organisation_id, []).append(membership.user)
    count = 0
    for entry in entries:
        decision = decisions.get(entry.pk)
        for user in members.get(entry.organisation_id, []):
            values = {
                "submission_title": entry.title,
                "reference": entry.reference or "",
                # In the recipient's language, like the rest of the mail (not the worker's).
                "category": (
                    entry.category.name_en
                    if (user.preferred_language or "").startswith("en")
                    else entry.category.name_de
                )
                or entry.category.name,
                "results_url": url,
            }
            if decision is not None and decision.kind == DecisionKind.PLACE and decision.place == 1:
                key = "result.winner"
                values["prize"] = _money(entry.category.prize_amount, award, user)
            elif decision is not None:
                key = "result.placed"
                values["distinction"] = decision_label(decision, user.preferred_language)
            else:
                key = "result.not_selected"
            notify(
                key=key,
                award=award,
                idempotency_key=f"{key}:{entry.pk}:{user.pk}",
                recipient=user,
                values=values,
            )
            count += 1
    for juror in Juror.objects.filter(award=award, is_active=True).select_related("user"):
        notify(
            key="result.jury",
            award=award,
            idempotency_key=f"result.jury:{award.pk}:{juror.user_id}",
            recipient=juror.user,
            values={"results_url": url},
        )
        count += 1
    return count


def _money(amount, award: Award, user: User) -> str:
    from django.utils import translation

    from awards.templatetags.laurel import money

    with translation.override(user.preferred_language):
        return money(amount, award.currency)


def decision_label(decision: Decision, language: str | None = None) -> str:
    from django.utils import translation

    with translation.override(language or translation.get_language()):
        if decision.kind == DecisionKind.MENTION:
            return str(_("a special mention"))
        return {
            1: str(_("first place")),
            2: str(_("second place")),
            3: str(_("third place")),
        }[decision.place]


def results_publish(*, award_id: int, now: dt.datetime | None = None) -> bool:
    """Flip ``award`` to published and write the announcement mails, if its moment has come
    and nobody did it before. Returns whether this call did it."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Award.objects.filter(
            pk=award_id,
            status=AwardStatus.DECIDED,
            results_publish_at__isnull=False,
            results_publish_at__lte=now,
            results_published_at__isnull=True,
        ).update(
            status=AwardStatus.PUBLISHED,
            results_published_at=now,
            results_changed_at=now,
            updated_at=now,
        )
        if not claimed:
            return False
        award = Award.objects.get(pk=award_id)
        audit_log(
            award=award,
            actor=None,
            action="award.status_changed",
            target=award,
            data={"from": AwardStatus.DECIDED, "to": AwardStatus.PUBLISHED, "by": "schedule"},
        )
        mails = _announce(award)
        feedback_release_with_results(award=award, now=now)
        audit_log(
            award=award,
            actor=None,
            action="results.published",
            target=award,
            data={"scheduled_for": award.results_publish_at, "mails": mails},
        )
        event_emit(
            award_id=award.pk,
            name="results.published",
            payload={
                "award": award.slug,
                "edition": award.edition,
                "published_at": now.isoformat().replace("+00:00", "Z"),
            },
        )
        transaction.on_commit(lambda: results_published.send_robust(sender=Award, award=award))
    return True


def results_publish_due(*, now: dt.datetime | None = None) -> int:
    """The beat's safety net: publish every award whose moment has passed (a lost ETA task,
    a worker that was down)."""
    now = now or timezone.now()
    due = Award.objects.filter(
        status=AwardStatus.DECIDED,
        results_publish_at__lte=now,
        results_published_at__isnull=True,
    ).values_list("pk", flat=True)
    return sum(results_publish(award_id=pk, now=now) for pk in list(due))
