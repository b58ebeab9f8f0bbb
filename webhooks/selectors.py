"""Reads of the organisers' webhook pages, each in a fixed number of queries."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from awards.models import Award

from .models import WebhookDelivery, WebhookEndpoint

RECENT = 5  # deliveries shown with each endpoint on the list
LOG_PAGE_SIZE = 25


def endpoints_with_recent(award: Award) -> list[WebhookEndpoint]:
    """The award's endpoints, each with ``recent``: its last ``RECENT`` deliveries
    (two queries, whatever the number of endpoints and deliveries)."""
    endpoints = list(WebhookEndpoint.objects.filter(award=award).order_by("pk"))
    recent = (
        WebhookDelivery.objects.filter(endpoint__award=award)
        .defer("payload", "log")
        .annotate(
            row=Window(
                RowNumber(),
                partition_by=[F("endpoint_id")],
                order_by=[F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(row__lte=RECENT)
        .order_by("endpoint_id", "row")
    )
    by_endpoint: dict[int, list[WebhookDelivery]] = {}
    if endpoints:
        for delivery in recent:
            by_endpoint.setdefault(delivery.endpoint_id, []).append(delivery)
    for endpoint in endpoints:
        endpoint.recent = by_endpoint.get(endpoint.pk, [])
    return endpoints


def endpoint_of_award(award: Award, pk: int) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(award=award, pk=pk).first()


def delivery_of_endpoint(endpoint: WebhookEndpoint, pk: int) -> WebhookDelivery | None:
    return WebhookDelivery.objects.filter(endpoint=endpoint, pk=pk).first()


def delivery_log(endpoint: WebhookEndpoint, page: str | int | None) -> Page:
    """One page of the endpoint's deliveries, newest first (two queries)."""
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).defer("payload")
    return Paginator(deliveries.order_by("-created_at", "-pk"), LOG_PAGE_SIZE).get_page(page)
