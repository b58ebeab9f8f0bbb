"""The jurors' pages (under /jury/). Each view module declares its own ``urlpatterns``."""

from .views import juror

app_name = "jury"

urlpatterns = [*juror.urlpatterns]
