"""An entry's life: draft → submitted → (withdrawn) → eligible / not eligible.

Every state change is here, validated and written to the award's change log. The deadline is
the award's close time (in the award's time zone, stored as an instant, so DST needs no
special case), or an entry's individual extension granted by an organiser.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import dateformat, formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, override

from accounts.models import User
from awards.enums import AwardStatus
from awards.models import Award, Category
from awards.services import audit_log
from core.events import event_emit
from notifications.services import notify

from ..enums import APPLIED_STATUSES, SUBMISSION_TRANSITIONS, SubmissionStatus
from ..models import Organisation, Question, Submission, SubmissionSequence
from ..questions import (
    FormQuestions,
    answers_clean,
    answers_index,
    attachment_counts,
    missing_answers,
    unknown_question_ids,
)
from ..selectors import form_questions_of

# The core fields an applicant edits (every other answer is to a question of the award's
# form, ``Submission.answers``); the rest is set by services.
ENTRY_FIELDS = (
    "title",
    "summary",
    "consent_terms",
    "consent_data",
    "consent_publication",
)
REQUIRED = {
    "title": gettext_lazy("Give the entry a title."),
    "summary": gettext_lazy("Write the short summary."),
    "consent_terms": gettext_lazy("Accept the conditions of participation."),
    "consent_data": gettext_lazy("Agree to the processing of your data."),
}


class SubmissionTransitionError(ValidationError):
    pass


class DeadlinePassed(ValidationError):
    pass


class EntryLimitReached(ValidationError):
    pass


class IncompleteSubmission(ValidationError):
    """Raised with ``{field: [message]}`` for everything still missing, all at once."""


class StaleVersion(ValidationError):
    """Someone saved the entry since this version was loaded; ``current`` is their version."""

    def __init__(self, message: str, current: Submission):
        super().__init__(message, code="stale")
        self.current = current


def deadline_for(submission: Submission) -> dt.datetime | None:
    """The moment after which ``submission`` can no longer be changed."""
    close = submission.award.submissions_close_at
    extension = submission.deadline_extended_until
    if close is None:
        return extension
    return max(close, extension) if extension else close


def _format_deadline(award: Award, moment: dt.datetime) -> str:
    local = timezone.localtime(moment, award.tzinfo)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({award.timezone})"


def _format_moment_precise(award: Award, moment: dt.datetime) -> str:
    """A moment to the second, in the award's zone: close to a deadline, minutes are not
    enough to see why."""
    local = timezone.localtime(moment, award.tzinfo)
    german = (translation.get_language() or "").startswith("de")
    clock = dateformat.format(local, r"H:i:s \U\h\r" if german else "g:i:s a")
    return f"{formats.date_format(local, 'DATE_FORMAT')}, {clock} ({award.timezone})"


def editing_allowed(submission: Submission, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    award = submission.award
    deadline = deadline_for(submission)
    if deadline is None or now >= deadline:
        return False
    if submission.deadline_extended_until and now < submission.deadline_extended_until:
        return award.status in (AwardStatus.OPEN, AwardStatus.CLOSED)
    opens = award.submissions_open_at
    return award.status == AwardStatus.OPEN and (opens is None or opens <= now)


def ensure_editable(submission: Submission, now: dt.datetime | None = None) -> None:
    """Raise DeadlinePassed, worded for the applicant, unless the entry may change at
    ``now`` (the moment the change was asked for; this moment when not given)."""
    now = now or timezone.now()
    if editing_allowed(submission, now):
        return
    deadline = deadline_for(submission)
    award = submission.award
    if award.submissions_open_at and now < award.submissions_open_at:
        raise DeadlinePassed(
            _("Submissions open on %(moment)s.")
            % {"moment": _format_deadline(award, award.submissions_open_at)}
        )
    if deadline is not None and now >= deadline:
        raise DeadlinePassed(
            _("The deadline was %(deadline)s; entries can no longer be changed.")
            % {"deadline": _format_deadline(award, deadline)}
        )
    raise DeadlinePassed(_("This award does not accept entries at the moment."))


def _ensure_changeable(submission: Submission) -> None:
    """Its content (text and files) may change: a draft or submitted entry, before the deadline."""
    if submission.status not in (SubmissionStatus.DRAFT, SubmissionStatus.SUBMITTED):
        raise SubmissionTransitionError(
            _("An entry that is “%(status)s” cannot be changed.")
            % {"status": submission.get_status_display()}
        )
    ensure_editable(submission)


def _check_category(award: Award, category: Category) -> None:
    if category.award_id != award.pk:
        raise ValidationError({"category": _("This category belongs to another award.")})


@transaction.atomic
def submission_create(
    *, award: Award, category: Category, organisation: Organisation, actor: User, title: str
) -> Submission:
    """Start a draft for ``organisation`` in ``category`` while the award accepts entries."""
    _check_category(award, category)
    submission = Submission(
        award=award,
        category=category,
        organisation=organisation,
        title=title.strip() or _("Untitled entry"),
        created_by=actor,
        updated_by=actor,
    )
    ensure_editable(submission)
    submission.full_clean()
    submission.save()
    audit_log(
        award=award,
        actor=actor,
        action="submission.created",
        target=submission,
        data={"organisation": organisation.name, "category": category.code},
    )
    return submission


def missing_items(
    submission: Submission, form_questions: FormQuestions | None = None
) -> dict[str, list[str]]:
    """What must still be done before ``submission`` can be submitted, by field: the core
    fields, then the form's required questions and file slots in the form's order (``q<id>``),
    those a condition hides left out, then the consents. ``form_questions`` when the caller
    has them already."""
    missing: dict[str, list[str]] = {}
    consents: dict[str, list[str]] = {}
    for field, message in REQUIRED.items():
        value = getattr(submission, field)
        if value in (None, "", False) or (isinstance(value, str) and not value.strip()):
            (consents if field.startswith("consent_") else missing)[field] = [str(message)]
    if form_questions is None:
        form_questions = entry_form_questions(submission)
    counts = _slot_counts(submission)
    missing.update(missing_answers(form_questions, submission.answers or {}, counts))
    missing.update(consents)  # last, as in the form
    return missing


def _slot_counts(submission: Submission) -> dict[int, int]:
    """How many files each file slot of ``submission`` holds: from prefetched attachments
    (the dashboard) without a query, else one query."""
    if "attachments" in getattr(submission, "_prefetched_objects_cache", {}):
        return attachment_counts(submission)
    counts: dict[int, int] = {}
    for question_id in submission.attachments.filter(question__isnull=False).values_list(
        "question_id", flat=True
    ):
        counts[question_id] = counts.get(question_id, 0) + 1
    return counts


def entry_form_questions(
    submission: Submission, questions: list[Question] | None = None
) -> FormQuestions:
    """The questions ``submission``'s form asks (its category's, in order); ``questions``
    (the award's, as ``selectors.form_questions_of`` reads them) when the caller has them."""
    return FormQuestions.of(
        form_questions_of(submission.award_id) if questions is None else questions,
        category_id=submission.category_id,
        answers=submission.answers,
        attachment_question_ids=_slot_counts(submission),
    )


def _lock(submission: Submission) -> Submission:
    # Only the entry's row: without "of", PostgreSQL would also lock the joined award, and
    # every autosave of every applicant would queue on that one row near the deadline.
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("award", "category", "organisation")
        .get(pk=submission.pk)
    )


@transaction.atomic
def submission_update(
    *,
    submission: Submission,
    actor: User,
    expected_version: int,
    answers: Mapping[int, Any] | None = None,
    **fields: Any,
) -> Submission:
    """Save an applicant's changes (draft autosave, or edits of a submitted entry).

    ``answers`` are the values of the form's questions by question id, checked against the
    questions' definitions (``questions.answers_clean``): an id that is no question of the
    entry's form, a value of the wrong type, a choice not offered, text over the limit or a
    number out of range is refused (ValidationError by field ``q<id>``); answers to questions
    a condition hides are discarded; each answer keeps the version of the question it answered.
    None leaves the answers as they are.

    Refused with StaleVersion when someone saved since ``expected_version`` was loaded (the
    caller shows the applicant their text beside the current one: nothing is overwritten),
    DeadlinePassed after the deadline, and IncompleteSubmission when a submitted entry would
    lose a required field or answer. Drafts save whatever is there.
    """
    unknown = set(fields) - set(ENTRY_FIELDS)
    if unknown:
        raise TypeError(f"submission_update() cannot change {sorted(unknown)}")
    current = _lock(submission)
    if current.version != expected_version:
        raise StaleVersion(
            _(
                "Someone else saved this entry in the meantime. Your text is shown below; "
                "copy what you need into the current version."
            ),
            current=current,
        )
    _ensure_changeable(current)
    for name, value in fields.items():
        setattr(current, name, value)
    form_questions = entry_form_questions(current)
    if answers is not None:
        strangers = unknown_question_ids(form_questions, answers)
        if strangers:
            raise ValidationError(
                _("The form has no question %(ids)s. Please reload the page.")
                % {"ids": ", ".join(str(i) for i in strangers)},
                code="unknown_question",
            )
        cleaned, errors = answers_clean(form_questions, answers, previous=current.answers or {})
        current.answers = cleaned
        for name, value in answers_index(form_questions.questions, cleaned).items():
            setattr(current, name, value)
    else:
        errors = {}
    try:
        current.full_clean(exclude=["award", "category", "organisation", "created_by"])
    except ValidationError as error:
        # Every refused value at once: the core fields' and the answers'.
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    if current.status == SubmissionStatus.SUBMITTED:
        missing = missing_items(current, form_questions)
        if missing:
            raise IncompleteSubmission(missing)
    current.version = F("version") + 1
    current.updated_by = actor
    current.save()
    current.refresh_from_db()
    return current


def _next_reference(submission: Submission) -> str:
    """The next free number of the entry's category: ``<prefix>-<edition>-<code>-<n>``.

    Unique across the platform (the database holds it to that): awards.Award.clean keeps two
    awards of an edition from sharing a prefix, and a number that is taken all the same (an
    award created around that check, or a number kept by the 0006 migration) is skipped.
    """
    sequence, _created = SubmissionSequence.objects.select_for_update().get_or_create(
        category=submission.category
    )
    award, code = submission.award, submission.category.code
    while True:
        SubmissionSequence.objects.filter(pk=sequence.pk).update(last_number=F("last_number") + 1)
        sequence.refresh_from_db()
        reference = f"{award.reference_prefix}-{award.edition}-{code}-{sequence.last_number:04d}"
        if not Submission.objects.filter(reference=reference).exists():
            return reference


def _transition(submission: Submission, to_status: str) -> str:
    from_status = submission.status
    if to_status not in SUBMISSION_TRANSITIONS[from_status]:
        raise SubmissionTransitionError(
            _("An entry cannot go from “%(from)s” to “%(to)s”.")
            % {
                "from": SubmissionStatus(from_status).label,
                "to": SubmissionStatus(to_status).label,
            }
        )
    return from_status


def _event_payload(submission: Submission) -> dict:
    """What a webhook says about an entry (docs: webhooks): ids and states, no person's text."""
    return {
        "award": submission.award.slug,
        "entry": submission.pk,
        "reference": submission.reference or None,
        "category": submission.category.code,
        "status": submission.status,
    }


def _recipients(submission: Submission) -> list[User]:
    return [m.user for m in submission.organisation.memberships.select_related("user")]


@transaction.atomic
def submission_submit(
    *,
    submission: Submission,
    actor: User,
    expected_version: int,
    at: dt.datetime | None = None,
) -> Submission:
    """Submit a complete draft before the deadline, within the organisation's entry limit.

    One clock: ``at`` (the moment the request arrived; this call's start when not given,
    read before any lock is waited for) decides the deadline and is the moment stored, in
    the audit entry and in the confirmation mail, so an entry accepted in time is never
    stamped after the deadline while it waited for the entry's, the company's or the
    category's lock.

    Refused with everything that is missing at once (IncompleteSubmission), DeadlinePassed,
    EntryLimitReached or StaleVersion. Side effects: a reference number on first submission,
    status and time saved, a ``submission.submitted`` audit entry, and a confirmation mail to
    every member of the organisation through the outbox.
    """
    at = at or timezone.now()
    current = _lock(submission)
    if current.version != expected_version:
        raise StaleVersion(
            _("Someone else saved this entry in the meantime. Please check it and submit again."),
            current=current,
        )
    from_status = _transition(current, SubmissionStatus.SUBMITTED)
    deadline = deadline_for(current)
    if deadline is not None and at >= deadline:
        # When a submit is refused at the deadline, the applicant sees why to the second.
        raise DeadlinePassed(
            _(
                "Your entry arrived on %(arrived)s; the deadline was %(deadline)s. It can no "
                "longer be submitted."
            )
            % {
                "arrived": _format_moment_precise(current.award, at),
                "deadline": _format_deadline(current.award, deadline),
            }
        )
    ensure_editable(current, at)
    form = entry_form_questions(current)
    missing = missing_items(current, form)
    if missing:
        raise IncompleteSubmission(missing)
    limit = current.category.max_entries_per_organisation
    if limit is not None:
        # One submit of an organisation at a time: two colleagues submitting different drafts
        # at the same moment must not both take the last place.
        Organisation.objects.select_for_update().only("pk").get(pk=current.organisation_id)
        used = (
            Submission.objects.filter(
                organisation=current.organisation,
                category=current.category,
                status__in=APPLIED_STATUSES,
            )
            .exclude(pk=current.pk)
            .count()
        )
        if used >= limit:
            raise EntryLimitReached(
                ngettext(
                    "An organisation may submit at most %(limit)d entry in “%(category)s”, "
                    "and yours already has.",
                    "An organisation may submit at most %(limit)d entries in “%(category)s”, "
                    "and yours already has.",
                    limit,
                )
                % {"category": current.category.name, "limit": limit}
            )
    if not current.reference:
        current.reference = _next_reference(current)
    now = at
    current.status = SubmissionStatus.SUBMITTED
    current.submitted_at = now
    current.updated_by = actor
    current.version = F("version") + 1
    current.save()
    current.refresh_from_db()
    audit_log(
        award=current.award,
        actor=actor,
        action="submission.submitted",
        target=current,
        data={
            "from": from_status,
            "to": SubmissionStatus.SUBMITTED,
            "reference": current.reference,
            "submitted_at": now,
        },
    )
    event_emit(award_id=current.award_id, name="entry.submitted", payload=_event_payload(current))
    url = settings.SITE_URL + reverse("submissions:detail", kwargs={"pk": current.pk})
    files = ", ".join(current.attachments.values_list("original_name", flat=True)) or "–"
    answers_in: dict[str, str] = {}  # "question: answer" lines, once per language
    for member in _recipients(current):
        language = member.preferred_language
        if language not in answers_in:
            with override(language):
                answers_in[language] = "\n\n".join(
                    f"{question.label}: {words}"
                    for _heading, rows in form.sections(current.answers or {}, only_answered=True)
                    for question, words in rows
                )
        notify(
            key="submission.received",
            award=current.award,
            idempotency_key=f"submission.received:{current.pk}:{now.isoformat()}:{member.pk}",
            recipient=member,
            values={
                "submission_title": current.title,
                "reference": current.reference,
                "category": current.category.name_en
                if member.preferred_language == "en"
                else current.category.name_de,
                "submitted_at": now,
                "deadline": deadline_for(current),
                "submission_url": url,
                "summary": current.summary,
                "answers": answers_in[language],
                "files": files,
            },
        )
    return current


def _applicant_transition(
    submission: Submission, actor: User, to_status: str, action: str
) -> Submission:
    """An applicant's own state change before the deadline: validated, versioned, logged."""
    current = _lock(submission)
    from_status = _transition(current, to_status)
    ensure_editable(current)
    current.status = to_status
    current.updated_by = actor
    current.version = F("version") + 1
    current.save()
    current.refresh_from_db()
    audit_log(
        award=current.award,
        actor=actor,
        action=action,
        target=current,
        data={"from": from_status, "to": to_status},
    )
    return current


def ensure_withdrawable(submission: Submission) -> None:
    """Raise what ``submission_withdraw`` would refuse ``submission`` as it is, writing
    nothing (the confirmation page asks before it says what withdrawing does)."""
    _transition(submission, SubmissionStatus.WITHDRAWN)
    ensure_editable(submission)


@transaction.atomic
def submission_withdraw(*, submission: Submission, actor: User) -> Submission:
    """Withdraw a submitted entry before the deadline; it goes back to being a draft later
    only if the applicant reopens it (withdrawn → draft). The applicant's page asks for a
    confirmation first (``ensure_withdrawable``)."""
    current = _applicant_transition(
        submission, actor, SubmissionStatus.WITHDRAWN, "submission.withdrawn"
    )
    event_emit(award_id=current.award_id, name="entry.withdrawn", payload=_event_payload(current))
    return current


@transaction.atomic
def submission_reopen(*, submission: Submission, actor: User) -> Submission:
    """Turn a withdrawn entry back into a draft (before the deadline)."""
    return _applicant_transition(submission, actor, SubmissionStatus.DRAFT, "submission.reopened")


@transaction.atomic
def eligibility_decide(
    *, submission: Submission, actor: User, eligible: bool, reason: str = ""
) -> Submission:
    """The organiser's eligibility check. "Not eligible" needs a reason, which the applicant
    is told by mail (through the outbox) together with the decision.

    Each decision is audit-logged (from, to, reason) and mailed to every member. Repeating a
    decision with a corrected reason records and mails it again; repeating it unchanged does
    nothing."""
    current = _lock(submission)
    to_status = SubmissionStatus.ELIGIBLE if eligible else SubmissionStatus.INELIGIBLE
    if current.status == to_status and current.eligibility_reason == reason.strip():
        return current
    from_status = current.status
    if from_status != to_status:  # the same decision with a corrected reason is allowed
        _transition(current, to_status)
    if not eligible and not reason.strip():
        raise ValidationError({"reason": _("Say why the entry is not eligible.")})
    current.status = to_status
    current.eligibility_reason = reason.strip()
    current.save(update_fields=["status", "eligibility_reason", "updated_at"])
    audit_log(
        award=current.award,
        actor=actor,
        action="submission.eligibility",
        target=current,
        data={"from": from_status, "to": to_status, "reason": current.eligibility_reason},
    )
    event_emit(
        award_id=current.award_id,
        name="entry.eligibility_decided",
        payload={**_event_payload(current), "eligible": eligible},
    )
    for member in _recipients(current):
        english = member.preferred_language == "en"
        decision = (
            ("eligible" if eligible else "not eligible")
            if english
            else ("zugelassen" if eligible else "nicht zugelassen")
        )
        notify(
            key="submission.eligibility",
            award=current.award,
            idempotency_key=f"submission.eligibility:{current.pk}:{to_status}:"
            f"{timezone.now().isoformat()}:{member.pk}",
            recipient=member,
            values={
                "submission_title": current.title,
                "reference": current.reference or "",
                "category": current.category.name_en if english else current.category.name_de,
                "decision": decision,
                "reason": current.eligibility_reason,
            },
        )
    return current


@transaction.atomic
def deadline_extend(
    *, submission: Submission, actor: User, until: dt.datetime | None
) -> Submission:
    """Grant (or with None, take back) an individual deadline for one entry."""
    current = _lock(submission)
    close = current.award.submissions_close_at
    if until is not None and close is not None and until <= close:
        raise ValidationError({"until": _("An extension must end after the general deadline.")})
    before = current.deadline_extended_until
    current.deadline_extended_until = until
    current.save(update_fields=["deadline_extended_until", "updated_at"])
    audit_log(
        award=current.award,
        actor=actor,
        action="submission.deadline_extended",
        target=current,
        data={"before": before, "after": until},
    )
    return current
