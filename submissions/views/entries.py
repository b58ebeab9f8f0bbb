"""An applicant's entry: start it, edit it (with autosave), add files, submit, withdraw, reopen,
and print a summary.

Every entry comes through ``access.submission_get_for``: editing needs membership of the
entry's organisation (``submissions.edit_submission``); the overview and the printable summary
are also open to the award's organisers (``submissions.view_submission``). Anyone else gets a
404. Each view calls one service and shows a refusal's message without losing what the
applicant typed.

The autosave and upload endpoints answer JSON. When the session has ended (logged out in
another tab, expired, or a CSRF token that no longer matches) they answer 403 with JSON
instead of a login page, so that the script can tell the applicant to log in again in
another tab, without reloading and losing the page.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from awards.access import award_get_for
from awards.models import Award
from core.arrival import arrival_of
from core.forms import (
    ConfirmForm,
    add_service_errors,
    error_message,
    form_errors,
    service_errors,
)
from core.http import (
    autosave_invalid,
    autosave_refused,
    autosave_saved,
    saved_stamp,
    session_checked,
    wants_json,
)
from core.links import with_next

from .. import services
from ..access import submission_get_for
from ..dashboard_selectors import entry_countdown, memberships_of
from ..enums import QuestionKind, SubmissionStatus, submission_badge
from ..forms.entries import EntryForm, SubmissionStartForm, VersionForm
from ..models import Attachment, Organisation, Submission
from ..outcome_parts import outcome_parts
from ..questions import answer_display, files_by_slot, initial_value, to_stored
from ..selectors import entry_answer_sections
from ..services.entries import ENTRY_FIELDS
from ..uploads import clean_name

EDIT = "submissions.edit_submission"
VIEW = "submissions.view_submission"
# Statuses in which the applicant changes the text (services.submission_update agrees).
EDITABLE_STATUSES = (SubmissionStatus.DRAFT, SubmissionStatus.SUBMITTED)


# --- Helpers ----------------------------------------------------------------------------


def _window_problem(submission: Submission) -> str | None:
    """Why ``submission`` (saved or not) cannot be changed now, in the services' words
    (the deadline in the award's time zone), or None while it can."""
    if services.editing_allowed(submission):
        return None
    try:
        # The services word the refusal (not open yet, deadline passed, closed); asking them
        # keeps one wording for the page, the JSON answers and the refusals themselves.
        services.ensure_editable(submission)
    except services.DeadlinePassed as error:
        return error_message(error)
    return None


def _attachment_json(attachment: Attachment) -> dict:
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "size": attachment.size,
        "size_display": filesizeformat(attachment.size),
        "kind": attachment.kind,
        "kind_display": attachment.get_kind_display(),
        "question": attachment.question_id,
        "url": reverse("submissions:attachment", kwargs={"pk": attachment.pk}),
        "thumbnail_url": reverse("submissions:thumbnail", kwargs={"pk": attachment.pk})
        if attachment.thumbnail
        else None,
        "delete_url": reverse(
            "submissions:attachment_delete",
            kwargs={"pk": attachment.submission_id, "aid": attachment.pk},
        ),
    }


def _entry_context(request: HttpRequest, submission: Submission) -> dict:
    """What the overview, the edit page and the printable summary all show: the answers in
    the form's sections (``answer_sections``: ``selectors.entry_answer_sections``), the
    files by slot; the countdown to the deadline for the entry's applicants while they still
    act on it."""
    can_edit = request.user.has_perm(EDIT, submission)
    deadline = services.deadline_for(submission)
    attachments = list(submission.attachments.all())
    by_slot = files_by_slot(attachments)
    return {
        "submission": submission,
        "award": submission.award,
        "badge": submission_badge(submission.status),
        "deadline": deadline,
        "countdown": entry_countdown(
            submission, deadline=deadline, editable=services.editing_allowed(submission)
        )
        if can_edit
        else None,
        "attachments": attachments,
        "answer_sections": entry_answer_sections(submission, attachments, include_retired=False),
        "files_by_slot": by_slot,
        "can_edit": can_edit,
    }


# --- Starting an entry --------------------------------------------------------------------


@login_required
def submission_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Choose the company and the category of a new entry and give it a working title."""
    if not request.user.has_perm("awards.apply"):
        raise PermissionDenied
    award: Award = award_get_for(request.user, slug, "awards.view_award")
    organisation_ids = memberships_of(request.user).values("organisation_id")
    organisations = Organisation.objects.filter(pk__in=organisation_ids).order_by("name", "pk")
    context = {
        "award": award,
        "problem": _window_problem(Submission(award=award)),
        "organisation_create_url": with_next(
            "submissions:organisation_create", request.get_full_path()
        ),
        "has_organisations": organisations.exists(),
        "form": None,
    }
    if context["problem"] or not context["has_organisations"]:
        return render(request, "submissions/entry_create.html", context)
    form = SubmissionStartForm(
        request.POST if request.method == "POST" else None,
        award=award,
        organisations=organisations,
    )
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.submission_create(
                award=award,
                category=form.cleaned_data["category"],
                organisation=form.cleaned_data["organisation"],
                actor=request.user,
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Your entry has been started. It is saved as a draft as you type; submit "
                    "it when it is complete."
                ),
            )
            return redirect("submissions:edit", pk=submission.pk)
    context["form"] = form
    return render(request, "submissions/entry_create.html", context)


# --- The overview -------------------------------------------------------------------------


def _missing(submission: Submission) -> list[dict]:
    """Missing items in the form's order with the field they concern and its anchor on the
    edit page (a question's input ``id_q<id>``, the first of its radios or boxes, a file
    slot's box ``slot-<id>``)."""
    form_questions = services.entry_form_questions(submission)
    anchors = {}
    for question in form_questions.questions:
        if question.kind == QuestionKind.FILE:
            anchors[question.field_name] = f"slot-{question.pk}"
        elif question.kind in (QuestionKind.YES_NO, QuestionKind.MULTIPLE):
            anchors[question.field_name] = f"id_{question.field_name}_0"  # the first option
    return [
        {
            "field": field,
            "anchor": anchors.get(field, f"id_{field}"),
            "message": message,
        }
        for field, field_messages in services.missing_items(submission, form_questions).items()
        for message in field_messages
    ]


def _render_detail(
    request: HttpRequest, submission: Submission, *, submit_errors: list[dict] | None = None
) -> HttpResponse:
    context = _entry_context(request, submission)
    allowed = context["can_edit"] and services.editing_allowed(submission)
    status = submission.status
    context.update(
        {
            "missing": _missing(submission)
            if status in (SubmissionStatus.DRAFT, SubmissionStatus.WITHDRAWN)
            else [],
            "window_problem": _window_problem(submission) if context["can_edit"] else None,
            "can_change": allowed and status in EDITABLE_STATUSES,
            "can_submit": allowed and status == SubmissionStatus.DRAFT,
            "can_withdraw": allowed and status == SubmissionStatus.SUBMITTED,
            "can_reopen": allowed and status == SubmissionStatus.WITHDRAWN,
            "submit_errors": submit_errors or [],
            # The jury's feedback, the certificate: added by the apps that own them.
            "outcome_parts": outcome_parts([submission], request.user).get(submission.pk, []),
        }
    )
    return render(request, "submissions/entry_detail.html", context)


@require_safe
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Status, reference, deadline, what is still missing, files, and the next steps."""
    return _render_detail(request, submission_get_for(request.user, pk, VIEW))


# --- Editing ------------------------------------------------------------------------------


def _differences(form: EntryForm, current: Submission) -> dict[str, str]:
    """The saved (other person's) value of each field where it differs from the form's, as
    the applicant would read it (a choice's label, yes/no), by field name."""
    mine = form.entry_values()
    shown: dict[str, str] = {}
    for name in ENTRY_FIELDS:
        theirs = getattr(current, name)
        if theirs != mine.get(name):
            if isinstance(theirs, bool):
                shown[name] = _("Yes") if theirs else _("No")
            else:
                shown[name] = str(theirs or "")
    saved = current.answers or {}
    for question in form.form_questions.answerable():
        theirs = saved.get(str(question.pk))
        value = to_stored(question, mine["answers"].get(question.pk))
        if (theirs or {}).get("value") != value:
            shown[question.field_name] = answer_display(question, theirs)
    return shown


def _current_values(form: EntryForm, current: Submission) -> dict:
    """Every field's saved value as the form would show it (for the autosave's conflict)."""
    values = {name: getattr(current, name) for name in ENTRY_FIELDS}
    for question in form.form_questions.answerable():
        values[question.field_name] = initial_value(
            question, (current.answers or {}).get(str(question.pk))
        )
    return values


def _entry_form(submission: Submission, data=None, *, instance: Submission | None = None):
    """The entry's form with its category's questions (``data`` bound, else its answers)."""
    return EntryForm(
        data,
        instance=instance if instance is not None else submission,
        form_questions=services.entry_form_questions(submission),
    )


def _render_edit(
    request: HttpRequest,
    submission: Submission,
    form: EntryForm,
    *,
    conflict: dict[str, str] | None = None,
    conflict_by: str = "",
    problem: str | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _entry_context(request, submission)
    # What the form's sections show beside the fields: the other person's values on a
    # conflict, and each file slot's files.
    form.conflict_values = conflict or {}
    form.slot_files = context["files_by_slot"]
    context.update(
        {
            "form": form,
            "unslotted_files": context["files_by_slot"].get(None, []),
            "conflict": conflict,
            "conflict_message": _conflict_text() if conflict is not None else "",
            "conflict_by": conflict_by,
            "problem": problem,
        }
    )
    return render(request, "submissions/entry_edit.html", context, status=status)


def _conflict_text() -> str:
    return _(
        "Someone else saved this entry while you were editing it. Your text is still in the "
        "form; what they saved is shown beside each field that differs. Copy what you need, "
        "then save again: that replaces their version."
    )


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The entry's form: explicit save here, autosave through ``autosave``."""
    submission = submission_get_for(request.user, pk, EDIT)
    if request.method != "POST":
        if submission.status not in EDITABLE_STATUSES:
            messages.error(
                request,
                _("An entry that is “%(status)s” cannot be changed.")
                % {"status": submission.get_status_display()},
            )
            return redirect("submissions:detail", pk=pk)
        problem = _window_problem(submission)
        if problem:
            messages.error(request, problem)
            return redirect("submissions:detail", pk=pk)
        return _render_edit(request, submission, _entry_form(submission))

    # The form validates a copy, so that refused input does not show up in the page header.
    form = _entry_form(submission, request.POST, instance=copy.copy(submission))
    if not form.is_valid():
        return _render_edit(request, submission, form)
    try:
        saved = services.submission_update(
            submission=submission,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            **form.entry_values(),
        )
    except services.StaleVersion as error:
        current = error.current
        conflict = _differences(form, current)
        # The form keeps the applicant's text and now carries the current version: saving
        # again, after reading the other text, is a deliberate replacement.
        data = request.POST.copy()
        data["version"] = str(current.version)
        form = _entry_form(current, data, instance=copy.copy(current))
        form.is_valid()
        return _render_edit(
            request,
            current,
            form,
            conflict=conflict,
            conflict_by=str(current.updated_by or ""),
            status=409,
        )
    except (services.DeadlinePassed, services.SubmissionTransitionError) as error:
        return _render_edit(request, submission, form, problem=error_message(error), status=400)
    except ValidationError as error:
        # A submitted entry may not lose a required field (IncompleteSubmission), or the
        # model refused a value: shown next to the field, the text stays in the form.
        add_service_errors(form, error)
        return _render_edit(request, submission, form)
    messages.success(request, _("Your changes have been saved."))
    if request.POST.get("then") == "overview":
        return redirect("submissions:detail", pk=saved.pk)
    return redirect("submissions:edit", pk=saved.pk)


@require_POST
@session_checked
def autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """Save the draft as typed (``static/js/autosave.js`` calls it 2 s after the last
    keystroke), answering in the autosave shape of ``core.http``: saved (``saved_at`` in the
    award's time zone); ``invalid`` with the refused fields; ``conflict`` (409) when someone
    else saved in the meantime, with their ``version``, ``updated_by``, ``current`` values and
    the differing values as ``shown``, nothing overwritten; ``closed`` after the deadline;
    ``session`` (403, from ``session_checked``) when the session has ended.
    """
    submission = submission_get_for(request.user, pk, EDIT)
    form = _entry_form(submission, request.POST, instance=copy.copy(submission))
    if not form.is_valid():
        return autosave_invalid(form_errors(form))
    try:
        saved = services.submission_update(
            submission=submission,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            **form.entry_values(),
        )
    except services.StaleVersion as error:
        current = error.current
        return autosave_refused(
            code="conflict",
            message=_(
                "Someone else saved this entry in the meantime, so autosave has stopped: "
                "nothing of theirs or yours has been overwritten. What they saved is shown "
                "beside each field that differs. Copy what you need, then save: you see "
                "both versions once more before anything is replaced."
            ),
            status=409,
            final=True,
            version=current.version,
            updated_by=str(current.updated_by or ""),
            current=_current_values(form, current),
            shown=_differences(form, current),
        )
    except (services.DeadlinePassed, services.SubmissionTransitionError) as error:
        return autosave_refused(code="closed", message=error_message(error), final=True)
    except ValidationError as error:
        return autosave_invalid(service_errors(error))
    return autosave_saved(version=saved.version, **saved_stamp(submission.award, saved.updated_at))


# --- Files --------------------------------------------------------------------------------


def _named(error: ValidationError, name: str) -> str:
    """The refusal, naming the file even where the service's message does not (too many
    files, deadline)."""
    text = error_message(error)
    if f"“{name}”" in text:
        return text
    return _("“%(name)s” was not added: %(reason)s") % {"name": name, "reason": text}


@require_POST
@session_checked
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Add documents and images. The script sends one file per request and gets JSON (201, 400
    naming the file, or 503 when the storage did not take it: nothing kept, try again later);
    a plain form post adds each file and returns to the edit page."""
    submission = submission_get_for(request.user, pk, EDIT)
    uploads = request.FILES.getlist("files")
    slot = _upload_slot(submission, request.POST.get("question"))
    if slot is None:
        message = _("This file field is not part of the entry's form. Please reload the page.")
        if wants_json(request):
            return JsonResponse({"error": message}, status=400)
        messages.error(request, message)
        return redirect(reverse("submissions:edit", kwargs={"pk": pk}) + "#attachments")
    slot = slot or None  # False: no slot named, the service chooses one by the file's kind
    back = reverse("submissions:edit", kwargs={"pk": pk}) + (
        f"#slot-{slot.pk}" if slot else "#attachments"
    )
    if wants_json(request):
        if len(uploads) != 1:
            # A part whose name Django cannot read (raw bytes that are not UTF-8) arrives as
            # no file at all.
            return JsonResponse(
                {
                    "error": _(
                        "No file arrived. Please choose the file again; if its name has unusual "
                        "characters, rename it first."
                    )
                },
                status=400,
            )
        upload = uploads[0]
        try:
            attachment = services.attachment_add(
                submission=submission, actor=request.user, upload=upload, question=slot
            )
        except ValidationError as error:
            name = clean_name(upload.name or "")
            return JsonResponse({"error": _named(error, name), "name": name}, status=400)
        except services.StorageUnavailable as error:
            return JsonResponse(
                {"error": error.message, "name": error.name, "code": "storage"},
                status=503,
                headers={"Retry-After": "60"},
            )
        return JsonResponse({"attachment": _attachment_json(attachment)}, status=201)

    if not uploads:
        messages.error(request, _("Choose a file to upload."))
    for upload in uploads:
        try:
            attachment = services.attachment_add(
                submission=submission, actor=request.user, upload=upload, question=slot
            )
        except ValidationError as error:
            messages.error(request, _named(error, clean_name(upload.name or "")))
        except services.StorageUnavailable as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("“%(name)s” has been added.") % {"name": attachment.original_name}
            )
    return redirect(back)


def _upload_slot(submission: Submission, raw: str | None):
    """The file slot ``raw`` (a question id from the post) of the entry's form; None when it
    names no file slot of this entry's form (another award's, another category's, a text
    question, garbage). A post without one (an old page) goes to the first slot that takes
    the file's kind: ``False`` tells the service to choose."""
    if raw in (None, ""):
        return False
    try:
        wanted = int(raw)
    except (TypeError, ValueError):
        return None
    return next(
        (s for s in services.entry_form_questions(submission).file_slots() if s.pk == wanted),
        None,
    )


@require_POST
@session_checked
def attachment_delete(request: HttpRequest, pk: int, aid: int) -> HttpResponse:
    submission = submission_get_for(request.user, pk, EDIT)
    attachment = get_object_or_404(submission.attachments, pk=aid)
    name = attachment.original_name
    try:
        services.attachment_delete(attachment=attachment, actor=request.user)
    except ValidationError as error:
        if wants_json(request):
            return JsonResponse({"error": error_message(error)}, status=400)
        messages.error(request, error_message(error))
    else:
        if wants_json(request):
            return JsonResponse({"deleted": aid})
        messages.success(request, _("“%(name)s” has been removed.") % {"name": name})
    return redirect(reverse("submissions:edit", kwargs={"pk": pk}) + "#attachments")


# --- Submit, withdraw, reopen -------------------------------------------------------------


@require_POST
@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    submission = submission_get_for(request.user, pk, EDIT)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please reload the page and try again."))
        return redirect("submissions:detail", pk=pk)
    try:
        submitted = services.submission_submit(
            submission=submission,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            at=arrival_of(request),
        )
    except services.IncompleteSubmission:
        # Everything missing, in the form's order, each linked to its place on the edit page.
        return _render_detail(request, submission, submit_errors=_missing(submission))
    except services.StaleVersion:
        messages.error(
            request,
            _(
                "Someone else saved this entry in the meantime. Please check it below and "
                "submit again."
            ),
        )
    except ValidationError as error:
        messages.error(request, error_message(error))
    else:
        messages.success(
            request,
            _("Submitted. Your reference number is %(reference)s.")
            % {"reference": submitted.reference},
        )
    return redirect("submissions:detail", pk=pk)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdrawing an entry: GET (and a POST without ``confirm``) says what withdrawing does;
    only the confirmed POST withdraws. An entry that cannot be withdrawn (a draft, the
    deadline passed) goes back to its overview with the reason; so does one withdrawn
    already (a second click), saying so."""
    submission = submission_get_for(request.user, pk, EDIT)
    if submission.status == SubmissionStatus.WITHDRAWN:
        messages.info(request, _("The entry has been withdrawn already."))
        return redirect("submissions:detail", pk=pk)
    if request.method != "POST" or not ConfirmForm.confirmed(request.POST):
        try:
            services.ensure_withdrawable(submission)
        except ValidationError as error:
            messages.error(request, error_message(error))
            return redirect("submissions:detail", pk=pk)
        context = _entry_context(request, submission)
        context["members"] = submission.organisation.memberships.count()
        return render(request, "submissions/entry_withdraw.html", context)
    try:
        services.submission_withdraw(submission=submission, actor=request.user)
    except ValidationError as error:
        submission.refresh_from_db(fields=["status"])
        if submission.status == SubmissionStatus.WITHDRAWN:  # withdrawn meanwhile
            messages.info(request, _("The entry has been withdrawn already."))
        else:
            messages.error(request, error_message(error))
    else:
        messages.success(
            request,
            _(
                "The entry has been withdrawn. Until the deadline you can reopen it as a draft "
                "and submit it again."
            ),
        )
    return redirect("submissions:detail", pk=pk)


@require_POST
@login_required
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    submission = submission_get_for(request.user, pk, EDIT)
    try:
        services.submission_reopen(submission=submission, actor=request.user)
    except ValidationError as error:
        messages.error(request, error_message(error))
    else:
        messages.success(
            request, _("The entry is a draft again. Submit it again before the deadline.")
        )
    return redirect("submissions:detail", pk=pk)


# --- Printable summary --------------------------------------------------------------------


@require_safe
@login_required
def print_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """Every field, the files, the reference and the time of submission, for printing."""
    submission = submission_get_for(request.user, pk, VIEW)
    context = _entry_context(request, submission)
    context["printed_at"] = timezone.now()
    return render(request, "submissions/entry_print.html", context)


@require_safe
@login_required
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable summary as a PDF download."""
    from ..pdf import submission_pdf

    submission = submission_get_for(request.user, pk, VIEW)
    content = submission_pdf(submission, list(submission.attachments.all()))
    response = HttpResponse(content, content_type="application/pdf")
    name = submission.reference or f"entry-{submission.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns: list = [
    path("awards/<slug:slug>/enter/", submission_create, name="submission_create"),
    path("submissions/<int:pk>/", detail, name="detail"),
    path("submissions/<int:pk>/edit/", edit, name="edit"),
    path("submissions/<int:pk>/autosave/", autosave, name="autosave"),
    path("submissions/<int:pk>/attachments/", attachment_upload, name="attachment_upload"),
    path(
        "submissions/<int:pk>/attachments/<int:aid>/delete/",
        attachment_delete,
        name="attachment_delete",
    ),
    path("submissions/<int:pk>/submit/", submit, name="submit"),
    path("submissions/<int:pk>/withdraw/", withdraw, name="withdraw"),
    path("submissions/<int:pk>/reopen/", reopen, name="reopen"),
    path("submissions/<int:pk>/print/", print_summary, name="print"),
    path("submissions/<int:pk>/pdf/", pdf, name="pdf"),
]
