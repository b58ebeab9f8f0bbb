"""The organisers' certificate page of one award (``/manage/<slug>/certificates/``): the
design, the certificates with their state, issuing (and drawing) again after a correction,
revoking one, and a sample PDF. Organisers only (``awards.manage_award``): anyone else gets
a 404, and a certificate is found only through the award of the address."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from awards.views_base import OrganiserView
from core.forms import ConfirmForm, add_service_errors
from core.http import no_store

from .. import selectors, services
from ..enums import CertificateKind
from ..forms import CertificateDesignForm, RevokeForm
from ..wording import PLACEHOLDERS


class _CertificatesView(OrganiserView):
    permission_required = "awards.manage_award"

    def url(self, name: str = "list", **kwargs) -> str:
        return reverse(f"certificates_manage:{name}", kwargs={"slug": self.award.slug, **kwargs})


class CertificatesView(_CertificatesView):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        design = services.design_for(self.award)
        return self.render_page(CertificateDesignForm(instance=design), design)

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        form = CertificateDesignForm(
            request.POST, request.FILES, instance=services.design_for(self.award)
        )
        if not form.is_valid():
            return self.render_page(form, services.design_for(self.award), status=400)
        try:
            services.certificate_design_save(
                award=self.award,
                actor=request.user,
                values=form.values(),
                logo=form.cleaned_data["logo"],
                signature=form.cleaned_data["signature"],
                remove_logo=form.cleaned_data["remove_logo"],
                remove_signature=form.cleaned_data["remove_signature"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_page(form, services.design_for(self.award), status=400)
        messages.success(request, _("The certificate design has been saved."))
        return redirect(self.url())

    def render_page(self, form: CertificateDesignForm, design, status: int = 200) -> HttpResponse:
        """The page; ``design`` as saved (the form's instance may hold what was typed)."""
        page = selectors.certificate_page(self.award, self.request.GET.get("page"))
        for certificate in page.object_list:
            certificate.distinction = services.kind_label(certificate.kind, certificate.place)
        return self.render(
            "certificates/manage.html",
            {
                "form": form,
                "design": design,
                "placeholders": PLACEHOLDERS.items(),
                "page": page,
                "counts": selectors.certificate_counts(self.award),
                "results_public": self.award.results_are_public(),
                "sample_kinds": CertificateKind.choices,
            },
            status=status,
        )


class IssueView(_CertificatesView):
    """Issue (and draw) again: first what would happen, then the explicit confirmation."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self.render_page()

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        if not ConfirmForm.confirmed(request.POST):
            return self.render_page(status=400)
        try:
            plan = services.certificates_issue(award=self.award, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(self.url())
        counts = plan.counts
        messages.success(
            request,
            _(
                "Certificates issued: %(created)s new, %(changed)s changed, %(revoked)s "
                "revoked. The PDFs are being drawn; reload the page in a minute."
            )
            % counts,
        )
        return redirect(self.url())

    def render_page(self, status: int = 200) -> HttpResponse:
        public = self.award.results_are_public()
        plan = services.certificates_plan(award=self.award) if public else None
        return self.render(
            "certificates/manage_issue.html",
            {"plan": plan, "results_public": public},
            status=status,
        )


class RevokeView(_CertificatesView):
    def load(self, **kwargs) -> None:
        certificate = selectors.certificate_of_award(self.award, kwargs["pk"])
        if certificate is None:
            raise Http404
        self.certificate = certificate

    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        return self.render_page(RevokeForm())

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        form = RevokeForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            services.certificate_revoke(
                certificate=self.certificate,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_page(form, status=400)
        messages.success(request, _("The certificate has been revoked."))
        return redirect(self.url())

    def render_page(self, form: RevokeForm, status: int = 200) -> HttpResponse:
        certificate = self.certificate
        certificate.distinction = services.kind_label(certificate.kind, certificate.place)
        return self.render(
            "certificates/manage_revoke.html",
            {"form": form, "certificate": certificate},
            status=status,
        )


class SampleView(_CertificatesView):
    http_method_names = ["get"]

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        kind = request.GET.get("kind", CertificateKind.WINNER)
        if kind not in CertificateKind.values:
            raise Http404
        data = services.certificate_sample_pdf(award=self.award, kind=kind)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="certificate-sample.pdf"'
        return no_store(response)


urlpatterns = [
    path("", CertificatesView.as_view(), name="list"),
    path("issue/", IssueView.as_view(), name="issue"),
    path("<int:pk>/revoke/", RevokeView.as_view(), name="revoke"),
    path("sample.pdf", SampleView.as_view(), name="sample"),
]
