"""The applicants' pages. Each view module declares its own ``urlpatterns``."""

from .views import dashboard, entries, files, organisations

app_name = "submissions"

urlpatterns = [
    *dashboard.urlpatterns,
    *organisations.urlpatterns,
    *entries.urlpatterns,
    *files.urlpatterns,
]
