"""The organisers' results pages for one award (under /manage/<slug>/results/)."""

from .views import results

app_name = "results_manage"

urlpatterns = [*results.urlpatterns]
