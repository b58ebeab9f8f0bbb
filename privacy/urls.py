from django.urls import path

from . import views, views_erasure

app_name = "privacy"

urlpatterns = [
    path("", views.DataView.as_view(), name="data"),
    path("exports/", views.ExportRequestView.as_view(), name="export_request"),
    path("exports/<str:token>/", views.ExportDownloadView.as_view(), name="export_download"),
]
urlpatterns += views_erasure.urlpatterns
