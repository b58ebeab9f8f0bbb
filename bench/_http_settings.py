"""Settings of bench/http.py's server and of the bench itself: production's, with a URLconf
that adds the floor view (``bench/_http_urls.py``).

Production reads every secret and address from the environment; bench/http.py sets them. A
Redis to use comes as ``LAUREL_BENCH_REDIS_URL`` (``--redis-url``): ``_common`` drops the
shell's ``REDIS_URL`` before Django starts, so it is put back here, before the settings that
derive the broker (and any cache) from it are read.
"""

import os

if os.environ.get("LAUREL_BENCH_REDIS_URL"):
    os.environ["REDIS_URL"] = os.environ["LAUREL_BENCH_REDIS_URL"]
    os.environ["CELERY_BROKER_URL"] = os.environ["LAUREL_BENCH_REDIS_URL"]

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench._http_urls"
