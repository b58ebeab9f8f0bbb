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

        # An award's form as the pages read it is cached (selectors.form_questions_for_pages):
        # a change of a question, its categories, the award or a category renews it.
        from django.db.models.signals import m2m_changed

        from awards.models import Award, Category
        from core.pagecache import renew_when_changed

        from .models import Question

        renew_when_changed(Question, _form_of, uid="form.question")
        renew_when_changed(Category, _form_of, uid="form.category")
        renew_when_changed(Award, lambda award: (selectors.form_scope(award.pk),), uid="form.award")
        m2m_changed.connect(
            _categories_changed, sender=Question.categories.through, dispatch_uid="form.categories"
        )


def _applicant_landing(request: HttpRequest) -> str:
    return reverse("submissions:dashboard")


def _form_of(row) -> tuple[str]:
    """The form scope of a question's or a category's award."""
    from .selectors import form_scope

    return (form_scope(row.award_id),)


def _categories_changed(sender, instance, **kwargs) -> None:
    """``instance``: the question, or the category when changed from its side."""
    from core import pagecache

    pagecache.renew_on_commit(*_form_of(instance))
