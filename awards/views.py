import copy
import re

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from core import pagecache
from core.forms import add_service_errors

from . import cockpit, forms, selectors, services
from .access import award_get_for
from .activity import ACTION_LABELS, activity_rows
from .enums import AWARD_TRANSITIONS, AwardStatus
from .models import Award
from .views_base import OrganiserView

LANDING_TTL_S = 300


def _landing_content(request: HttpRequest) -> tuple[dict, int]:
    """The landing page's title and content, and how long they stay true: until the
    results of the award shown become public, if that comes first."""
    award = selectors.award_current()
    if award is not None:
        award = selectors.award_with_structure(
            selectors.awards_public().filter(pk=award.pk)
        ).first()
    others = selectors.awards_public().exclude(pk=getattr(award, "pk", None))
    results_public = award is not None and award.results_are_public()
    html = render_to_string(
        "awards/_home_content.html",
        {"award": award, "other_awards": others, "results_public": results_public},
        request=request,
    )
    part = {"title": str(award) if award is not None else "", "content": html}
    timeout = LANDING_TTL_S
    publish_at = getattr(award, "results_publish_at", None)
    if publish_at is not None and not results_public:
        timeout = min(timeout, max(0, int((publish_at - timezone.now()).total_seconds())))
    return part, timeout


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: the current award, and earlier editions below it. Its content is
    the same for every anonymous visitor and kept in the cache for them (renewed by every
    change of an award, its categories or criteria: ``AwardsConfig.ready``)."""
    if request.user.is_authenticated:
        part = _landing_content(request)[0]
    else:
        language = get_language() or settings.LANGUAGE_CODE
        part = pagecache.cached_part(
            "landing", f"home:{language}", lambda: _landing_content(request)
        )
    return render(
        request,
        "awards/home.html",
        # Our own template's output, rendered above or by an earlier request.
        {"title": part["title"], "content": mark_safe(part["content"])},  # noqa: S308
    )


def award_detail(request: HttpRequest, slug: str) -> HttpResponse:
    award = award_get_for(
        request.user,
        slug,
        "awards.view_award",
        queryset=selectors.award_with_structure(selectors.awards_public()),
    )
    return render(
        request,
        "awards/award_detail.html",
        {"award": award, "results_public": award.results_are_public()},
    )


# The words for every action of the change log (kept under this name for its importers).
AUDIT_ACTION_LABELS = ACTION_LABELS

# How many of the latest changes the overview shows (the audit log has them all).
OVERVIEW_LOG_SIZE = 20


class ManageAwardView(OrganiserView):
    """The organiser's overview of one edition: figures at a glance and the next steps from
    every app's panel (``awards.cockpit``), the latest changes in words with links
    (``awards.activity``), the status with its changes, and, folded away, the categories,
    criteria and rounds with their changes.

    A fixed number of queries whatever the number of entries, jurors or mails: the panels
    aggregate, the log names its objects with one query per kind."""

    permission_required = "awards.manage_award"

    def award_queryset(self) -> QuerySet[Award]:
        return selectors.award_with_structure(Award.objects.all())

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        award = self.award
        transitions = [AwardStatus(s) for s in sorted(AWARD_TRANSITIONS[award.status])]
        locked = {
            part: services.structure_locked_reason(award=award, part=part)
            for part in ("category", "criterion", "round")
        }
        overview = cockpit.overview_for(award)
        return self.render(
            "awards/manage.html",
            {
                "transitions": transitions,
                "locked": locked,
                "panels": overview.panels,
                "steps": overview.steps,
                "audit_rows": activity_rows(
                    award, selectors.audit_entries_for(award, OVERVIEW_LOG_SIZE)
                ),
            },
        )


class AwardTransitionView(OrganiserView):
    permission_required = "awards.change_award_status"

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        try:
            award = services.award_transition(
                award=self.award, to_status=request.POST.get("status", ""), actor=request.user
            )
        except services.AwardTransitionError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The award is now “%(status)s”.") % {"status": award.get_status_display()},
            )
        return redirect("awards:manage", slug=self.award.slug)


# --- Configuration: settings, categories, criteria, rounds ------------------------------


class _AwardManageView(OrganiserView):
    """An organiser's page of one award's configuration (404 for anyone who may not manage
    it)."""

    permission_required = "awards.manage_award"

    def manage_url(self, anchor: str = "") -> str:
        url = reverse("awards:manage", kwargs={"slug": self.award.slug})
        return f"{url}#{anchor}" if anchor else url


class AwardSettingsView(_AwardManageView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self.render_form(forms.AwardSettingsForm(instance=copy.copy(self.award)))

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        # The form validates on a copy, so a rejected input does not show up in the page
        # header; the service re-reads the award anyway.
        form = forms.AwardSettingsForm(request.POST, instance=copy.copy(self.award))
        if form.is_valid():
            try:
                services.award_update(award=self.award, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The settings have been saved."))
                return redirect(self.manage_url())
        return self.render_form(form)

    def render_form(self, form: forms.AwardSettingsForm) -> HttpResponse:
        return self.render("awards/award_settings_form.html", {"form": form})


class _PartView(_AwardManageView):
    """Shared by the pages that add, change and delete a category, criterion or round.

    Subclasses name the part, its form, the related name on Award and the services; the
    object in the address is looked up among the award's own, so another award's is a 404.
    """

    part: str
    related_name: str
    form_class: type[django_forms.ModelForm]
    anchor: str
    title_create: str
    title_update: str
    title_delete: str
    message_saved: str
    message_deleted: str

    def get_object(self, pk: int):
        return get_object_or_404(getattr(self.award, self.related_name).all(), pk=pk)

    def locked_reason(self) -> str | None:
        return services.structure_locked_reason(award=self.award, part=self.part)

    def render_form(self, form: django_forms.ModelForm, title: str, **extra) -> HttpResponse:
        return self.render(
            "awards/structure_form.html",
            {
                "form": form,
                "title": title,
                "locked_reason": self.locked_reason(),
                "cancel_url": self.manage_url(self.anchor),
                **extra,
            },
        )


class _PartCreateView(_PartView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self.render_form(self.new_form(), self.title_create)

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        form = self.new_form(request.POST)
        if form.is_valid():
            try:
                obj = self.create(award=self.award, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, self.message_saved % {"name": obj})
                return redirect(self.manage_url(self.anchor))
        return self.render_form(form, self.title_create)

    def new_form(self, data=None) -> django_forms.ModelForm:
        model = self.form_class._meta.model
        return self.form_class(data, instance=model(award=self.award))

    def create(self, **kwargs):
        raise NotImplementedError


class _PartUpdateView(_PartView):
    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        return self.render_form(self.form_class(instance=obj), self.title_update % {"name": obj})

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        title = self.title_update % {"name": obj}
        form = self.form_class(request.POST, instance=copy.copy(obj))
        if form.is_valid():
            try:
                obj = self.update(obj, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, self.message_saved % {"name": obj})
                return redirect(self.manage_url(self.anchor))
        return self.render_form(form, title)

    def update(self, obj, **kwargs):
        raise NotImplementedError


class _PartDeleteView(_PartView):
    """GET asks for confirmation; POST deletes."""

    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        return self.render_confirm(self.get_object(pk), errors=[])

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        try:
            self.delete_object(obj, actor=request.user)
        except ValidationError as error:
            return self.render_confirm(obj, errors=error.messages)
        messages.success(request, self.message_deleted % {"name": obj})
        return redirect(self.manage_url(self.anchor))

    def render_confirm(self, obj, *, errors: list[str]) -> HttpResponse:
        return self.render(
            "awards/structure_confirm_delete.html",
            {
                "object": obj,
                "title": self.title_delete % {"name": obj},
                "errors": errors,
                "locked_reason": self.locked_reason(),
                "cancel_url": self.manage_url(self.anchor),
            },
        )

    def delete_object(self, obj, **kwargs) -> None:
        raise NotImplementedError


class _CategoryMixin:
    part = "category"
    related_name = "categories"
    form_class = forms.CategoryForm
    anchor = "categories-title"
    title_create = gettext_lazy("New category")
    title_update = gettext_lazy("Edit the category “%(name)s”")
    title_delete = gettext_lazy("Delete the category “%(name)s”?")
    message_saved = gettext_lazy("The category “%(name)s” has been saved.")
    message_deleted = gettext_lazy("The category “%(name)s” has been deleted.")


class CategoryCreateView(_CategoryMixin, _PartCreateView):
    def create(self, **kwargs):
        return services.category_create(**kwargs)


class CategoryUpdateView(_CategoryMixin, _PartUpdateView):
    def update(self, obj, **kwargs):
        return services.category_update(category=obj, **kwargs)


class CategoryDeleteView(_CategoryMixin, _PartDeleteView):
    def delete_object(self, obj, **kwargs) -> None:
        services.category_delete(category=obj, **kwargs)


class _CriterionMixin:
    part = "criterion"
    related_name = "criteria"
    form_class = forms.CriterionForm
    anchor = "criteria-title"
    title_create = gettext_lazy("New criterion")
    title_update = gettext_lazy("Edit the criterion “%(name)s”")
    title_delete = gettext_lazy("Delete the criterion “%(name)s”?")
    message_saved = gettext_lazy("The criterion “%(name)s” has been saved.")
    message_deleted = gettext_lazy("The criterion “%(name)s” has been deleted.")


LEVEL_ERROR_KEY = re.compile(r"^levels-(\d+)-(\w+)$")


def add_criterion_errors(
    form: django_forms.BaseForm,
    formset: forms.BaseRubricLevelFormSet,
    rows: list[int],
    error: ValidationError,
) -> None:
    """A criterion service's refusal on its page: the errors of the ``i``-th level passed in
    (``levels-<i>-<field>``) at that field of the row ``rows[i]`` it came from, the others
    on the criterion's form."""
    if not hasattr(error, "error_dict"):
        add_service_errors(form, error)
        return
    rest = {}
    for name, errors in error.error_dict.items():
        match = LEVEL_ERROR_KEY.match(name)
        if match and int(match[1]) < len(rows):
            row = formset.forms[rows[int(match[1])]]
            row.add_error(match[2] if match[2] in row.fields else None, errors)
        else:
            rest[name] = errors
    if rest:
        add_service_errors(form, ValidationError(rest))


class _CriterionPageMixin:
    """The criterion's pages carry its score levels as rows below its fields; both are sent
    together and saved by one service call."""

    def submit(self, form, formset, save):
        """The saved criterion, or None with the errors on ``form`` and ``formset``."""
        valid = form.is_valid()
        valid = formset.is_valid() and valid
        if not valid:
            return None
        levels, rows = formset.levels()
        try:
            return save(actor=self.request.user, levels=levels, **form.cleaned_data)
        except ValidationError as error:
            add_criterion_errors(form, formset, rows, error)
            return None

    def saved(self, obj) -> HttpResponse:
        messages.success(self.request, self.message_saved % {"name": obj})
        return redirect(self.manage_url(self.anchor))


class CriterionCreateView(_CriterionPageMixin, _CriterionMixin, _PartCreateView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        formset = forms.rubric_level_formset()
        return self.render_form(self.new_form(), self.title_create, formset=formset)

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        form = self.new_form(request.POST)
        formset = forms.rubric_level_formset(request.POST)
        obj = self.submit(
            form, formset, lambda **kwargs: services.criterion_create(award=self.award, **kwargs)
        )
        if obj is not None:
            return self.saved(obj)
        return self.render_form(form, self.title_create, formset=formset)


class CriterionUpdateView(_CriterionPageMixin, _CriterionMixin, _PartUpdateView):
    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        return self.render_form(
            self.form_class(instance=obj),
            self.title_update % {"name": obj},
            formset=forms.rubric_level_formset(criterion=obj),
        )

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        form = self.form_class(request.POST, instance=copy.copy(obj))
        formset = forms.rubric_level_formset(request.POST, criterion=obj)
        saved = self.submit(
            form,
            formset,
            lambda **kwargs: services.criterion_update(criterion=obj, **kwargs),
        )
        if saved is not None:
            return self.saved(saved)
        return self.render_form(form, self.title_update % {"name": obj}, formset=formset)


class CriterionDeleteView(_CriterionMixin, _PartDeleteView):
    def delete_object(self, obj, **kwargs) -> None:
        services.criterion_delete(criterion=obj, **kwargs)


class _RoundMixin:
    part = "round"
    related_name = "rounds"
    form_class = forms.RoundForm
    anchor = "rounds-title"
    title_create = gettext_lazy("New round")
    title_update = gettext_lazy("Edit the round “%(name)s”")
    title_delete = gettext_lazy("Delete the round “%(name)s”?")
    message_saved = gettext_lazy("The round “%(name)s” has been saved.")
    message_deleted = gettext_lazy("The round “%(name)s” has been deleted.")


class RoundCreateView(_RoundMixin, _PartCreateView):
    def create(self, **kwargs):
        return services.round_create(**kwargs)


class RoundUpdateView(_RoundMixin, _PartUpdateView):
    def update(self, obj, **kwargs):
        return services.round_update(round=obj, **kwargs)


class RoundDeleteView(_RoundMixin, _PartDeleteView):
    def delete_object(self, obj, **kwargs) -> None:
        services.round_delete(round=obj, **kwargs)
