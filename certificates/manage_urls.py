"""The organisers' certificate pages of one award, included at ``/manage/<slug>/certificates/``."""

from .views import manage

app_name = "certificates_manage"

urlpatterns = manage.urlpatterns
