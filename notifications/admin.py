from django.contrib import admin

from .models import BulkSend, MailTemplate, Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "award", "template_key", "recipient_email", "status", "attempts"]
    list_filter = ["status", "template_key", "award"]
    search_fields = ["recipient_email", "idempotency_key", "provider_message_id"]
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


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
