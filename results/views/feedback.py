"""The organisers' review and release of the jury's feedback to the applicants, under
``/manage/<slug>/results/feedback/``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from awards.models import Award
from core.forms import ConfirmForm, add_service_errors
from core.links import safe_next
from jury.models import Review
from submissions.models import Submission

from .. import services
from ..enums import FeedbackDisclosure, FeedbackStatus
from ..forms import FeedbackReviewForm, FeedbackSettingsForm
from ..selectors import feedback as selectors
from .manage import _ResultsView


class _FeedbackView(_ResultsView):
    permission_required = "jury.manage"

    def check_award(self) -> None:
        if not self.award.applicant_feedback:
            raise Http404

    def feedback_url(self, name: str = "feedback", **kwargs) -> str:
        return self.url(name, **kwargs)

    def fail(self, error: ValidationError) -> None:
        for message in error.messages:
            messages.error(self.request, message)


class FeedbackView(_FeedbackView):
    """The settings (what comes with the feedback, when it is released), the counts, and
    one page of entries with their jurors' texts to approve or withhold."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        release = selectors.release_of(self.award)
        return self.render_page(FeedbackSettingsForm(award=self.award, release=release))

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        release = selectors.release_of(self.award)
        form = FeedbackSettingsForm(request.POST, award=self.award, release=release)
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            services.feedback_settings_save(
                award=self.award,
                actor=request.user,
                disclosure=form.cleaned_data["disclosure"],
                with_results=form.cleaned_data["timing"] == "with_results",
                release_at=form.cleaned_data["release_at"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_page(form, status=400)
        messages.success(request, _("The feedback settings are saved."))
        return redirect(self.feedback_url())

    def render_page(self, form: FeedbackSettingsForm, status: int = 200) -> HttpResponse:
        request = self.request
        status_filter = request.GET.get("status", "")
        if status_filter not in FeedbackStatus.values:
            status_filter = ""
        try:
            category_id = int(request.GET.get("category") or 0) or None
        except ValueError:
            category_id = None
        page, entries = selectors.feedback_page(
            self.award,
            page=request.GET.get("page", 1),
            status=status_filter,
            category_id=category_id,
        )
        release = selectors.release_of(self.award)
        return render(
            request,
            "results/manage_feedback.html",
            {
                "award": self.award,
                "form": form,
                "release": release,
                "released": selectors.feedback_released(release),
                "public": self.award.results_are_public(),
                "counts": selectors.feedback_counts(self.award),
                "page": page,
                "entries": entries,
                "categories": self.categories,
                "status_filter": status_filter,
                "category_filter": category_id,
                "statuses": FeedbackStatus.choices,
                "here": request.get_full_path(),
            },
            status=status,
        )


class FeedbackReviewView(_FeedbackView):
    """Approve or withhold one juror's feedback (from the list, as written; from the
    entry's page, possibly edited)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        review = (
            Review.objects.filter(pk=pk, assignment__round__award=self.award, status="submitted")
            .exclude(applicant_feedback="")
            .first()
        )
        if review is None:
            raise Http404
        form = FeedbackReviewForm(request.POST)
        back = safe_next(request) or self.feedback_url()
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return redirect(back)
        approve = form.cleaned_data["action"] == "approve"
        text = form.cleaned_data["text"] if "text" in request.POST else None
        try:
            services.feedback_review(
                review=review,
                actor=request.user,
                status=FeedbackStatus.APPROVED if approve else FeedbackStatus.WITHHELD,
                text=text,
            )
        except ValidationError as error:
            self.fail(error)
            return redirect(back)
        messages.success(
            request,
            _("The feedback is approved.") if approve else _("The feedback is withheld."),
        )
        return redirect(back)


class FeedbackEntryView(_FeedbackView):
    """One entry's feedback texts, each in a box to edit before approving."""

    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        submission = (
            Submission.objects.filter(pk=pk, award=self.award)
            .select_related("category", "organisation")
            .first()
        )
        if submission is None:
            raise Http404
        entry = selectors.feedback_entry(self.award, submission)
        if not entry.rows:
            raise Http404
        return render(
            request,
            "results/manage_feedback_entry.html",
            {
                "award": self.award,
                "entry": entry,
                # Each text in its box: the approved one, else the juror's.
                "rows": [(row, row.text or row.juror_text) for row in entry.rows],
                "released": selectors.feedback_released(selectors.release_of(self.award)),
                "here": request.get_full_path(),
            },
        )


class FeedbackApprovePendingView(_FeedbackView):
    """Approve every text nobody has reviewed, as the jurors wrote them: after a look at
    how many, and a confirmation."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        counts = selectors.feedback_counts(self.award)
        return render(
            request,
            "results/manage_feedback_confirm.html",
            {"award": self.award, "counts": counts, "what": "approve"},
        )

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        if not ConfirmForm.confirmed(request.POST):
            return self.get(request, slug)
        count = services.feedback_approve_pending(award=self.award, actor=request.user)
        messages.success(
            request,
            ngettext(
                "%(count)s feedback text approved.", "%(count)s feedback texts approved.", count
            )
            % {"count": count},
        )
        return redirect(self.feedback_url())


class FeedbackReleaseView(_FeedbackView):
    """Release the feedback now: after a look at what goes out, and a confirmation."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return render(
            request,
            "results/manage_feedback_confirm.html",
            {
                "award": self.award,
                "counts": selectors.feedback_counts(self.award),
                "what": "release",
                "recipients": len(selectors.feedback_recipients(self.award)),
                "public": self.award.results_are_public(),
                "disclosure": FeedbackDisclosure(selectors.release_of(self.award).disclosure).label,
            },
        )

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        if not ConfirmForm.confirmed(request.POST):
            return self.get(request, slug)
        try:
            award = Award.objects.get(pk=self.award.pk)
            mails = services.feedback_release_now(award=award, actor=request.user)
        except ValidationError as error:
            self.fail(error)
            return redirect(self.feedback_url())
        messages.success(
            request,
            ngettext(
                "The feedback is released; %(count)s mail is on its way.",
                "The feedback is released; %(count)s mails are on their way.",
                mails,
            )
            % {"count": mails},
        )
        return redirect(self.feedback_url())


urlpatterns: list = [
    path("", FeedbackView.as_view(), name="feedback"),
    path("reviews/<int:pk>/", FeedbackReviewView.as_view(), name="feedback_review"),
    path("entries/<int:pk>/", FeedbackEntryView.as_view(), name="feedback_entry"),
    path("approve/", FeedbackApprovePendingView.as_view(), name="feedback_approve_pending"),
    path("release/", FeedbackReleaseView.as_view(), name="feedback_release"),
]
