"""The public verification page and the download, included at ``/certificates/``."""

from .views import public

app_name = "certificates"

urlpatterns = public.urlpatterns
