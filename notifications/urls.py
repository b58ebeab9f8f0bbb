"""Included at ``manage/<slug:slug>/messages/``: every page belongs to one award."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.OutboxView.as_view(), name="outbox"),
    path("retry/", views.MessagesRetryView.as_view(), name="retry"),
    path("<int:pk>/", views.MessageDetailView.as_view(), name="message"),
    path("templates/", views.MailTemplateListView.as_view(), name="templates"),
    path(
        "templates/<str:key>/<str:language>/",
        views.MailTemplateEditView.as_view(),
        name="template_edit",
    ),
    path(
        "templates/<str:key>/<str:language>/reset/",
        views.MailTemplateResetView.as_view(),
        name="template_reset",
    ),
    path("announcements/", views.AnnouncementListView.as_view(), name="announcements"),
    path("announcements/new/", views.AnnouncementCreateView.as_view(), name="announcement_create"),
    path("announcements/<int:pk>/", views.AnnouncementDetailView.as_view(), name="announcement"),
    path(
        "announcements/<int:pk>/progress.json",
        views.AnnouncementProgressView.as_view(),
        name="announcement_progress",
    ),
    path(
        "announcements/<int:pk>/resume/",
        views.AnnouncementResumeView.as_view(),
        name="announcement_resume",
    ),
    path(
        "announcements/<int:pk>/retry/",
        views.AnnouncementRetryView.as_view(),
        name="announcement_retry",
    ),
]
