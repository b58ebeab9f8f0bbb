"""The organisers' webhook pages of one award, included at ``/manage/<slug>/webhooks/``."""

from .views import urlpatterns  # noqa: F401

app_name = "webhooks"
