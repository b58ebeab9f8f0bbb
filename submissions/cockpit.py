"""The entries on the organisers' overview of an edition (``awards.cockpit``): entries by
status and category, drafts close to their deadline, the eligibility check still to do; and
the names of entries and files in the change log (``awards.activity``).

``register`` is called from ``SubmissionsConfig.ready``. The panel runs one aggregate query
whatever the number of entries; each log resolver one query per page of the log.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from awards import activity, cockpit
from awards.enums import AwardStatus
from awards.models import AuditEntry, Award, localized

from .enums import APPLIED_STATUSES, SubmissionStatus, submission_badge
from .models import Attachment, Question, Submission

# Drafts whose deadline is at most this far away are "close to their deadline" (the draft
# reminders go 7 days and 1 day before it).
DRAFTS_DUE_WITHIN = cockpit.SOON
# The columns of the table, in the order of an entry's course.
COLUMNS = (
    SubmissionStatus.DRAFT,
    SubmissionStatus.SUBMITTED,
    SubmissionStatus.ELIGIBLE,
    SubmissionStatus.INELIGIBLE,
    SubmissionStatus.WITHDRAWN,
)


def _list_url(award: Award, **filters: object) -> str:
    url = reverse("submissions_manage:list", kwargs={"slug": award.slug})
    return f"{url}?{urlencode(filters)}" if filters else url


def _due_soon(award: Award, now: dt.datetime) -> Q:
    """The drafts whose deadline (the award's, or a later individual one) is after ``now``
    and at most ``DRAFTS_DUE_WITHIN`` away; nothing while no draft can be edited."""
    if award.status not in (AwardStatus.OPEN, AwardStatus.CLOSED):
        return Q(pk__isnull=True)
    horizon = now + DRAFTS_DUE_WITHIN
    close = award.submissions_close_at
    own = Q(deadline_extended_until__gt=now, deadline_extended_until__lte=horizon)
    if close is None:
        return own
    due = own & Q(deadline_extended_until__gt=close)
    if award.status == AwardStatus.OPEN and now < close <= horizon:
        due |= Q(deadline_extended_until__isnull=True) | Q(deadline_extended_until__lte=close)
    return due


def submissions_panel(award: Award, *, now: dt.datetime) -> cockpit.Panel:
    """Entries by category and status (drafts included), drafts due soon, the eligibility
    check to do: one query grouped by category and status."""
    rows = (
        Submission.objects.filter(award=award)
        .order_by()
        .values_list("category_id", "status")
        .annotate(
            n=Count("pk"),
            due=Count("pk", filter=Q(status=SubmissionStatus.DRAFT) & _due_soon(award, now)),
        )
    )
    cells: dict[tuple[int, str], int] = {}
    by_status = dict.fromkeys(SubmissionStatus.values, 0)
    due_by_category: dict[int, int] = {}
    for category_id, status, n, due in rows:
        cells[(category_id, status)] = n
        by_status[status] = by_status.get(status, 0) + n
        due_by_category[category_id] = due_by_category.get(category_id, 0) + due
    applied = sum(by_status[status] for status in APPLIED_STATUSES)
    drafts = by_status[SubmissionStatus.DRAFT]
    to_check = by_status[SubmissionStatus.SUBMITTED]
    due = sum(due_by_category.values())
    table = [
        {
            "category": category,
            "cells": [
                {
                    "status": status,
                    "count": cells.get((category.pk, status), 0),
                    "url": _list_url(award, category=category.pk, status=status),
                }
                for status in COLUMNS
            ],
            "applied": sum(cells.get((category.pk, status), 0) for status in APPLIED_STATUSES),
            "due": due_by_category.get(category.pk, 0),
        }
        for category in award.categories.all()
    ]
    figures = [
        cockpit.Figure(
            key="entries",
            label=_("Entries"),
            value=str(applied),
            note=ngettext(
                "submitted or checked; %(count)d draft besides",
                "submitted or checked; %(count)d drafts besides",
                drafts,
            )
            % {"count": drafts},
            url=_list_url(award),
        ),
        cockpit.Figure(
            key="drafts-due",
            label=_("Drafts close to their deadline"),
            value=str(due),
            note=_("not submitted, deadline within 7 days"),
            url=_list_url(award, status=SubmissionStatus.DRAFT),
            tone="warning" if due else "",
        ),
        cockpit.Figure(
            key="to-check",
            label=_("Eligibility to check"),
            value=str(to_check),
            note=_("submitted, not yet checked"),
            url=_list_url(award, status=SubmissionStatus.SUBMITTED),
            tone="warning" if to_check else ("success" if applied else ""),
        ),
        cockpit.Figure(
            key="eligible",
            label=_("Eligible"),
            value=str(by_status[SubmissionStatus.ELIGIBLE]),
            note=_("not eligible: %(count)d") % {"count": by_status[SubmissionStatus.INELIGIBLE]},
            url=_list_url(award, status=SubmissionStatus.ELIGIBLE),
        ),
    ]
    steps = []
    if to_check:
        steps.append(
            cockpit.Step(
                "eligibility",
                ngettext(
                    "%(count)d entry awaits the eligibility check.",
                    "%(count)d entries await the eligibility check.",
                    to_check,
                )
                % {"count": to_check},
                _list_url(award, status=SubmissionStatus.SUBMITTED),
                _("Check eligibility"),
                cockpit.Urgency.NEXT
                if award.status in (AwardStatus.CLOSED, AwardStatus.JUDGING)
                else cockpit.Urgency.LATER,
            )
        )
    if due:
        steps.append(
            cockpit.Step(
                "drafts-due",
                ngettext(
                    "%(count)d draft has not been submitted, and its deadline ends within 7 days.",
                    "%(count)d drafts have not been submitted, and their deadline ends within "
                    "7 days.",
                    due,
                )
                % {"count": due},
                _list_url(award, status=SubmissionStatus.DRAFT),
                _("See the drafts"),
                cockpit.Urgency.SOON,
            )
        )
    if award.status in (AwardStatus.DRAFT, AwardStatus.OPEN) and not award.questions.exists():
        steps.append(
            cockpit.Step(
                "application-form",
                _(
                    "The application form has no questions: applicants are asked only for a "
                    "title, a short summary and their consents."
                ),
                reverse("submissions_manage:form", kwargs={"slug": award.slug}),
                _("Build the application form"),
                cockpit.Urgency.NEXT if award.status == AwardStatus.DRAFT else cockpit.Urgency.SOON,
            )
        )
    if award.status == AwardStatus.CLOSED and applied and not to_check:
        steps.append(
            cockpit.Step(
                "start-judging",
                _("Every entry has been checked: start the judging."),
                reverse("awards:manage", kwargs={"slug": award.slug}) + "#status",
                _("Change the status"),
            )
        )
    return cockpit.Panel(
        key="entries",
        title=_("Entries"),
        template="submissions/_cockpit.html",
        figures=figures,
        steps=steps,
        context={
            "table": table,
            "columns": [
                {"status": status, "label": status.label, "badge": submission_badge(status)}
                for status in COLUMNS
            ],
            "totals": [by_status[status] for status in COLUMNS],
            "applied": applied,
            "due": due,
            "list_url": _list_url(award),
        },
    )


# --- The change log ----------------------------------------------------------------------


def entry_names(award: Award, ids: set[int]) -> dict[int, str]:
    """Entry id → reference number (a draft's title), for the award's entries of ``ids``."""
    return {
        pk: reference or title
        for pk, reference, title in Submission.objects.filter(award=award, pk__in=ids).values_list(
            "pk", "reference", "title"
        )
    }


def _entry_url(award: Award, pk: int) -> str:
    return reverse("submissions_manage:detail", kwargs={"slug": award.slug, "pk": pk})


def submission_targets(award: Award, entries: list[AuditEntry]) -> dict[str, activity.Target]:
    ids = {int(entry.object_id) for entry in entries if entry.object_id.isdigit()}
    return {
        str(pk): activity.Target(
            f"{reference} · {title}" if reference else title, _entry_url(award, pk)
        )
        for pk, reference, title in Submission.objects.filter(award=award, pk__in=ids).values_list(
            "pk", "reference", "title"
        )
    }


def attachment_targets(award: Award, entries: list[AuditEntry]) -> dict[str, activity.Target]:
    """A file by its name and its entry, linked to the entry; a deleted file by the name and
    entry its log entry recorded."""
    targets: dict[str, activity.Target] = {}
    entry_ids = {
        entry.object_id: (entry.data or {}).get("submission")
        for entry in entries
        if isinstance((entry.data or {}).get("submission"), int)
    }
    names = entry_names(award, set(entry_ids.values()))
    for entry in entries:
        submission_id = entry_ids.get(entry.object_id)
        if submission_id not in names:
            continue
        name = (entry.data or {}).get("name") or f"#{entry.object_id}"
        targets[entry.object_id] = activity.Target(
            f"{name} ({names[submission_id]})", _entry_url(award, submission_id)
        )
    return targets


def question_targets(award: Award, entries: list[AuditEntry]) -> dict[str, activity.Target]:
    """A question of the application form by its label, linked to its edit page; a deleted
    one by the label its log entry recorded."""
    ids = {int(entry.object_id) for entry in entries if entry.object_id.isdigit()}
    targets = {
        str(question.pk): activity.Target(
            question.label,
            reverse(
                "submissions_manage:form_question_edit",
                kwargs={"slug": award.slug, "pk": question.pk},
            ),
        )
        for question in Question.objects.filter(award=award, pk__in=ids)
    }
    for entry in entries:
        changes = (entry.data or {}).get("changes")
        if entry.object_id in targets or not isinstance(changes, dict):
            continue
        labels = {
            name: changes[name].get("before") or changes[name].get("after") or ""
            for name in ("label_de", "label_en")
            if isinstance(changes.get(name), dict)
        }
        if labels:
            targets[entry.object_id] = activity.Target(
                localized(SimpleNamespace(label_de="", label_en="", **labels), "label")
            )
    return targets


def register() -> None:
    cockpit.panel_register("entries", submissions_panel, order=10)
    activity.entry_names_register(entry_names)
    activity.target_register(Submission._meta.label_lower, submission_targets)
    activity.target_register(Attachment._meta.label_lower, attachment_targets)
    activity.target_register(Question._meta.label_lower, question_targets)
    activity.value_labels_register("submission.", "from", SubmissionStatus.choices)
    activity.value_labels_register("submission.", "to", SubmissionStatus.choices)
    activity.value_format_register("attachment.", "size", filesizeformat)
