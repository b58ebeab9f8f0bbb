"""The jurors' pages: the invitation, the first steps (confidentiality, profile, conflicts of
interest), the dashboard, reviews with autosave (after the calibration entries of a category,
when it has some), the juror's private comparison on those entries, the entries' files, ranked
ballots and the discussion of finalists.

Every seat comes through ``access.juror_get_for`` and every entry, file and round through the
other getters of ``jury.access``: whoever may not see it (another award's juror, an applicant,
a juror in conflict, an entry of a round not opened yet) gets a 404. A juror who has not yet
confirmed confidentiality and declared conflicts is sent to that step before any entry.
Each view parses, checks, calls one service and responds; a refusal keeps what was typed.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from awards.enums import RoundMethod, RoundStatus
from awards.models import Award, Criterion, Round
from core.forms import add_service_errors, error_message, form_errors, service_errors
from core.http import (
    autosave_invalid,
    autosave_refused,
    autosave_saved,
    protected_file,
    saved_stamp,
    session_checked,
)
from core.links import with_next
from submissions import previews
from submissions.downloads import attachment_download, thumbnail_inline
from submissions.enums import AttachmentKind, PreviewStatus
from submissions.models import Attachment, Submission
from submissions.selectors import entry_answer_sections

from .. import access, rules, selectors, services
from ..enums import ReviewStatus
from ..forms import (
    BallotForm,
    ConflictDeclarationForm,
    DiscussionPostForm,
    InvitationResponseForm,
    JurorConfidentialityForm,
    JurorProfileForm,
    ReviewForm,
)
from ..models import Assignment, Ballot, DiscussionPost, Juror, Review
from ..selectors import dashboard as dashboard_selectors
from .onboarding import next_step, ready_juror

# --- Helpers ----------------------------------------------------------------------------


def _round_window(juror: Juror, round: Round) -> str | None:
    """Why the juror cannot change their work in ``round`` now, or None while they can."""
    try:
        services.ensure_round_accepts(juror, round)
    except services.ReviewError as error:
        return error_message(error)
    return None


def _page_numbers(attachments: list[Attachment]) -> None:
    """Give each document the numbers of its pages to read page by page (rendered by a task
    after the upload: the row says how far that is, so no storage is asked and nothing is
    rendered here)."""
    for document in attachments:
        if document.kind != AttachmentKind.IMAGE:
            ready = document.preview_status == PreviewStatus.READY
            document.page_numbers = range(1, (document.preview_pages if ready else 0) + 1)


def _entry_context(submission: Submission) -> dict:
    """What the review and the finalist page show of an entry (the template hides the
    company when the award reviews blind)."""
    attachments = list(submission.attachments.all())
    _page_numbers(attachments)
    return {
        "submission": submission,
        "sections": entry_answer_sections(submission, attachments, include_retired=True),
    }


# --- The invitation ---------------------------------------------------------------------


def _invitation_invalid(request: HttpRequest, error: services.InvitationInvalid) -> HttpResponse:
    return render(
        request,
        "jury/invitation_invalid.html",
        {"message": error_message(error)},
        status=error.status,
    )


def _invitation_page(
    request: HttpRequest,
    invitation,
    *,
    code_error: str = "",
    code_sent: bool = False,
    status: int = 200,
) -> HttpResponse:
    inviter = invitation.invited_by
    context = {
        "invitation": invitation,
        "award": invitation.award,
        "categories": list(invitation.categories.order_by("position", "pk")),
        "inviter": inviter.full_name if inviter else invitation.award.organiser_name,
        "code_error": code_error,
        "code_sent": code_sent,
    }
    if request.user.is_authenticated:
        context["other_address"] = not services.invited_address_is(invitation, request.user)
    else:
        here = request.get_full_path()
        context["login_url"] = with_next(settings.LOGIN_URL, here)
        context["register_url"] = with_next("accounts:register", here)
    return render(request, "jury/invitation.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation mail: what the invitation is for, and accept or decline.

    Declining needs only the link. Accepting needs an account, and the invitation belongs to
    the address it was sent to: an account of another address accepts only with a code
    mailed to the invited address (``services.invitation_code_send``), so a forwarded or
    leaked link gives nobody else a jury seat.
    """
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationInvalid as error:
        return _invitation_invalid(request, error)
    if request.method != "POST":
        return _invitation_page(request, invitation)

    form = InvitationResponseForm(request.POST)
    if not form.is_valid():
        return redirect("jury:invitation", token=token)
    action = form.cleaned_data["action"]
    try:
        if action == "decline":
            declined = services.invitation_decline(
                token=token,
                user=request.user if request.user.is_authenticated else None,
            )
            return render(request, "jury/invitation_declined.html", {"award": declined.award})
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if action == "send_code":
            services.invitation_code_send(token=token, user=request.user)
            return _invitation_page(request, invitation, code_sent=True)
        juror = services.invitation_accept(
            token=token, user=request.user, code=form.cleaned_data["code"]
        )
    except services.InvitationInvalid as error:
        return _invitation_invalid(request, error)
    except ValidationError as error:  # the code: missing, wrong, too many tries or mails
        return _invitation_page(
            request, invitation, code_error=error_message(error), code_sent=True, status=400
        )
    messages.success(
        request,
        _("Welcome to the jury of %(award)s.") % {"award": juror.award},
    )
    return redirect("jury:confidentiality", slug=juror.award.slug)


# --- First steps ------------------------------------------------------------------------


@login_required
def confidentiality(request: HttpRequest, slug: str) -> HttpResponse:
    """The award's confidentiality statement, confirmed once (with the time, audit-logged)."""
    award, juror = access.juror_get_for(request.user, slug)
    form = JurorConfidentialityForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.juror_confidentiality_confirm(juror=juror)
            messages.success(request, _("Thank you for confirming the confidentiality statement."))
            if juror.conflicts_declared_at is None:
                return redirect("jury:profile", slug=award.slug)
            return redirect("jury:dashboard", slug=award.slug)
        status = 400
    return render(
        request,
        "jury/confidentiality.html",
        {"award": award, "juror": juror, "form": form, "statement": award.confidentiality},
        status=status,
    )


@login_required
def profile(request: HttpRequest, slug: str) -> HttpResponse:
    """Affiliation, areas of expertise and the expertise in each own category."""
    award, juror = access.juror_get_for(request.user, slug)
    links = list(juror.category_links.select_related("category").order_by("category__position"))
    if request.method == "POST":
        form = JurorProfileForm(request.POST, links=links)
        if form.is_valid():
            try:
                services.juror_profile_update(
                    juror=juror,
                    affiliation=form.cleaned_data["affiliation"],
                    expertise_note=form.cleaned_data["expertise_note"],
                    expertise=form.expertise(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your profile has been saved."))
                if juror.conflicts_declared_at is None and juror.confidentiality_confirmed_at:
                    return redirect("jury:conflicts", slug=award.slug)
                return redirect("jury:dashboard", slug=award.slug)
        status = 400
    else:
        form = JurorProfileForm(
            initial={"affiliation": juror.affiliation, "expertise_note": juror.expertise_note},
            links=links,
        )
        status = 200
    return render(
        request, "jury/profile.html", {"award": award, "juror": juror, "form": form}, status=status
    )


def _suggestion_text(reason: str) -> str:
    if reason.startswith("@"):
        return _("same email domain %(domain)s") % {"domain": reason}
    return _("your affiliation “%(affiliation)s”") % {"affiliation": reason}


@login_required
def conflicts(request: HttpRequest, slug: str) -> HttpResponse:
    """The entries of the juror's categories (title and company only) with conflicts of
    interest to declare and preferences to give. Suggestions the juror's email domain or
    affiliation points to are shown as they stand now (the page writes nothing); the
    declaration records them with the juror's answer."""
    award, juror = access.juror_get_for(request.user, slug)
    if juror.confidentiality_confirmed_at is None:
        messages.info(request, _("Please confirm the confidentiality statement first."))
        return redirect("jury:confidentiality", slug=award.slug)
    entries = list(
        selectors.submissions_in_juror_categories(juror)
        .select_related("category", "organisation")
        .order_by("category__position", "reference", "pk")
    )
    rows = selectors.conflict_rows(juror, entries, selectors.conflict_suggestions([juror]))
    editable = [row.submission for row in rows if not row.fixed]
    preferences = dict(juror.bids.values_list("submission_id", "preference"))
    if request.method == "POST":
        form = ConflictDeclarationForm(request.POST, entries=editable)
        if form.is_valid():
            try:
                services.conflicts_declare(
                    juror=juror, declarations=form.declarations(), actor=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Thank you: your conflicts of interest and preferences have been saved."),
                )
                return redirect("jury:dashboard", slug=award.slug)
        status = 400
    else:
        initial = {}
        for row in rows:
            pk = row.submission.pk
            initial[f"scope_{pk}"] = row.scope
            initial[f"note_{pk}"] = row.conflict.note if row.conflict else ""
            initial[f"preference_{pk}"] = preferences.get(pk, 0)
        form = ConflictDeclarationForm(initial=initial, entries=editable)
        status = 200
    for row in rows:
        if not row.fixed:
            pk = row.submission.pk
            row.fields = [form[f"scope_{pk}"], form[f"note_{pk}"], form[f"preference_{pk}"]]
        if row.suggested:
            row.reason = _suggestion_text(row.reason)
    return render(
        request,
        "jury/conflicts.html",
        {"award": award, "juror": juror, "form": form, "rows": rows},
        status=status,
    )


# --- The dashboard ----------------------------------------------------------------------


@require_safe
@login_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """The juror's home: first steps until done, then their work per opened round."""
    award, juror = access.juror_get_for(request.user, slug)
    filters = selectors.DashboardFilter.from_query(request.GET)
    steps = [
        {
            "name": "confidentiality",
            "label": _("Confirm the confidentiality statement"),
            "done": juror.confidentiality_confirmed_at is not None,
            "url": reverse("jury:confidentiality", kwargs={"slug": award.slug}),
        },
        {
            "name": "profile",
            "label": _("Complete your profile (affiliation and expertise)"),
            "done": bool(juror.affiliation or juror.expertise_note),
            "url": reverse("jury:profile", kwargs={"slug": award.slug}),
        },
        {
            "name": "conflicts",
            "label": _("Declare conflicts of interest"),
            "done": juror.conflicts_declared_at is not None,
            "url": reverse("jury:conflicts", kwargs={"slug": award.slug}),
        },
    ]
    step = next_step(juror)
    categories = list(award.categories.order_by("position", "pk")) if juror.is_ready else []
    rounds = (
        dashboard_selectors.dashboard_rounds(award, juror, filters, categories)
        if juror.is_ready
        else []
    )
    counts = dashboard_selectors.status_counts(rounds)
    # A row's link differs from the next only in the id at its end: reversed once for the
    # page, not once per row (``reverse`` cost more than the rest of a row).
    review_base = reverse("jury:review", kwargs={"slug": award.slug, "pk": 0}).removesuffix("0/")
    context = {
        "review_base": review_base,
        "award": award,
        "juror": juror,
        "steps": steps,
        "next_step_url": reverse(step, kwargs={"slug": award.slug}) if step else None,
        "rounds": rounds,
        "filters": filters,
        "categories": categories,
        "statuses": [(value, label, counts[value]) for value, label in ReviewStatus.choices],
    }
    return render(request, "jury/dashboard.html", context)


# --- Reviews ----------------------------------------------------------------------------


def _review_initial(review: Review | None) -> dict:
    if review is None:
        return {"version": 0}
    initial = {
        "version": review.version,
        "overall_comment": review.overall_comment,
        "private_note": review.private_note,
        "applicant_feedback": review.applicant_feedback,
    }
    for score in review.scores.all():
        initial[f"score_{score.criterion_id}"] = "" if score.value is None else score.value
        initial[f"comment_{score.criterion_id}"] = score.comment
    return initial


def _render_review(
    request: HttpRequest,
    award: Award,
    juror: Juror,
    assignment: Assignment,
    review: Review | None,
    form: ReviewForm,
    criteria: list[Criterion],
    navigation: selectors.ReviewNavigation,
    *,
    alert: str = "",
    status: int = 200,
) -> HttpResponse:
    submission = selectors.submission_for_review(assignment)
    round_ = assignment.round
    readonly = review is not None and review.status == ReviewStatus.SUBMITTED and not form.is_bound
    own_scores = []
    if readonly:
        stored = {s.criterion_id: s for s in review.scores.all()}
        own_scores = [(c, stored.get(c.pk)) for c in criteria]
    context = {
        "award": award,
        "juror": juror,
        "assignment": assignment,
        "round": round_,
        "review": review,
        "review_status": review.status if review else ReviewStatus.NOT_STARTED,
        "form": form,
        "readonly": readonly,
        "own_scores": own_scores,
        "alert": alert,
        "window_problem": None if readonly else _round_window(juror, round_),
        "deadline": juror.deadline_in(round_),
        "others": selectors.other_review_rows(juror, assignment, criteria)
        if rules.may_see_other_reviews(award, review)
        else None,
        "blind": award.blind_review,
        "navigation": navigation,
        **_entry_context(submission),
    }
    context["review_status_display"] = ReviewStatus(context["review_status"]).label
    return render(request, "jury/review.html", context, status=status)


def _criteria(award: Award) -> list[Criterion]:
    """The award's criteria in order, each with its score levels (2 queries)."""
    return list(award.criteria.order_by("position", "pk").prefetch_related("levels"))


def _review_form(award: Award, criteria: list[Criterion], **kwargs) -> ReviewForm:
    return ReviewForm(
        criteria=criteria,
        private_notes=award.private_notes,
        criterion_comments=award.criterion_comments,
        applicant_feedback=award.applicant_feedback,
        score_visibility=award.score_visibility,
        **kwargs,
    )


def _calibration_first() -> str:
    return _(
        "Please review your calibration entries first (marked on this page): every juror of "
        "the category scores them before their other entries, which open afterwards."
    )


def _own_review(assignment: Assignment) -> Review | None:
    """The juror's review as ``access.assignment_for_review`` read it, with its scores."""
    own = assignment.own_review
    if own is not None:
        prefetch_related_objects([own], "scores")
    return own


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def review(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One assigned entry and the juror's scoring form: save a draft or submit."""
    award, juror, onboarding = ready_juror(request, slug)
    if onboarding:
        return onboarding
    assignment = access.assignment_for_review(juror, pk)
    # The way to the other open reviews, and whether this one waits for calibration reviews
    # (``selectors.calibration_gate``), from the same rows.
    navigation = selectors.review_navigation(juror, assignment)
    if navigation.gated:
        messages.info(request, _calibration_first())
        return redirect("jury:dashboard", slug=award.slug)
    criteria = _criteria(award)
    own = _own_review(assignment)
    if request.method != "POST":
        form = _review_form(award, criteria, initial=_review_initial(own))
        return _render_review(request, award, juror, assignment, own, form, criteria, navigation)

    form = _review_form(award, criteria, data=request.POST)
    args = (request, award, juror, assignment, own, form, criteria, navigation)
    if not form.is_valid():
        return _render_review(*args, status=400)
    action = request.POST.get("action")
    submit = action == "submit"
    try:
        services.review_save(
            assignment=assignment, actor=request.user, submit=submit, **form.review_values()
        )
    except services.StaleReview as error:
        return _render_review(*args, alert=error_message(error), status=409)
    except services.CalibrationPending:
        messages.info(request, _calibration_first())
        return redirect("jury:dashboard", slug=award.slug)
    except (services.DeadlinePassed, services.ReviewLocked) as error:
        return _render_review(*args, alert=error_message(error), status=400)
    except services.ReviewError as error:
        if hasattr(error, "error_dict"):
            add_service_errors(form, error)
            alert = _("Not saved: please correct the marked fields.")
        else:
            alert = error_message(error)
        return _render_review(*args, alert=alert, status=400)
    entry = assignment.submission.reference or assignment.submission.title
    if submit:
        messages.success(
            request, _("Your review of %(entry)s has been submitted. Thank you!") % {"entry": entry}
        )
    else:
        messages.success(request, _("Your draft of %(entry)s has been saved.") % {"entry": entry})
    if submit or action == "next":
        # On to the next open review of the round; the dashboard once there is none.
        following = selectors.review_navigation(juror, assignment).next
        if following is not None:
            return redirect("jury:review", slug=award.slug, pk=following)
        if not submit:
            messages.info(request, _("That was your last open review in this round."))
        return redirect("jury:dashboard", slug=award.slug)
    return redirect("jury:review", slug=award.slug, pk=assignment.pk)


@require_POST
@session_checked
def review_autosave(request: HttpRequest, slug: str, pk: int) -> JsonResponse:
    """Save the review as a draft, as typed (``static/js/autosave.js`` calls it after a pause
    in typing; it never submits), answering in the autosave shape of ``core.http``: saved
    (``saved_at`` in the award's time zone); ``invalid`` with the refused fields;
    ``conflict`` (409) when it was saved in another window since (``version`` is the stored
    one), nothing overwritten; ``closed`` after the deadline or once the review is locked;
    ``session`` (403, from ``session_checked``) when the session has ended."""
    award, juror = access.juror_get_for(request.user, slug)
    if not juror.is_ready:
        raise Http404
    assignment = access.assignment_get_for(juror, pk)
    form = _review_form(award, _criteria(award), data=request.POST)
    if not form.is_valid():
        return autosave_invalid(form_errors(form))
    try:
        saved = services.review_save(
            assignment=assignment, actor=request.user, submit=False, **form.review_values()
        )
    except services.StaleReview as error:
        return autosave_refused(
            code="conflict",
            message=error_message(error),
            status=409,
            final=True,
            version=error.current,
        )
    except (services.DeadlinePassed, services.ReviewLocked, services.CalibrationPending) as error:
        return autosave_refused(code="closed", message=error_message(error), final=True)
    except services.ReviewError as error:
        return autosave_invalid(service_errors(error))
    return autosave_saved(version=saved.version, **saved_stamp(award, saved.updated_at))


# --- Calibration ------------------------------------------------------------------------


@require_safe
@login_required
def calibration(request: HttpRequest, slug: str, number: int, category: int) -> HttpResponse:
    """How the juror's scores on the calibration entries of a category compare with the
    other jurors' on the same entries: milder, harsher or in line, per criterion and for the
    review total. Only the juror's own comparison, never another juror's scores or name
    (``selectors.calibration_overview`` counts an entry once enough others reviewed it).
    A 404 for anyone without calibration entries in that category of that round."""
    award, juror, onboarding = ready_juror(request, slug)
    if onboarding:
        return onboarding
    round_ = access.round_get_for(award, number)
    if round_.status == RoundStatus.PLANNED:
        raise Http404
    link = juror.category_links.select_related("category").filter(category_id=category).first()
    if link is None:
        raise Http404
    line = selectors.calibration_for_juror(juror, round_, link.category)
    if line is None:
        raise Http404
    return render(
        request,
        "jury/calibration.html",
        {
            "award": award,
            "juror": juror,
            "round": round_,
            "category": link.category,
            "line": line,
            "min_others": selectors.MIN_OTHERS,
        },
    )


# --- Files ------------------------------------------------------------------------------


def _juror_attachment(request: HttpRequest, slug: str, pk: int):
    _award, juror = access.juror_get_for(request.user, slug)
    return access.attachment_get_for_juror(juror, pk)  # 404 until the juror is ready, too


@require_safe
@login_required
def attachment(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A file of an entry the juror may open, as a download under its original name."""
    return attachment_download(_juror_attachment(request, slug, pk))


@require_safe
@login_required
def thumbnail(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """An image's JPEG preview, shown inline (documents have none: 404)."""
    return thumbnail_inline(_juror_attachment(request, slug, pk))


@require_safe
@login_required
def document_page(
    request: HttpRequest, slug: str, pk: int, page: int, size: str = previews.READ
) -> FileResponse:
    """One page of a PDF document as an image, for reading it inline (``size`` "read"), or
    larger for zooming in (``jury:document_page_large``, "zoom"); 404 for a page that was
    not rendered (yet), as for a file the juror may not open."""
    item = _juror_attachment(request, slug, pk)
    image = previews.open_page(item, page, size)
    if image is None:
        raise Http404
    return protected_file(FileResponse(image, as_attachment=False, content_type="image/jpeg"))


# --- Final rounds: ranked ballots and the discussion -----------------------------------


def _ranking_round(award: Award, number: int) -> Round:
    round_ = access.round_get_for(award, number)
    if round_.method != RoundMethod.RANKING or round_.status == RoundStatus.PLANNED:
        raise Http404
    return round_


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def ballot(request: HttpRequest, slug: str, number: int, category: int) -> HttpResponse:
    """The juror ranks the finalists of one of their categories (1 = best, ties allowed)."""
    award, juror, onboarding = ready_juror(request, slug)
    if onboarding:
        return onboarding
    round_ = _ranking_round(award, number)
    link = juror.category_links.select_related("category").filter(category_id=category).first()
    if link is None:
        raise Http404
    finalists = list(selectors.finalists_for_juror(juror, round_).filter(category_id=category))
    if not finalists:
        raise Http404
    current = Ballot.objects.filter(round=round_, juror=juror, category_id=category).first()
    alert, status = "", 200
    if request.method == "POST":
        form = BallotForm(request.POST, finalists=finalists)
        status = 400
        if form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                services.ballot_save(
                    round=round_,
                    juror=juror,
                    category_id=category,
                    ranking=form.ranking(),
                    version=form.cleaned_data["version"],
                    submit=submit,
                    finalists=[f.pk for f in finalists],
                )
            except services.StaleReview as error:
                alert, status = error_message(error), 409
            except services.ReviewError as error:
                alert = error_message(error)
            else:
                messages.success(
                    request,
                    _("Your ranking has been submitted. Thank you!")
                    if submit
                    else _("Your ranking has been saved as a draft."),
                )
                if submit:
                    return redirect("jury:dashboard", slug=award.slug)
                return redirect(
                    "jury:ballot", slug=award.slug, number=round_.number, category=category
                )
        elif not alert:
            alert = _("Not saved: please correct the marked fields.")
    else:
        initial = {"version": current.version if current else 0}
        for submission_id, rank in (current.ranking if current else {}).items():
            initial[f"rank_{submission_id}"] = rank
        form = BallotForm(initial=initial, finalists=finalists)
    readonly = current is not None and current.status == ReviewStatus.SUBMITTED
    return render(
        request,
        "jury/ballot.html",
        {
            "award": award,
            "juror": juror,
            "round": round_,
            "category": link.category,
            "form": form,
            "ballot": current,
            "readonly": readonly and not form.is_bound,
            "ranks": {str(k): v for k, v in (current.ranking if current else {}).items()},
            "alert": alert,
            "window_problem": None if readonly else _round_window(juror, round_),
            "deadline": juror.deadline_in(round_),
            "blind": award.blind_review,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def finalist(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    """A finalist of a later round and the jury's discussion of it."""
    award, juror, onboarding = ready_juror(request, slug)
    if onboarding:
        return onboarding
    round_ = access.round_get_for(award, number)
    entry = access.finalist_get_for(juror, round_, pk)
    status = 200
    if request.method == "POST":
        form = DiscussionPostForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.post_create(
                    round=round_,
                    submission=entry,
                    author=request.user,
                    body=form.cleaned_data["body"],
                )
            except services.ReviewError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your contribution has been added to the discussion."))
                return redirect("jury:finalist", slug=award.slug, number=round_.number, pk=entry.pk)
    else:
        form = DiscussionPostForm()
    entry = (
        Submission.objects.select_related("category", "organisation", "award")
        .prefetch_related("attachments")
        .get(pk=entry.pk)
    )
    posts = (
        DiscussionPost.objects.filter(round=round_, submission=entry)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    return render(
        request,
        "jury/finalist.html",
        {
            "award": award,
            "juror": juror,
            "round": round_,
            "form": form,
            "posts": posts,
            "blind": award.blind_review,
            "window_problem": _round_window(juror, round_),
            **_entry_context(entry),
        },
        status=status,
    )


# --- The ranking, where the award shows it to the jury ----------------------------------


urlpatterns: list = [
    path("invitations/<str:token>/", invitation, name="invitation"),
    path("<slug:slug>/", dashboard, name="dashboard"),
    path("<slug:slug>/confidentiality/", confidentiality, name="confidentiality"),
    path("<slug:slug>/profile/", profile, name="profile"),
    path("<slug:slug>/conflicts/", conflicts, name="conflicts"),
    path("<slug:slug>/reviews/<int:pk>/", review, name="review"),
    path("<slug:slug>/reviews/<int:pk>/autosave/", review_autosave, name="review_autosave"),
    path(
        "<slug:slug>/rounds/<int:number>/calibration/<int:category>/",
        calibration,
        name="calibration",
    ),
    path("<slug:slug>/files/<int:pk>/", attachment, name="attachment"),
    path("<slug:slug>/files/<int:pk>/thumb/", thumbnail, name="thumbnail"),
    path("<slug:slug>/files/<int:pk>/pages/<int:page>/", document_page, name="document_page"),
    path(
        "<slug:slug>/files/<int:pk>/pages/<int:page>/large/",
        document_page,
        {"size": previews.ZOOM},
        name="document_page_large",
    ),
    path("<slug:slug>/rounds/<int:number>/ballot/<int:category>/", ballot, name="ballot"),
    path("<slug:slug>/rounds/<int:number>/entries/<int:pk>/", finalist, name="finalist"),
]
