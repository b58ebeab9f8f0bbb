"""The organisers' message pages: outbox, mail templates, announcements.

Every page reaches the award through ``award_get_for`` with ``notifications.manage_messages``
and every message or announcement through that award, so anyone else gets a 404.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from awards.views_base import OrganiserView
from core.forms import ConfirmForm, add_service_errors

from . import selectors
from .bulk import (
    AnnouncementPreview,
    bulk_resume,
    bulk_send_create,
    bulk_send_preview,
    bulk_send_test,
)
from .catalogue import COMMON, EDITABLE_KEYS, MAIL_TYPES
from .enums import Audience, MessageStatus
from .forms import AnnouncementForm, MailTemplateForm, MessageFilterForm
from .models import BulkSend, Message
from .rendering import render_html, render_subject, render_text
from .services import messages_retry_failed, wording_for
from .templates_service import mail_template_overrides, mail_template_reset, mail_template_save

PAGE_SIZE = 50


def _number(value: int) -> str:
    """``1.500`` in German, ``1,500`` in English, like the numbers on the page."""
    return formats.number_format(value, force_grouping=True)


def _percent(part: int, total: int) -> float:
    return round(100 * part / total, 2) if total else 0.0


def _progress_context(progress: dict) -> dict:
    total = progress["sent"] + progress["failed"] + progress["queued"]
    return {
        **progress,
        "sent_pct": _percent(progress["sent"], total),
        "failed_pct": _percent(progress["failed"], total),
        "queued_pct": _percent(progress["queued"], total),
    }


class _MessagesView(OrganiserView):
    """An organiser page of the award's messages (404 for anyone without the permission)."""

    permission_required = "notifications.manage_messages"


# --- Outbox -----------------------------------------------------------------------------


class OutboxView(_MessagesView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        form = MessageFilterForm(request.GET)
        paginator = Paginator(selectors.messages_for_award(self.award, **form.filters()), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        for message in page.object_list:
            mail = MAIL_TYPES.get(message.template_key)
            message.template_label = mail.label if mail else message.template_key
        counts = selectors.message_status_counts(self.award)
        return self.render(
            "notifications/outbox.html",
            {
                "form": form,
                "page": page,
                "counts": [(MessageStatus(status), n) for status, n in counts.items()],
                "failed_count": counts[MessageStatus.FAILED],
            },
        )


class MessageDetailView(_MessagesView):
    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        message = get_object_or_404(
            Message.objects.filter(award=self.award).select_related("bulk__award"), pk=pk
        )
        mail = MAIL_TYPES.get(message.template_key)
        return self.render(
            "notifications/message_detail.html",
            {"message": message, "template_label": mail.label if mail else message.template_key},
        )


class MessagesRetryView(_MessagesView):
    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        count = messages_retry_failed(award=self.award)
        _retry_feedback(request, count)
        return redirect("notifications:outbox", slug=self.award.slug)


def _retry_feedback(request: HttpRequest, count: int) -> None:
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s failed message will be sent again.",
                "%(count)s failed messages will be sent again.",
                count,
            )
            % {"count": _number(count)},
        )
    else:
        messages.info(request, _("There are no failed messages."))


# --- Mail templates ---------------------------------------------------------------------


class MailTemplateListView(_MessagesView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        overrides = mail_template_overrides(self.award)
        rows = [
            {
                "key": key,
                "label": MAIL_TYPES[key].label,
                "languages": [
                    {"code": code, "name": name, "override": (key, code) in overrides}
                    for code, name in settings.LANGUAGES
                ],
            }
            for key in EDITABLE_KEYS
        ]
        return self.render(
            "notifications/template_list.html", {"rows": rows, "languages": settings.LANGUAGES}
        )


class _MailTemplateView(_MessagesView):
    """One mail in one language; a key organisers cannot edit or an unknown language is 404."""

    def load(self, *, key: str, language: str, **kwargs) -> None:
        if key not in EDITABLE_KEYS or language not in dict(settings.LANGUAGES):
            raise Http404
        self.key = key
        self.language = language

    @property
    def language_name(self) -> str:
        return str(dict(settings.LANGUAGES)[self.language])


class MailTemplateEditView(_MailTemplateView):
    """GET shows the current wording; POST previews (action=preview) or saves it."""

    def get(self, request: HttpRequest, slug: str, key: str, language: str) -> HttpResponse:
        wording = wording_for(award=self.award, key=key, language=language)
        form = MailTemplateForm(
            initial={"subject": wording.subject, "body": wording.body},
            allowed=MAIL_TYPES[key].allowed,
        )
        return self.render_form(form)

    def post(self, request: HttpRequest, slug: str, key: str, language: str) -> HttpResponse:
        mail = MAIL_TYPES[key]
        form = MailTemplateForm(request.POST, allowed=mail.allowed)
        if not form.is_valid():
            return self.render_form(form)
        if request.POST.get("action") == "preview":
            values = mail.sample_values()
            subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
            preview = {
                "subject": render_subject(subject, values),
                "text": render_text(body, values),
                "html": render_html(body, values, mail.links),
            }
            return self.render_form(form, preview=preview)
        try:
            mail_template_save(
                award=self.award,
                key=key,
                language=language,
                actor=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_form(form)
        messages.success(
            request,
            _("The wording of “%(mail)s” (%(language)s) has been saved.")
            % {"mail": mail.label, "language": self.language_name},
        )
        return redirect("notifications:templates", slug=self.award.slug)

    def render_form(self, form: MailTemplateForm, preview: dict | None = None) -> HttpResponse:
        mail = MAIL_TYPES[self.key]
        return self.render(
            "notifications/template_form.html",
            {
                "form": form,
                "key": self.key,
                "language": self.language,
                "language_name": self.language_name,
                "mail_label": mail.label,
                "placeholders": [*COMMON.items(), *mail.placeholders.items()],
                "is_override": (self.key, self.language) in mail_template_overrides(self.award),
                "preview": preview,
            },
        )


class MailTemplateResetView(_MailTemplateView):
    def post(self, request: HttpRequest, slug: str, key: str, language: str) -> HttpResponse:
        if mail_template_reset(award=self.award, key=key, language=language, actor=request.user):
            messages.success(
                request,
                _("“%(mail)s” (%(language)s) uses the default wording again.")
                % {"mail": MAIL_TYPES[key].label, "language": self.language_name},
            )
        return redirect("notifications:templates", slug=self.award.slug)


# --- Announcements ----------------------------------------------------------------------


class AnnouncementListView(_MessagesView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        rows = []
        for bulk in selectors.bulk_sends_for(self.award):
            not_created = max(bulk.total - bulk.expanded, 0)
            rows.append(
                {
                    "bulk": bulk,
                    "queued": not_created + bulk.n_pending + bulk.n_sending,
                    "sent": bulk.n_sent,
                    "failed": bulk.n_failed,
                    "stalled": bulk.is_stalled(),
                }
            )
        return self.render("notifications/announcement_list.html", {"rows": rows})


class AnnouncementCreateView(_MessagesView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        form = AnnouncementForm(initial={"request_token": uuid.uuid4()}, award=self.award)
        return self.render_form(form)

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        """The form (``action=edit``: back to it, nothing lost), else the check before
        sending: recipients per language and the mail in German and English
        (``bulk_send_preview``); ``action=test`` mails both to the organiser alone; only
        ``confirm`` sends, once per form (its ``request_token``)."""
        form = AnnouncementForm(request.POST, award=self.award)
        if form.is_valid() and request.POST.get("action") != "edit":
            try:
                preview = bulk_send_preview(award=self.award, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
                return self.render_form(form)
            if request.POST.get("action") == "test":
                bulk_send_test(award=self.award, actor=request.user, **form.cleaned_data)
                messages.success(
                    request,
                    _(
                        "A test in German and in English has been sent to you (%(email)s) "
                        "through the outbox; nobody else received it."
                    )
                    % {"email": request.user.email},
                )
                return self.render_confirm(form, preview)
            if not ConfirmForm.confirmed(request.POST):
                return self.render_confirm(form, preview)
            try:
                bulk, created = bulk_send_create(
                    award=self.award, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if bulk.award_id != self.award.pk:
                    # A token taken from another award's form: never reveal that announcement.
                    raise Http404
                if created:
                    messages.success(
                        request,
                        ngettext(
                            "The announcement is being sent to %(count)s recipient.",
                            "The announcement is being sent to %(count)s recipients.",
                            bulk.total,
                        )
                        % {"count": _number(bulk.total)},
                    )
                return redirect("notifications:announcement", slug=self.award.slug, pk=bulk.pk)
        return self.render_form(form)

    def render_form(self, form: AnnouncementForm) -> HttpResponse:
        return self.render(
            "notifications/announcement_form.html",
            {"form": form, "placeholders": list(COMMON.items())},
        )

    def render_confirm(self, form: AnnouncementForm, preview: AnnouncementPreview) -> HttpResponse:
        names = dict(settings.LANGUAGES)
        return self.render(
            "notifications/announcement_confirm.html",
            {
                "form": form,
                "preview": preview,
                "total": _number(preview.total),
                "languages": [
                    {"code": code, "name": names[code], "count": _number(count)}
                    for code, count in preview.by_language.items()
                ],
                "audience": form.cleaned_data["audience"],
                "audience_label": Audience(form.cleaned_data["audience"]).label,
                "category": form.cleaned_data.get("category"),
            },
        )


class _AnnouncementView(_MessagesView):
    def get_bulk(self, pk: int) -> BulkSend:
        return get_object_or_404(
            BulkSend.objects.filter(award=self.award).select_related(
                "award", "created_by", "category"
            ),
            pk=pk,
        )


class AnnouncementDetailView(_AnnouncementView):
    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        bulk = self.get_bulk(pk)
        return self.render(
            "notifications/announcement_detail.html",
            {"bulk": bulk, "progress": _progress_context(selectors.bulk_progress(bulk))},
        )


class AnnouncementProgressView(_AnnouncementView):
    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        response = JsonResponse(selectors.bulk_progress(self.get_bulk(pk)))
        response["Cache-Control"] = "no-store"
        return response


class AnnouncementResumeView(_AnnouncementView):
    """Resume an announcement whose preparation stalled, at once (the sweeper would within
    a few minutes)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        bulk = self.get_bulk(pk)
        if bulk_resume(bulk=bulk, actor=request.user):
            messages.success(request, _("The announcement is being prepared again."))
        else:
            messages.info(request, _("Every recipient of this announcement is prepared already."))
        return redirect("notifications:announcement", slug=self.award.slug, pk=bulk.pk)


class AnnouncementRetryView(_AnnouncementView):
    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        bulk = self.get_bulk(pk)
        _retry_feedback(request, messages_retry_failed(award=self.award, bulk=bulk))
        return redirect("notifications:announcement", slug=self.award.slug, pk=bulk.pk)
