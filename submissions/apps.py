from django.apps import AppConfig
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = _("Submissions")

    def ready(self) -> None:
        from accounts.landing import landing_register
        from awards.demo import demo_award_extra_register
        from notifications.audiences import audience_register
        from notifications.enums import Audience

        from . import cockpit, selectors
        from .services.questions import form_standard_add

        audience_register(Audience.APPLICANTS, selectors.applicants_of_award)
        audience_register(Audience.CATEGORY_APPLICANTS, selectors.applicants_of_category)
        # Everyone else lands on their entries: an applicant's, or the editions open for
        # a first one (what the dashboard shows someone without entries).
        landing_register("submissions.applicant", rank=30, landing=_applicant_landing)
        # A demo award asks the standard questions (the organiser can change them).
        demo_award_extra_register(lambda award: form_standard_add(award=award, actor=None))
        cockpit.register()  # the entries' panel of the edition overview, names in its log


def _applicant_landing(request: HttpRequest) -> str:
    return reverse("submissions:dashboard")
