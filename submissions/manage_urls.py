"""The organisers' pages for the entries of one award (under /manage/<slug>/submissions/)."""

from .views import manage

app_name = "submissions_manage"

urlpatterns = [*manage.urlpatterns]
