"""The endpoints of one award, included at ``/api/v1/awards/<slug>/`` (``docs/api.md``)."""

from django.urls import path

from .views import award, files

urlpatterns: list = [
    path("", award.AwardView.as_view(), name="award"),
    path("categories/", award.CategoryListView.as_view(), name="award_categories"),
    path("criteria/", award.CriterionListView.as_view(), name="award_criteria"),
    path("rounds/", award.RoundListView.as_view(), name="award_rounds"),
    path("entries/", award.EntryListView.as_view(), name="award_entries"),
    path("entries/<int:pk>/", award.EntryDetailView.as_view(), name="award_entry"),
    path(
        "entries/<int:pk>/eligibility/",
        award.EligibilityView.as_view(),
        name="award_entry_eligibility",
    ),
    path("files/<str:signed>/", files.AttachmentFileView.as_view(), name="award_file"),
    path("jurors/", award.JurorListView.as_view(), name="award_jurors"),
    path("assignments/", award.AssignmentListView.as_view(), name="award_assignments"),
    path("reviews/", award.ReviewListView.as_view(), name="award_reviews"),
    path("rankings/<int:round_number>/", award.RankingView.as_view(), name="award_ranking"),
    path("decisions/", award.DecisionListView.as_view(), name="award_decisions"),
    path("outbox/", award.OutboxView.as_view(), name="award_outbox"),
]
