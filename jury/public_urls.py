"""The public results pages (under /awards/<slug>/results/)."""

from .views import public

app_name = "results"

urlpatterns = [*public.urlpatterns]
