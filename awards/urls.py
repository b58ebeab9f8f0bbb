from django.urls import path

from . import views
from .audit_views import AuditLogView

app_name = "awards"

urlpatterns = [
    path("awards/<slug:slug>/", views.award_detail, name="detail"),
    path("manage/<slug:slug>/", views.ManageAwardView.as_view(), name="manage"),
    path("manage/<slug:slug>/status/", views.AwardTransitionView.as_view(), name="transition"),
    path("manage/<slug:slug>/settings/", views.AwardSettingsView.as_view(), name="settings"),
    path("manage/<slug:slug>/audit/", AuditLogView.as_view(), name="audit"),
    path(
        "manage/<slug:slug>/categories/new/",
        views.CategoryCreateView.as_view(),
        name="category_create",
    ),
    path(
        "manage/<slug:slug>/categories/<int:pk>/edit/",
        views.CategoryUpdateView.as_view(),
        name="category_update",
    ),
    path(
        "manage/<slug:slug>/categories/<int:pk>/delete/",
        views.CategoryDeleteView.as_view(),
        name="category_delete",
    ),
    path(
        "manage/<slug:slug>/criteria/new/",
        views.CriterionCreateView.as_view(),
        name="criterion_create",
    ),
    path(
        "manage/<slug:slug>/criteria/<int:pk>/edit/",
        views.CriterionUpdateView.as_view(),
        name="criterion_update",
    ),
    path(
        "manage/<slug:slug>/criteria/<int:pk>/delete/",
        views.CriterionDeleteView.as_view(),
        name="criterion_delete",
    ),
    path("manage/<slug:slug>/rounds/new/", views.RoundCreateView.as_view(), name="round_create"),
    path(
        "manage/<slug:slug>/rounds/<int:pk>/edit/",
        views.RoundUpdateView.as_view(),
        name="round_update",
    ),
    path(
        "manage/<slug:slug>/rounds/<int:pk>/delete/",
        views.RoundDeleteView.as_view(),
        name="round_delete",
    ),
]
