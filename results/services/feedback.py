"""The jury's feedback to the applicants: the organisers review each text (approve as
written, approve their edit, or withhold), choose what comes with it, and release it per
edition, with the results or at a later moment. Nothing reaches an applicant before the
release, and never a text that was not approved.

An edit keeps the juror's original in the change log (``feedback.reviewed``). After the
release the applicant reads the current approved text; each entry's company is mailed once,
when it first has something to read.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from awards.models import Award
from awards.services import audit_log
from core.queue import enqueue_on_commit
from jury.enums import ReviewStatus
from jury.models import Review
from notifications.services import notify
from submissions.models import Membership, Submission

from ..enums import FeedbackDisclosure, FeedbackStatus
from ..models import FeedbackItem, FeedbackRelease
from ..selectors.feedback import feedback_recipients, text_digest
from ..tasks import feedback_release as feedback_release_task

# Longer texts are a letter, not feedback; the jurors' field has the same limit.
FEEDBACK_MAX = 5000


class FeedbackError(ValidationError):
    pass


def _release_locked(award: Award) -> FeedbackRelease:
    release, _created = FeedbackRelease.objects.select_for_update().get_or_create(award=award)
    return release


def _release_after_lock(award: Award) -> FeedbackRelease:
    """The release as it is once the award's row is locked: every release holds that lock
    until it commits, so a text approved now is either seen by a release running meanwhile
    (which mails) or finds the release committed (and this call mails)."""
    Award.objects.select_for_update().only("pk").get(pk=award.pk)
    return FeedbackRelease.objects.filter(award=award).first() or FeedbackRelease(award=award)


def _released(release: FeedbackRelease, now: dt.datetime | None = None) -> bool:
    return release.released_at is not None and release.released_at <= (now or timezone.now())


@transaction.atomic
def feedback_review(
    *, review: Review, actor: User | None, status: str, text: str | None = None
) -> FeedbackItem:
    """Approve one juror's feedback to an entry (as the juror wrote it, or ``text``, the
    organisers' edit) or withhold it. Side effects: audit entry ``feedback.reviewed`` with
    the juror's text and, for an edit, the approved one; once the edition's feedback is
    released, the mail to the entry's company if this is the first thing it can read."""
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("assignment__round__award", "assignment__submission")
        .get(pk=review.pk)
    )
    award = review.assignment.round.award
    if review.status != ReviewStatus.SUBMITTED or not review.applicant_feedback.strip():
        raise FeedbackError(_("This review has no submitted feedback to the applicant."))
    if status not in (FeedbackStatus.APPROVED, FeedbackStatus.WITHHELD):
        raise FeedbackError(_("Approve or withhold the feedback."))
    juror_text = review.applicant_feedback
    item = FeedbackItem.objects.filter(review=review).first() or FeedbackItem(
        review=review, submission=review.assignment.submission
    )
    before = {"status": item.status, "text": item.text} if item.pk else None
    if status == FeedbackStatus.APPROVED:
        approved = juror_text if text is None else text.strip()
        if not approved:
            raise FeedbackError(
                _("Approved feedback cannot be empty: withhold it instead."), code="empty"
            )
        if len(approved) > FEEDBACK_MAX:
            raise FeedbackError(
                _("Feedback can be at most %(limit)s characters long.") % {"limit": FEEDBACK_MAX},
                code="too_long",
            )
        item.text = approved
        item.edited = approved != juror_text.strip()
    item.status = status
    item.source_digest = text_digest(juror_text)
    item.reviewed_by = actor
    item.reviewed_at = timezone.now()
    item.save()
    data = {"review": review.pk, "status": status, "juror_text": juror_text}
    if status == FeedbackStatus.APPROVED and item.edited:
        data["approved_text"] = item.text
    if before:
        data["before"] = before
    audit_log(
        award=award,
        actor=actor,
        action="feedback.reviewed",
        target=review.assignment.submission,
        data=data,
    )
    release = _release_after_lock(award)
    if status == FeedbackStatus.APPROVED and _released(release):
        _mail(award, [review.assignment.submission_id])
    return item


@transaction.atomic
def feedback_approve_pending(*, award: Award, actor: User | None) -> int:
    """Approve, as the jurors wrote them, every feedback text of ``award`` that nobody has
    reviewed yet. Returns how many. Side effects: one audit entry
    ``feedback.approved_pending`` with the reviews; after the release, the mails."""
    now = timezone.now()
    reviews = list(
        Review.objects.select_for_update(of=("self",))
        .filter(
            assignment__round__award=award,
            status=ReviewStatus.SUBMITTED,
            feedback_item__isnull=True,
        )
        .exclude(applicant_feedback="")
        .select_related("assignment")
        .order_by("pk")
    )
    reviews = [review for review in reviews if review.applicant_feedback.strip()]
    FeedbackItem.objects.bulk_create(
        [
            FeedbackItem(
                review=review,
                submission_id=review.assignment.submission_id,
                status=FeedbackStatus.APPROVED,
                text=review.applicant_feedback,
                source_digest=text_digest(review.applicant_feedback),
                reviewed_by=actor,
                reviewed_at=now,
            )
            for review in reviews
        ]
    )
    if reviews:
        audit_log(
            award=award,
            actor=actor,
            action="feedback.approved_pending",
            target=award,
            data={"reviews": [review.pk for review in reviews]},
        )
        if _released(_release_after_lock(award), now):
            _mail(award, {review.assignment.submission_id for review in reviews})
    return len(reviews)


@transaction.atomic
def feedback_settings_save(
    *,
    award: Award,
    actor: User | None,
    disclosure: str,
    with_results: bool,
    release_at: dt.datetime | None,
) -> FeedbackRelease:
    """What comes with the feedback, and when it is released: with the results (at once if
    they are public already), or at ``release_at`` (a moment in the future, or none yet).
    Side effects: audit entry ``feedback.settings_changed``; the ETA task at ``release_at``;
    the release and its mails when the results are public and "with the results" is
    chosen."""
    if disclosure not in FeedbackDisclosure.values:
        raise FeedbackError(_("Choose what the applicants see besides the feedback."))
    release = _release_locked(award)
    now = timezone.now()
    if with_results:
        release_at = None
    elif release_at is not None and release_at <= now and not _released(release, now):
        raise FeedbackError(
            {"release_at": _("Choose a moment in the future, or release the feedback now.")}
        )
    before = {
        "disclosure": release.disclosure,
        "with_results": release.with_results,
        "release_at": release.release_at,
    }
    release.disclosure = disclosure
    release.with_results = with_results
    release.release_at = release_at
    release.save()
    audit_log(
        award=award,
        actor=actor,
        action="feedback.settings_changed",
        target=award,
        data={
            "before": before,
            "after": {
                "disclosure": disclosure,
                "with_results": with_results,
                "release_at": release_at,
            },
        },
    )
    if release_at is not None and not _released(release, now):
        enqueue_on_commit(feedback_release_task, award.pk, eta=release_at)
    if (
        with_results
        and award.applicant_feedback
        and release.released_at is None
        and award.results_are_public(now)
    ):
        # The results are out already: "with the results" means now.
        _release(award, actor=actor, now=now, by="settings")
        release.refresh_from_db()
    return release


def _release(award: Award, *, actor: User | None, now: dt.datetime, by: str) -> int:
    """Set the release moment if nobody did (a conditional update: two workers, or the
    organiser and the schedule, release once) and write the mails. Returns the mails
    written, or -1 if it was released already."""
    claimed = FeedbackRelease.objects.filter(award=award, released_at__isnull=True).update(
        released_at=now, released_by=actor, updated_at=now
    )
    if not claimed:
        return -1
    mails = _mail(award, None)
    audit_log(
        award=award,
        actor=actor,
        action="feedback.released",
        target=award,
        data={"by": by, "mails": mails},
    )
    return mails


@transaction.atomic
def feedback_release_now(*, award: Award, actor: User | None) -> int:
    """Release the jury's feedback of ``award`` now. The results must be public: the
    feedback and its bands say who won nothing. Returns the mails written. Side effects:
    audit entry ``feedback.released``; one mail per member of each entry's company with
    something to read (``result.feedback``)."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    if not award.applicant_feedback:
        raise FeedbackError(_("This award does not collect feedback to the applicants."))
    if not award.results_are_public():
        raise FeedbackError(_("The feedback can be released once the results are public."))
    _release_locked(award)
    mails = _release(award, actor=actor, now=timezone.now(), by="organiser")
    if mails < 0:
        raise FeedbackError(_("The feedback is released already."))
    return mails


def feedback_release_with_results(*, award: Award, now: dt.datetime) -> int:
    """Called by the publication, in its transaction: release the feedback if the
    organisers chose to release it with the results (the default)."""
    if not award.applicant_feedback:
        return 0
    release = _release_locked(award)
    if not release.with_results or release.released_at is not None:
        return 0
    return max(_release(award, actor=None, now=now, by="publication"), 0)


@transaction.atomic
def feedback_release_scheduled(*, award_id: int, now: dt.datetime | None = None) -> bool:
    """Release at the chosen moment, if it has come, the results are public and nobody
    released it before. Returns whether this call did it."""
    now = now or timezone.now()
    award = Award.objects.select_for_update().filter(pk=award_id).first()
    if award is None or not award.applicant_feedback or not award.results_are_public(now):
        return False
    release = _release_locked(award)
    if release.with_results or release.release_at is None or release.release_at > now:
        return False
    return _release(award, actor=None, now=now, by="schedule") >= 0


def feedback_release_due(*, now: dt.datetime | None = None) -> int:
    """The beat's safety net: release every feedback whose moment has passed."""
    now = now or timezone.now()
    due = FeedbackRelease.objects.filter(
        released_at__isnull=True, with_results=False, release_at__lte=now
    ).values_list("award_id", flat=True)
    return sum(feedback_release_scheduled(award_id=pk, now=now) for pk in list(due))


def feedback_url(submission: Submission) -> str:
    from django.conf import settings

    return (
        settings.SITE_URL
        + reverse("submissions:detail", kwargs={"pk": submission.pk})
        + ("#feedback-heading")
    )


def _mail(award: Award, submission_ids) -> int:
    """One ``result.feedback`` mail per member of each entry's company that has something
    to read (once per entry and person: the idempotency key)."""
    ids = feedback_recipients(award, submission_ids)
    if not ids:
        return 0
    entries = list(Submission.objects.filter(pk__in=ids).select_related("category").order_by("pk"))
    members: dict[int, list[User]] = {}
    for membership in Membership.objects.filter(
        organisation_id__in={e.organisation_id for e in entries}, user__is_active=True
    ).select_related("user"):
        members.setdefault(membership.organisation_id, []).append(membership.user)
    count = 0
    for entry in entries:
        for user in members.get(entry.organisation_id, []):
            english = (user.preferred_language or "").startswith("en")
            notify(
                key="result.feedback",
                award=award,
                idempotency_key=f"result.feedback:{entry.pk}:{user.pk}",
                recipient=user,
                values={
                    "submission_title": entry.title,
                    "reference": entry.reference or "",
                    "category": (entry.category.name_en if english else entry.category.name_de)
                    or entry.category.name,
                    "feedback_url": feedback_url(entry),
                },
            )
            count += 1
    return count
