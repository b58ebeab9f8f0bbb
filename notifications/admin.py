from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import BulkSend, MailTemplate, Message
from .services import messages_retry_failed_by_id


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Every mail, those of an award and those of none (account mails, error mails: the
    award filter's "-" choice), with their status and last error."""

    list_display = [
        "created_at",
        "award",
        "template_key",
        "recipient_email",
        "subject",
        "status",
        "attempts",
    ]
    list_filter = ["status", "template_key", "award"]
    list_select_related = ["award"]
    search_fields = ["recipient_email", "subject", "idempotency_key", "provider_message_id"]
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["retry_failed"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Send the selected failed messages again"), permissions=["change"])
    def retry_failed(self, request, queryset) -> None:
        count = messages_retry_failed_by_id(message_ids=list(queryset.values_list("pk", flat=True)))
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)s failed message will be sent again.",
                    "%(count)s failed messages will be sent again.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        else:
            self.message_user(request, _("There are no failed messages."), messages.INFO)


@admin.register(MailTemplate)
class MailTemplateAdmin(admin.ModelAdmin):
    list_display = ["award", "key", "language", "updated_at"]
    list_filter = ["award", "key", "language"]


@admin.register(BulkSend)
class BulkSendAdmin(admin.ModelAdmin):
    list_display = ["created_at", "award", "audience", "total", "expanded", "status"]
    readonly_fields = [f.name for f in BulkSend._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
