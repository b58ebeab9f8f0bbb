from django.urls import path

from . import views

app_name = "awards"

urlpatterns = [
    path("awards/<slug:slug>/", views.award_detail, name="detail"),
    path("manage/<slug:slug>/", views.ManageAwardView.as_view(), name="manage"),
    path("manage/<slug:slug>/status/", views.AwardTransitionView.as_view(), name="transition"),
]
