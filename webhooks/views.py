"""The organisers' webhook pages of one award (``/manage/<slug>/webhooks/``): the endpoints
with their last deliveries, adding and changing one, deleting it, its signing secret (shown
and renewed), enabling it again, its delivery log and sending a delivery again. Organisers
only (``awards.manage_award``): anyone else gets a 404, and an endpoint or delivery is found
only through the award of the address."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from awards.views_base import OrganiserView
from core.forms import ConfirmForm, add_service_errors, error_message
from core.http import no_store

from . import selectors, services
from .events import EVENT_LABELS
from .forms import EndpointForm


class _WebhooksView(OrganiserView):
    permission_required = "awards.manage_award"

    def url(self, name: str = "list", **kwargs: Any) -> str:
        return reverse(f"webhooks:{name}", kwargs={"slug": self.award.slug, **kwargs})


class _EndpointView(_WebhooksView):
    """A page of one endpoint of the award (404 for another award's)."""

    def load(self, **kwargs: Any) -> None:
        endpoint = selectors.endpoint_of_award(self.award, kwargs["pk"])
        if endpoint is None:
            raise Http404
        self.endpoint = endpoint


class EndpointListView(_WebhooksView):
    http_method_names = ["get"]

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self.render(
            "webhooks/list.html",
            {
                "endpoints": selectors.endpoints_with_recent(self.award),
                "event_labels": EVENT_LABELS,
            },
        )


class EndpointCreateView(_WebhooksView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self.render_page(EndpointForm())

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        form = EndpointForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            endpoint = services.endpoint_create(
                award=self.award, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_page(form, status=400)
        messages.success(
            request,
            _("The webhook has been added. Its signing secret is shown below; keep it safe."),
        )
        return redirect(self.url("secret", pk=endpoint.pk))

    def render_page(self, form: EndpointForm, status: int = 200) -> HttpResponse:
        return self.render("webhooks/form.html", {"form": form, "endpoint": None}, status=status)


class EndpointEditView(_EndpointView):
    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        endpoint = self.endpoint
        form = EndpointForm(
            initial={
                "url": endpoint.url,
                "description": endpoint.description,
                "events": endpoint.events,
            }
        )
        return self.render_page(form)

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        form = EndpointForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            services.endpoint_update(
                endpoint=self.endpoint, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_page(form, status=400)
        messages.success(request, _("The webhook has been saved."))
        return redirect(self.url())

    def render_page(self, form: EndpointForm, status: int = 200) -> HttpResponse:
        return self.render(
            "webhooks/form.html", {"form": form, "endpoint": self.endpoint}, status=status
        )


class EndpointDeleteView(_EndpointView):
    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        return self.render_page()

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        if not ConfirmForm.confirmed(request.POST):
            return self.render_page(status=400)
        services.endpoint_delete(endpoint=self.endpoint, actor=request.user)
        messages.success(request, _("The webhook has been deleted."))
        return redirect(self.url())

    def render_page(self, status: int = 200) -> HttpResponse:
        return self.render(
            "webhooks/delete.html",
            {"endpoint": self.endpoint, "deliveries": self.endpoint.deliveries.count()},
            status=status,
        )


class EndpointSecretView(_EndpointView):
    """The signing secret, to the organisers only, never kept by a cache on the way."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        return no_store(self.render("webhooks/secret.html", {"endpoint": self.endpoint}))


class EndpointRotateView(_EndpointView):
    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        return self.render_page()

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        if not ConfirmForm.confirmed(request.POST):
            return self.render_page(status=400)
        services.endpoint_secret_rotate(endpoint=self.endpoint, actor=request.user)
        messages.success(
            request,
            _("The webhook has a new signing secret. Give it to the receiver now."),
        )
        return redirect(self.url("secret", pk=self.endpoint.pk))

    def render_page(self, status: int = 200) -> HttpResponse:
        return self.render("webhooks/rotate.html", {"endpoint": self.endpoint}, status=status)


class EndpointEnableView(_EndpointView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        services.endpoint_enable(endpoint=self.endpoint, actor=request.user)
        messages.success(request, _("The webhook is enabled again."))
        return redirect(self.url("log", pk=self.endpoint.pk))


class DeliveryLogView(_EndpointView):
    http_method_names = ["get"]

    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        return self.render(
            "webhooks/log.html",
            {
                "endpoint": self.endpoint,
                "page": selectors.delivery_log(self.endpoint, request.GET.get("page")),
                "event_labels": EVENT_LABELS,
            },
        )


class RedeliverView(_EndpointView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str, pk: int, delivery: int) -> HttpResponse:
        found = selectors.delivery_of_endpoint(self.endpoint, delivery)
        if found is None:
            raise Http404
        try:
            services.delivery_redeliver(delivery=found, actor=request.user)
        except ValidationError as error:
            messages.error(request, error_message(error))
        else:
            messages.success(request, _("The delivery is being sent again."))
        return redirect(self.url("log", pk=self.endpoint.pk))


urlpatterns = [
    path("", EndpointListView.as_view(), name="list"),
    path("new/", EndpointCreateView.as_view(), name="create"),
    path("<int:pk>/", DeliveryLogView.as_view(), name="log"),
    path("<int:pk>/edit/", EndpointEditView.as_view(), name="edit"),
    path("<int:pk>/delete/", EndpointDeleteView.as_view(), name="delete"),
    path("<int:pk>/secret/", EndpointSecretView.as_view(), name="secret"),
    path("<int:pk>/secret/renew/", EndpointRotateView.as_view(), name="rotate"),
    path("<int:pk>/enable/", EndpointEnableView.as_view(), name="enable"),
    path(
        "<int:pk>/deliveries/<int:delivery>/redeliver/",
        RedeliverView.as_view(),
        name="redeliver",
    ),
]
