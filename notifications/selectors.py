from django.db.models import Count, Q, QuerySet

from awards.models import Award

from .enums import MessageStatus
from .models import BulkSend, Message

_COUNTS = {
    status: Count("messages", filter=Q(messages__status=status)) for status in MessageStatus.values
}


def messages_for_award(
    award: Award, *, status: str = "", template_key: str = "", recipient: str = ""
) -> QuerySet[Message]:
    messages = Message.objects.filter(award=award).defer("body_html", "body_text", "context")
    if status:
        messages = messages.filter(status=status)
    if template_key:
        messages = messages.filter(template_key=template_key)
    if recipient:
        messages = messages.filter(recipient_email__icontains=recipient.strip())
    return messages.order_by("-created_at", "-pk")


def message_status_counts(award: Award) -> dict[str, int]:
    counts = dict.fromkeys(MessageStatus.values, 0)
    rows = Message.objects.filter(award=award).values("status").annotate(n=Count("pk"))
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def bulk_sends_for(award: Award) -> QuerySet[BulkSend]:
    return (
        BulkSend.objects.filter(award=award)
        .select_related("award", "created_by", "category")
        .annotate(**{f"n_{status}": count for status, count in _COUNTS.items()})
        .order_by("-created_at", "-pk")
    )


def bulk_progress(bulk: BulkSend) -> dict[str, int | bool | str]:
    """Counts for the progress bar: queued (not yet created or pending), sent, failed."""
    counts = dict.fromkeys(MessageStatus.values, 0)
    rows = bulk.messages.values("status").annotate(n=Count("pk"))
    counts.update({row["status"]: row["n"] for row in rows})
    not_created = max(bulk.total - bulk.expanded, 0)
    queued = not_created + counts[MessageStatus.PENDING] + counts[MessageStatus.SENDING]
    return {
        "total": bulk.total,
        "queued": queued,
        "sent": counts[MessageStatus.SENT],
        "failed": counts[MessageStatus.FAILED],
        "done": queued == 0,
        "status": bulk.status,
        "stalled": bulk.is_stalled(),
    }
