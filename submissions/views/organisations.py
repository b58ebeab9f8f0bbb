"""Company profiles: create, view, edit, invite colleagues, and accept an invitation.

Members see their company's profile; only its owner edits it and invites colleagues. Anyone
else gets a 404, so that ids reveal nothing.
"""

import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from accounts.forms import InvitationAnswerForm
from core.forms import add_service_errors, error_message
from core.links import with_next
from core.views import PermissionView

from .. import dashboard_selectors as selectors
from .. import services
from ..access import organisation_get_for
from ..forms.organisations import InvitationForm, OrganisationForm
from ..models import Organisation, OrganisationInvitation

CHANGE = "submissions.change_organisation"


def _render_form(request: HttpRequest, form: OrganisationForm, organisation=None) -> HttpResponse:
    return render(
        request,
        "submissions/organisation_form.html",
        {"form": form, "organisation": organisation},
    )


class OrganisationCreateView(LoginRequiredMixin, View):
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated and not request.user.has_perm("awards.apply"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return _render_form(request, OrganisationForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = OrganisationForm(request.POST)
        if form.is_valid():
            try:
                organisation = services.organisation_create(owner=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The company profile of %(name)s has been created.")
                    % {"name": organisation.name},
                )
                # Back to where the applicant came from (e.g. starting an entry), if on site.
                next_url = request.GET.get("next", "")
                if next_url and url_has_allowed_host_and_scheme(
                    next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                ):
                    return redirect(next_url)
                return redirect("submissions:organisation_detail", pk=organisation.pk)
        return _render_form(request, form)


def _render_detail(
    request: HttpRequest, organisation: Organisation, invite_form: InvitationForm | None = None
) -> HttpResponse:
    can_change = request.user.has_perm(CHANGE, organisation)
    if can_change and invite_form is None:
        invite_form = InvitationForm()
    return render(
        request,
        "submissions/organisation_detail.html",
        {
            "organisation": organisation,
            "members": selectors.organisation_members(organisation),
            "invitations": selectors.organisation_open_invitations(organisation),
            "can_change": can_change,
            "invite_form": invite_form if can_change else None,
            "now": timezone.now(),
        },
    )


class OrganisationDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _render_detail(request, organisation_get_for(request.user, pk))


class OrganisationUpdateView(PermissionView):
    """The company profile's owners change it; anyone else gets a 404."""

    permission_required = CHANGE

    def get_permission_object(self) -> Organisation:
        self.organisation = organisation_get_for(
            self.request.user, self.kwargs["pk"], self.permission_required
        )
        return self.organisation

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _render_form(
            request, OrganisationForm(instance=self.organisation), self.organisation
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        # The form validates a copy, so a refused input does not show up in the page header.
        form = OrganisationForm(request.POST, instance=copy.copy(self.organisation))
        if form.is_valid():
            try:
                services.organisation_update(
                    organisation=self.organisation, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The company profile has been saved."))
                return redirect("submissions:organisation_detail", pk=pk)
        return _render_form(request, form, self.organisation)


class OrganisationInviteView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        organisation = organisation_get_for(request.user, pk, CHANGE)
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.organisation_invite(
                    organisation=organisation,
                    email=form.cleaned_data["email"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("We have sent an invitation to %(email)s.") % {"email": invitation.email},
                )
                return redirect("submissions:organisation_detail", pk=organisation.pk)
        return _render_detail(request, organisation, invite_form=form)


class InvitationAcceptView(View):
    """The link in an invitation mail. Anyone holding it may join (it is the secret), but the
    page names the invited address, so that someone signed in with another account notices.
    Visitors who are not signed in are told to log in or register first."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        invitation = selectors.invitation_by_token(kwargs["token"])
        problem = self.problem(invitation)
        if problem is not None:
            return self.render_invalid(*problem)
        self.invitation = invitation
        return super().dispatch(request, *args, **kwargs)

    @staticmethod
    def problem(invitation: OrganisationInvitation | None) -> tuple[str, int] | None:
        if invitation is None:
            return (
                _(
                    "This invitation link is not valid. Please check that you copied the whole "
                    "link from the mail."
                ),
                404,
            )
        if invitation.accepted_at is not None:
            return _("This invitation has been used already."), 400
        if invitation.expires_at <= timezone.now():
            return _("This invitation has expired. Please ask for a new one."), 400
        return None

    def render_invalid(self, message: str, status: int) -> HttpResponse:
        return render(
            self.request, "submissions/invitation_invalid.html", {"message": message}, status=status
        )

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        if not request.user.is_authenticated:
            here = request.get_full_path()
            context = {
                "invitation": self.invitation,
                "organisation": self.invitation.organisation,
                "login_url": with_next(settings.LOGIN_URL, here),
                "register_url": with_next("accounts:register", here),
            }
            return render(request, "submissions/invitation_login.html", context)
        if not request.user.has_perm("awards.apply"):
            raise PermissionDenied
        return self.render_page()

    def render_page(
        self, *, code_sent: bool = False, code_error: str = "", status: int = 200
    ) -> HttpResponse:
        organisation = self.invitation.organisation
        context = {
            "invitation": self.invitation,
            "organisation": organisation,
            "already_member": self.request.user.has_perm(
                "submissions.view_organisation", organisation
            ),
            "other_address": not services.invited_address_is(self.invitation, self.request.user),
            "code_sent": code_sent,
            "code_error": code_error,
        }
        return render(self.request, "submissions/invitation_accept.html", context, status=status)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        """Accept, or have a code mailed to the invited address first: the invitation
        belongs to that address, and another account accepts it only with the code."""
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("awards.apply"):
            raise PermissionDenied
        form = InvitationAnswerForm(request.POST)
        if not form.is_valid():
            return redirect("submissions:invitation_accept", token=token)
        try:
            if form.cleaned_data["action"] == "send_code":
                services.invitation_code_send(token=token, user=request.user)
                return self.render_page(code_sent=True)
            membership = services.invitation_accept(
                token=token, user=request.user, code=form.cleaned_data["code"]
            )
        except services.InvitationInvalid as error:
            return self.render_invalid(error_message(error), 400)
        except ValidationError as error:  # the code: missing, wrong, too many tries or mails
            return self.render_page(code_sent=True, code_error=error_message(error), status=400)
        messages.success(
            request,
            _("You are now a member of %(name)s.") % {"name": membership.organisation.name},
        )
        return redirect("submissions:organisation_detail", pk=membership.organisation_id)


urlpatterns: list = [
    path("organisations/new/", OrganisationCreateView.as_view(), name="organisation_create"),
    path("organisations/<int:pk>/", OrganisationDetailView.as_view(), name="organisation_detail"),
    path(
        "organisations/<int:pk>/edit/", OrganisationUpdateView.as_view(), name="organisation_update"
    ),
    path(
        "organisations/<int:pk>/invite/",
        OrganisationInviteView.as_view(),
        name="organisation_invite",
    ),
    path("invitations/<str:token>/", InvitationAcceptView.as_view(), name="invitation_accept"),
]
