"""The organisers' pages for the entries of one award (under /manage/<slug>/submissions/),
and the award's application form (``form/``, the form builder)."""

from .views import manage, questions

app_name = "submissions_manage"

urlpatterns = [*manage.urlpatterns, *questions.urlpatterns]
