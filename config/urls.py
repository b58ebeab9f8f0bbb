from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.views import LanguageSwitchView
from awards.views import home
from config.health import healthz

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("i18n/setlang/", LanguageSwitchView.as_view(), name="set_language"),
    path("accounts/api-tokens/", include("api.views.tokens", namespace="api_tokens")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("", home, name="home"),
    path("manage/<slug:slug>/messages/", include("notifications.urls")),
    path("manage/<slug:slug>/submissions/", include("submissions.manage_urls")),
    path("manage/<slug:slug>/certificates/", include("certificates.manage_urls")),
    path("manage/<slug:slug>/webhooks/", include("webhooks.urls")),
    # Before the jury's: the round page under jury/rounds/<n>/ is the results app's.
    path("manage/<slug:slug>/", include("results.manage_urls")),
    path("manage/<slug:slug>/jury/", include("jury.manage_urls")),
    path("", include("results.urls")),
    path("jury/", include("jury.urls")),
    path("privacy/", include("privacy.urls")),
    path("api/v1/", include("api.urls")),
    path("certificates/", include("certificates.urls")),
    path("", include("submissions.urls")),
    path("", include("awards.urls")),
]

# The 500 page without the request's context or the database (core/errors.py); Django's own
# handlers render templates/403.html and 404.html.
handler500 = "core.errors.server_error"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
