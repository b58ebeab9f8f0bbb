"""The organisers' jury pages of one award (under /manage/<slug>/jury/): the jury with its
invitations, a juror's seat, the conflicts of interest, opening and closing a round, its
assignments, calibration entries and progress, one review, and an entry's jury discussion.
(The round page with its shortlist and Schulze result is the results app's:
``results.views.rounds``.)

Every page reaches the award through ``awards.views_base.OrganiserView`` (``jury.manage``)
and every juror, invitation, round, assignment, review and entry through that award, so
anyone else (and another award's id) gets a 404. Every change goes through a service; its
ValidationError is shown at the field, or as a message for the buttons. The assignments and
progress pages run a fixed number of queries, however large the jury.

Closing a round, computing the assignments and reminding by hand first show what will happen
(GET, or a POST without the confirmation): the counts, the plan, the mail in both languages.
Only the confirmed POST acts, and a second one does not act again (the round is closed; the
plan's fingerprint no longer matches; the reminder's one-time token and interval).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from awards.enums import RoundMethod, RoundStatus
from awards.models import Round
from awards.views_base import OrganiserView
from core.forms import ConfirmForm, add_service_errors
from submissions.models import Submission

from .. import access, selectors, services
from ..enums import InvitationStatus, ReviewStatus
from ..manage_forms import (
    AssignmentAddForm,
    AssignmentRunForm,
    CalibrationCountingForm,
    CalibrationForm,
    ConflictForm,
    InviteForm,
    JurorForm,
    PostForm,
    ReminderForm,
)
from ..models import (
    Assignment,
    DiscussionPost,
    Juror,
    JurorCategory,
    JuryInvitation,
    Review,
    RoundEntry,
    Score,
)

REPORT_SESSION_KEY = "jury.assignment_report.%d"


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


class _JuryManageView(OrganiserView):
    """An organiser page of the jury (``jury.manage``); every juror, invitation, round and
    review is looked up through ``self.award``."""

    permission_required = "jury.manage"

    def act(self, action: Callable[[], object], success: str, back: str) -> HttpResponse:
        """A button's POST: run the service call; its refusal becomes error messages, its
        success ``success``; back to ``back`` either way."""
        try:
            action()
        except ValidationError as error:
            _error_messages(self.request, error)
        else:
            messages.success(self.request, success)
        return redirect(back)

    def get_round(self, number: int) -> Round:
        return access.round_get_for(self.award, number)

    def get_juror(self, pk: int) -> Juror:
        juror = (
            Juror.objects.filter(award=self.award, pk=pk).select_related("award", "user").first()
        )
        if juror is None:
            raise Http404
        return juror

    def url(self, name: str, **kwargs) -> str:
        return reverse(f"jury_manage:{name}", kwargs={"slug": self.award.slug, **kwargs})

    def round_url(self, number: int) -> str:
        """The round page (the results app's: it shows what the ranking makes of the
        round)."""
        return reverse("results_manage:round", kwargs={"slug": self.award.slug, "number": number})

    def page(self, template: str, context: dict, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            f"jury/manage/{template}",
            {"award": self.award, **context},
            status=status,
        )


# --- The jury ----------------------------------------------------------------------------


class JuryView(_JuryManageView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self.render_jury(InviteForm(award=self.award))

    def render_jury(self, form: InviteForm, status: int = 200) -> HttpResponse:
        counts = dict(
            JuryInvitation.objects.filter(award=self.award)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        return self.page(
            "jurors.html",
            {
                "members": selectors.jury_members(self.award),
                "invitations": selectors.jury_invitations(self.award),
                "counts": {
                    "invited": counts.get(InvitationStatus.PENDING, 0),
                    "accepted": counts.get(InvitationStatus.ACCEPTED, 0),
                    "declined": counts.get(InvitationStatus.DECLINED, 0),
                },
                "form": form,
                "rounds": list(self.award.rounds.all()),
                "invitation_days": services.INVITATION_DAYS,
            },
            status=status,
        )


class InviteView(JuryView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        form = InviteForm(request.POST, award=self.award)
        if form.is_valid():
            data = form.cleaned_data
            try:
                invitation = services.juror_invite(
                    award=self.award,
                    email=data["email"],
                    name=data["name"],
                    role=data["role"],
                    categories=data["categories"],
                    language=data["language"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("We have sent an invitation to %(email)s.") % {"email": invitation.email},
                )
                return redirect(self.url("jurors"))
        return self.render_jury(form, status=400)


class InvitationRevokeView(_JuryManageView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        invitation = JuryInvitation.objects.filter(award=self.award, pk=pk).first()
        if invitation is None:
            raise Http404
        return self.act(
            lambda: services.invitation_revoke(invitation=invitation, actor=request.user),
            _("The invitation to %(email)s has been withdrawn; its link no longer works.")
            % {"email": invitation.email},
            self.url("jurors"),
        )


class JurorEditView(_JuryManageView):
    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        juror = self.get_juror(pk)
        return self.render_juror(juror, JurorForm(juror=juror))

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        juror = self.get_juror(pk)
        form = JurorForm(request.POST, juror=juror)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.juror_update(
                    juror=juror,
                    actor=request.user,
                    role=data["role"],
                    categories=data["categories"],
                    max_assignments=data["max_assignments"],
                    deadline_extended_until=data["deadline_extended_until"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The seat of %(name)s has been saved.") % {"name": juror.user.full_name},
                )
                return redirect(self.url("juror_edit", pk=juror.pk))
        return self.render_juror(juror, form, status=400)

    def render_juror(self, juror: Juror, form: JurorForm, status: int = 200) -> HttpResponse:
        conflicts = list(
            juror.conflicts.select_related("submission__category", "organisation").order_by("pk")
        )
        assignments = list(
            Assignment.objects.filter(juror=juror)
            .select_related("round", "submission__category", "review")
            .order_by("round__number", "submission__reference", "pk")
        )
        return self.page(
            "juror_edit.html",
            {
                "juror": juror,
                "form": form,
                "conflicts": conflicts,
                "assignments": [
                    {"assignment": a, "status": selectors.review_status(a)} for a in assignments
                ],
            },
            status=status,
        )


class JurorRemoveView(_JuryManageView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        juror = self.get_juror(pk)
        return self.act(
            lambda: services.juror_remove(juror=juror, actor=request.user),
            _(
                "%(name)s is no longer on the jury. Submitted reviews stay on record; "
                "open assignments have been removed."
            )
            % {"name": juror.user.full_name},
            self.url("jurors"),
        )


# --- Conflicts ---------------------------------------------------------------------------


class ConflictsView(_JuryManageView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self.render_conflicts(ConflictForm(award=self.award))

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        form = ConflictForm(request.POST, award=self.award)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.conflict_record(
                    juror=data["juror"],
                    submission=data["submission"],
                    whole_organisation=data["whole_organisation"],
                    note=data["note"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "The conflict of interest has been recorded. %(name)s will not be "
                        "assigned this entry and cannot open it."
                    )
                    % {"name": data["juror"].user.full_name},
                )
                return redirect(self.url("conflicts"))
        return self.render_conflicts(form, status=400)

    def render_conflicts(self, form: ConflictForm, status: int = 200) -> HttpResponse:
        return self.page(
            "conflicts.html",
            {"conflicts": selectors.conflicts_of_award(self.award), "form": form},
            status=status,
        )


# --- Rounds ------------------------------------------------------------------------------


class RoundOpenView(_JuryManageView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, number: int) -> HttpResponse:
        round = self.get_round(number)
        return self.act(
            lambda: services.round_open(round=round, actor=request.user),
            _("The round is open for the jury."),
            self.round_url(number),
        )


class RoundCloseView(_JuryManageView):
    """Closing a round: GET (and a POST without ``confirm``) shows per category what the
    round leaves out (reviews missing, drafts that will not count); the confirmed POST
    closes it. A second POST is refused by the service: the round is closed already."""

    def get(self, request: HttpRequest, slug: str, number: int) -> HttpResponse:
        round = self.get_round(number)
        try:
            services.ensure_closable(round)
        except ValidationError as error:
            _error_messages(request, error)
            return redirect(self.round_url(number))
        return self.page(
            "round_close.html",
            {"round": round, "summary": selectors.round_close_summary(self.award, round)},
        )

    def post(self, request: HttpRequest, slug: str, number: int) -> HttpResponse:
        if not ConfirmForm.confirmed(request.POST):
            return self.get(request, slug, number)
        round = self.get_round(number)
        return self.act(
            lambda: services.round_close(round=round, actor=request.user),
            _("The round is closed; nothing more can be scored or ranked in it."),
            self.round_url(number),
        )


# --- Assignments -------------------------------------------------------------------------


class AssignmentsView(_JuryManageView):
    def get(self, request: HttpRequest, slug: str, number: int) -> HttpResponse:
        round = self.get_round(number)
        report = request.session.pop(REPORT_SESSION_KEY % round.pk, None)
        return self.render_assignments(round, AssignmentAddForm(round=round), report=report)

    def render_assignments(
        self,
        round: Round,
        form: AssignmentAddForm,
        *,
        report: dict | None = None,
        status: int = 200,
    ) -> HttpResponse:
        entries = selectors.round_submissions(round)
        assignments = list(
            Assignment.objects.filter(round=round)
            .select_related("juror__user", "review")
            .order_by("juror__user__full_name", "pk")
        )
        jurors = list(
            Juror.objects.filter(award=self.award, is_active=True)
            .select_related("user")
            .prefetch_related(
                Prefetch(
                    "category_links",
                    queryset=JurorCategory.objects.select_related("category").order_by(
                        "category__position", "category__code"
                    ),
                )
            )
            .order_by("user__full_name", "pk")
        )
        by_entry: dict[int, list[dict]] = defaultdict(list)
        load: dict[int, int] = defaultdict(int)
        for assignment in assignments:
            by_entry[assignment.submission_id].append(
                {
                    "assignment": assignment,
                    "status": selectors.review_status(assignment),
                    "review": getattr(assignment, "review", None),
                }
            )
            load[assignment.juror_id] += 1
        loads = [{"juror": juror, "load": load[juror.pk]} for juror in jurors]
        values = [row["load"] for row in loads]
        calibration = set(
            RoundEntry.objects.filter(round=round, is_calibration=True).values_list(
                "submission_id", flat=True
            )
        )
        return self.page(
            "assignments.html",
            {
                "round": round,
                "rows": [
                    {
                        "submission": entry,
                        "assigned": by_entry.get(entry.pk, []),
                        "calibration": entry.pk in calibration,
                    }
                    for entry in entries
                ],
                "loads": loads,
                "load_min": min(values) if values else 0,
                "load_max": max(values) if values else 0,
                "total": len(assignments),
                "form": form,
                "report": report,
                "editable": round.status != RoundStatus.CLOSED
                and round.method == RoundMethod.SCORES,
            },
            status=status,
        )


class AssignmentsRunView(_JuryManageView):
    """Compute the assignments. GET (and a POST that does not confirm) shows the plan, what
    the computation would keep, add and remove and whose work changes, without writing; the
    POST that confirms it carries the plan's fingerprint, so a second click (or a change
    meanwhile) does not run it again but shows the plan as it is now. The report is shown
    once on the assignments page."""

    def get(self, request: HttpRequest, slug: str, number: int) -> HttpResponse:
        round = self.get_round(number)
        try:
            plan = services.assignment_plan(round=round)
        except ValidationError as error:
            _error_messages(request, error)
            return redirect(self.round_url(number))
        return self.render_plan(round, plan)

    def render_plan(self, round: Round, plan: services.AssignmentPlan) -> HttpResponse:
        affected = plan.jurors_affected()
        jurors = {
            juror.pk: juror
            for juror in Juror.objects.filter(award=self.award, pk__in=affected).select_related(
                "user"
            )
        }
        rows = sorted(
            (
                {"juror": jurors[pk], "added": added, "removed": removed}
                for pk, (added, removed) in affected.items()
                if pk in jurors
            ),
            key=lambda row: (row["juror"].user.full_name, row["juror"].pk),
        )
        return self.page(
            "assignments_run.html",
            {
                "round": round,
                "plan": plan,
                "kept": len(plan.kept) + len(plan.unchanged),
                "affected": rows,
            },
        )

    def post(self, request: HttpRequest, slug: str, number: int) -> HttpResponse:
        round = self.get_round(number)
        form = AssignmentRunForm(request.POST)
        if not form.is_valid():
            return self.get(request, slug, number)
        try:
            report = services.assignment_run(
                round=round, actor=request.user, expected=form.cleaned_data["plan"]
            )
        except ValidationError as error:
            _error_messages(request, error)
            if getattr(error, "code", None) == "stale_plan":
                return self.get(request, slug, number)
            return redirect(self.round_url(number))
        request.session[REPORT_SESSION_KEY % round.pk] = {
            "created": report.created,
            "kept": report.kept + report.unchanged,
            "removed": report.removed,
            "k": report.k,
            "short": [
                {
                    "reference": short.submission.reference or "",
                    "title": short.submission.title,
                    "missing": short.missing,
                    "reason": short.reason,
                }
                for short in report.short
            ],
        }
        messages.success(request, _("The assignments have been computed."))
        return redirect(self.url("assignments", number=number))


class AssignmentAddView(AssignmentsView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, number: int) -> HttpResponse:
        round = self.get_round(number)
        form = AssignmentAddForm(request.POST, round=round)
        if form.is_valid():
            juror, submission = form.cleaned_data["juror"], form.cleaned_data["submission"]
            try:
                services.assignment_add(
                    round=round, juror=juror, submission=submission, actor=request.user
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s now reviews “%(title)s”.")
                    % {"name": juror.user.full_name, "title": submission.title},
                )
                return redirect(self.url("assignments", number=number))
        return self.render_assignments(round, form, status=400)


class AssignmentRemoveView(_JuryManageView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
        round = self.get_round(number)
        assignment = (
            Assignment.objects.filter(round=round, pk=pk)
            .select_related("juror__user", "submission")
            .first()
        )
        if assignment is None:
            raise Http404
        return self.act(
            lambda: services.assignment_remove(assignment=assignment, actor=request.user),
            _("%(name)s no longer reviews “%(title)s”.")
            % {"name": assignment.juror.user.full_name, "title": assignment.submission.title},
            self.url("assignments", number=number),
        )


# --- Calibration entries -----------------------------------------------------------------


class CalibrationIndexView(_JuryManageView):
    """The calibration page of a round opens on its first category."""

    def get(self, request: HttpRequest, slug: str, number: int) -> HttpResponse:
        round = self.get_round(number)
        first = self.award.categories.order_by("position", "pk").first()
        if first is None:
            raise Http404
        return redirect(self.url("calibration", number=round.number, category=first.pk))


class CalibrationView(_JuryManageView):
    """The calibration entries of one category in a round: choosing them (with a
    confirmation before an open round gets new assignments), and how each juror's scores
    on them compare with the other jurors'."""

    def get(self, request: HttpRequest, slug: str, number: int, category: int) -> HttpResponse:
        round, category_ = self.get_round(number), self.get_category(category)
        form = CalibrationForm(
            round=round,
            category=category_,
            initial={
                "submissions": [s.pk for s in selectors.calibration_entries(round, category_)]
            },
        )
        return self.render_calibration(round, category_, form)

    def post(self, request: HttpRequest, slug: str, number: int, category: int) -> HttpResponse:
        round, category_ = self.get_round(number), self.get_category(category)
        form = CalibrationForm(request.POST, round=round, category=category_)
        if form.is_valid():
            chosen = list(form.cleaned_data["submissions"])
            if round.status == RoundStatus.OPEN and not form.cleaned_data["confirmed"]:
                plan = selectors.calibration_plan(round, category_, chosen)
                refused = plan.changes_entries and plan.submitted  # the service says why
                if (plan.create or plan.remove) and not refused:
                    # Say what will happen before it happens: the jurors get new work now.
                    return self.render_calibration(round, category_, form, confirm=plan)
            try:
                report = services.calibration_entries_set(
                    round=round, category=category_, submissions=chosen, actor=request.user
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _calibration_message(report))
                return redirect(self.url("calibration", number=number, category=category_.pk))
        return self.render_calibration(round, category_, form, status=400)

    def get_category(self, pk: int):
        category = self.award.categories.filter(pk=pk).first()
        if category is None:
            raise Http404
        return category

    def render_calibration(
        self, round: Round, category, form: CalibrationForm, *, confirm=None, status: int = 200
    ) -> HttpResponse:
        overview = selectors.calibration_overview(round, category)
        counts = selectors.calibration_counts_by_category(round)
        categories = list(self.award.categories.order_by("position", "pk"))
        return self.page(
            "calibration.html",
            {
                "round": round,
                "category": category,
                "categories": [{"category": c, "count": counts.get(c.pk, 0)} for c in categories],
                "overview": overview,
                "form": form,
                "confirm": confirm,
                "counting_form": CalibrationCountingForm(
                    initial={"counts": round.calibration_counts}
                ),
                "editable": round.status != RoundStatus.CLOSED
                and round.method == RoundMethod.SCORES,
                # In an open round the entries stay once calibration reviews are in (the
                # service refuses a change; the page does not offer one).
                "fixed": round.status == RoundStatus.OPEN
                and any(overview.reviews_per_entry.values()),
                "min_others": selectors.MIN_OTHERS,
            },
            status=status,
        )


def _calibration_message(report: services.CalibrationReport) -> str:
    if not report.entries:
        return _("This category has no calibration entries now.")
    message = ngettext(
        "The %(count)d calibration entries have been saved; %(created)d assignment was created.",
        "The %(count)d calibration entries have been saved; %(created)d assignments were created.",
        report.created,
    ) % {"count": report.entries, "created": report.created}
    if report.removed:
        message += " " + ngettext(
            "%(removed)d assignment of an entry no longer marked was removed; compute the "
            "assignments again to give it its reviews.",
            "%(removed)d assignments of entries no longer marked were removed; compute the "
            "assignments again to give them their reviews.",
            report.removed,
        ) % {"removed": report.removed}
    return message


class CalibrationCountingView(_JuryManageView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, number: int) -> HttpResponse:
        round = self.get_round(number)
        form = CalibrationCountingForm(request.POST)
        form.is_valid()  # a checkbox: always valid
        counts = form.cleaned_data.get("counts", False)
        back = request.POST.get("category", "")
        return self.act(
            lambda: services.calibration_counting_set(
                round=round, counts=counts, actor=request.user
            ),
            _("The calibration reviews now count in the ranking.")
            if counts
            else _("The calibration reviews no longer count in the ranking."),
            self.url("calibration", number=number, category=int(back))
            if back.isdigit()
            else self.url("calibration_index", number=number),
        )


# --- Progress and reminders --------------------------------------------------------------


class ProgressView(_JuryManageView):
    def get(self, request: HttpRequest, slug: str, number: int) -> HttpResponse:
        round = self.get_round(number)
        progress = selectors.round_progress(self.award, round)
        open_work = selectors.open_work_by_juror(round)
        return self.page(
            "progress.html",
            {
                "round": round,
                "progress": progress,
                "jurors": [
                    {"row": row, "open": open_work.get(row.juror.pk, 0)} for row in progress.jurors
                ],
                "anyone_open": any(open_work.values()),
            },
        )


def _interval_words(seconds: int) -> str:
    """``LAUREL_REMINDER_MIN_INTERVAL`` in words: "24 hours", "90 minutes"."""
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = max(1, -(-seconds // 60))
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


class RemindView(_JuryManageView):
    """Reminding by hand, one juror (``juror``) or everyone with open work. GET (and a POST
    that does not confirm) shows each juror with their open reviews and when they were last
    reminded, who is skipped for a reminder within ``LAUREL_REMINDER_MIN_INTERVAL``, the
    mail in both languages and a one-time token; the confirmed POST sends, once."""

    def get(self, request: HttpRequest, slug: str, number: int) -> HttpResponse:
        round = self.get_round(number)
        form = ReminderForm(initial={"token": uuid.uuid4()}, interval=self.interval())
        return self.render_remind(round, self.get_target(request.GET), form)

    def post(self, request: HttpRequest, slug: str, number: int) -> HttpResponse:
        round = self.get_round(number)
        juror = self.get_target(request.POST)
        form = ReminderForm(request.POST, interval=self.interval())
        if not form.is_valid() or not form.cleaned_data["confirm"]:
            if not form.is_valid():
                form = ReminderForm(
                    initial={"token": uuid.uuid4(), "force": request.POST.get("force") == "on"},
                    interval=self.interval(),
                )
            return self.render_remind(round, juror, form)
        report = services.reminder_send_now(
            round=round,
            actor=request.user,
            juror=juror,
            force=form.cleaned_data["force"],
            token=str(form.cleaned_data["token"]),
        )
        if report.sent:
            messages.success(
                request,
                ngettext(
                    "A reminder has been sent to %(count)d juror.",
                    "A reminder has been sent to %(count)d jurors.",
                    report.sent,
                )
                % {"count": report.sent},
            )
        if report.skipped:
            messages.info(
                request,
                ngettext(
                    "%(count)d juror was reminded less than %(interval)s ago and has not been "
                    "reminded again.",
                    "%(count)d jurors were reminded less than %(interval)s ago and have not "
                    "been reminded again.",
                    len(report.skipped),
                )
                % {"count": len(report.skipped), "interval": self.interval()},
            )
        if not report.sent and not report.skipped:
            messages.info(request, _("Nobody has open reviews in this round; no reminder sent."))
        return redirect(self.url("progress", number=number))

    def interval(self) -> str:
        return _interval_words(settings.LAUREL_REMINDER_MIN_INTERVAL)

    def get_target(self, data) -> Juror | None:
        """The one juror to remind (``juror``: a juror of this award, else 404), or None
        for everyone with open work."""
        juror_id = data.get("juror", "").strip()
        if not juror_id:
            return None
        if not juror_id.isdigit():
            raise Http404
        return self.get_juror(int(juror_id))

    def render_remind(self, round: Round, juror: Juror | None, form: ReminderForm) -> HttpResponse:
        rows = selectors.reminder_rows(round, juror=juror)
        due = [row for row in rows if not row.recent]
        languages = [
            {
                "code": code,
                "name": name,
                "due": sum(1 for row in due if row.juror.user.preferred_language == code),
                "all": sum(1 for row in rows if row.juror.user.preferred_language == code),
            }
            for code, name in settings.LANGUAGES
        ]
        return self.page(
            "remind.html",
            {
                "round": round,
                "juror": juror,
                "rows": rows,
                "due": len(due),
                "recent": len(rows) - len(due),
                "languages": languages,
                "previews": services.reminder_previews(round, due or rows),
                "form": form,
                "interval": self.interval(),
            },
        )


# --- Reviews and discussion --------------------------------------------------------------


class ReviewDetailView(_JuryManageView):
    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        review = self.get_review(pk)
        scores = {score.criterion_id: score for score in review.scores.all()}
        criteria = list(self.award.criteria.all())
        round = review.assignment.round
        return self.page(
            "review_detail.html",
            {
                "review": review,
                "assignment": review.assignment,
                "round": round,
                "rows": [
                    {"criterion": criterion, "score": scores.get(criterion.pk)}
                    for criterion in criteria
                ],
                "can_reopen": review.status == ReviewStatus.SUBMITTED
                and round.status == RoundStatus.OPEN,
            },
        )

    def get_review(self, pk: int) -> Review:
        review = (
            Review.objects.filter(pk=pk, assignment__round__award=self.award)
            .select_related(
                "assignment__juror__user", "assignment__submission__category", "assignment__round"
            )
            .prefetch_related(Prefetch("scores", queryset=Score.objects.order_by("pk")))
            .first()
        )
        if review is None:
            raise Http404
        return review


class ReviewReopenView(ReviewDetailView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        review = self.get_review(pk)
        return self.act(
            lambda: services.review_reopen(review=review, actor=request.user),
            _("The review has been reopened; %(name)s can change and submit it again.")
            % {"name": review.assignment.juror.user.full_name},
            self.url("review_detail", pk=pk),
        )


class DiscussionView(_JuryManageView):
    def get(self, request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
        round = self.get_round(number)
        return self.render_discussion(round, self.get_entry(round, pk), PostForm())

    def post(self, request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
        round = self.get_round(number)
        entry = self.get_entry(round, pk)
        form = PostForm(request.POST)
        if form.is_valid():
            try:
                services.post_create(
                    round=round,
                    submission=entry,
                    author=request.user,
                    body=form.cleaned_data["body"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your message has been added to the discussion."))
                return redirect(self.url("discussion", number=number, pk=pk))
        return self.render_discussion(round, entry, form, status=400)

    def get_entry(self, round: Round, pk: int) -> Submission:
        entry = (
            Submission.objects.filter(pk=pk, rounds__round=round)
            .select_related("category", "organisation")
            .first()
        )
        if entry is None:
            raise Http404
        return entry

    def render_discussion(
        self, round: Round, entry: Submission, form: PostForm, status: int = 200
    ) -> HttpResponse:
        posts = list(
            DiscussionPost.objects.filter(round=round, submission=entry)
            .select_related("author")
            .order_by("created_at", "pk")
        )
        return self.page(
            "discussion.html",
            {
                "round": round,
                "entry": entry,
                "posts": posts,
                "form": form,
                "can_post": round.status == RoundStatus.OPEN,
            },
            status=status,
        )


urlpatterns: list = [
    path("", JuryView.as_view(), name="jurors"),
    path("invite/", InviteView.as_view(), name="invite"),
    path("invitations/<int:pk>/revoke/", InvitationRevokeView.as_view(), name="invitation_revoke"),
    path("jurors/<int:pk>/", JurorEditView.as_view(), name="juror_edit"),
    path("jurors/<int:pk>/remove/", JurorRemoveView.as_view(), name="juror_remove"),
    path("conflicts/", ConflictsView.as_view(), name="conflicts"),
    path("rounds/<int:number>/open/", RoundOpenView.as_view(), name="round_open"),
    path("rounds/<int:number>/close/", RoundCloseView.as_view(), name="round_close"),
    path("rounds/<int:number>/assignments/", AssignmentsView.as_view(), name="assignments"),
    path(
        "rounds/<int:number>/assignments/run/",
        AssignmentsRunView.as_view(),
        name="assignments_run",
    ),
    path(
        "rounds/<int:number>/assignments/add/",
        AssignmentAddView.as_view(),
        name="assignment_add",
    ),
    path(
        "rounds/<int:number>/assignments/<int:pk>/remove/",
        AssignmentRemoveView.as_view(),
        name="assignment_remove",
    ),
    path(
        "rounds/<int:number>/calibration/",
        CalibrationIndexView.as_view(),
        name="calibration_index",
    ),
    path(
        "rounds/<int:number>/calibration/counting/",
        CalibrationCountingView.as_view(),
        name="calibration_counting",
    ),
    path(
        "rounds/<int:number>/calibration/<int:category>/",
        CalibrationView.as_view(),
        name="calibration",
    ),
    path("rounds/<int:number>/progress/", ProgressView.as_view(), name="progress"),
    path("rounds/<int:number>/remind/", RemindView.as_view(), name="remind"),
    path("reviews/<int:pk>/", ReviewDetailView.as_view(), name="review_detail"),
    path("reviews/<int:pk>/reopen/", ReviewReopenView.as_view(), name="review_reopen"),
    path(
        "rounds/<int:number>/entries/<int:pk>/discussion/",
        DiscussionView.as_view(),
        name="discussion",
    ),
]
