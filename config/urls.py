from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.views import LanguageSwitchView
from awards.views import home
from config.health import healthz

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("i18n/setlang/", LanguageSwitchView.as_view(), name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("", home, name="home"),
    path("manage/<slug:slug>/messages/", include("notifications.urls")),
    path("manage/<slug:slug>/submissions/", include("submissions.manage_urls")),
    path("manage/<slug:slug>/jury/", include("jury.manage_urls")),
    path("manage/<slug:slug>/results/", include("jury.results_urls")),
    path("jury/", include("jury.urls")),
    path("", include("jury.public_urls")),
    path("", include("submissions.urls")),
    path("", include("awards.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
