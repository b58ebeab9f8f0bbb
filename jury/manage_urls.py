"""The organisers' jury pages for one award (under /manage/<slug>/jury/)."""

from .views import manage

app_name = "jury_manage"

urlpatterns = [*manage.urlpatterns]
