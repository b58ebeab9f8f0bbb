"""The results pages outside the organisers' area: the public results of a published edition
(``/awards/<slug>/results/``) and the ranking as the jury sees it (``/jury/<slug>/ranking/``)."""

from .views import jury, public

app_name = "results"

urlpatterns = [*public.urlpatterns, *jury.urlpatterns]
