from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from core.events import domain_event

        domain_event.connect(_record_deliveries, dispatch_uid="webhooks.deliveries_record")
        from awards import activity

        activity.target_register("webhooks.webhookendpoint", _endpoint_targets)


def _record_deliveries(sender, *, award_id: int, name: str, payload: dict, **kwargs) -> None:
    """An event of an award: its deliveries, in the transaction of the change."""
    from .services import deliveries_record

    deliveries_record(award_id=award_id, name=name, payload=payload)


def _endpoint_targets(award, entries) -> dict:
    """An endpoint in the change log by its address, linked to its delivery log; a deleted
    one by the address its entry recorded (one query)."""
    from django.urls import reverse

    from awards import activity

    from .models import WebhookEndpoint

    ids = {int(entry.object_id) for entry in entries if entry.object_id.isdigit()}
    targets = {
        str(endpoint.pk): activity.Target(
            endpoint.url,
            reverse("webhooks:log", kwargs={"slug": award.slug, "pk": endpoint.pk}),
        )
        for endpoint in WebhookEndpoint.objects.filter(award=award, pk__in=ids).only("pk", "url")
    }
    for entry in entries:
        url = (entry.data or {}).get("url")
        if entry.object_id not in targets and isinstance(url, str):
            targets[entry.object_id] = activity.Target(url)
    return targets
