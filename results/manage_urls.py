"""The organisers' results pages of one award, included at ``/manage/<slug>/``: the ranking,
explanations, jury quality, publication and press kit under ``results/``, and the round page
with its shortlist under ``jury/rounds/<n>/`` (where the organisers' jury navigation has it)."""

from django.urls import include, path

from .views import feedback, manage, report, rounds

app_name = "results_manage"

urlpatterns = [
    path("results/feedback/", include(feedback.urlpatterns)),
    path("results/", include(manage.urlpatterns)),
    path("results/", include(report.urlpatterns)),
    *rounds.urlpatterns,
]
