# syntax=docker/dockerfile:1
# Laurel's production image: one image for web (gunicorn), worker and beat (Celery) and the
# one-shot migrate. Configuration comes from the environment only (see docs/operations.md).

# --- build: dependencies, compiled translations, collected static files ------------------
FROM python:3.11-slim-bookworm AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH

# gettext only to compile the translation catalogues; it does not reach the final image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
WORKDIR /app

# Dependencies first, in a layer of their own: it is rebuilt only when pyproject.toml changes.
# pyproject.toml lists no packages, so `pip install .` installs exactly the dependencies; the
# code itself runs from /app.
COPY pyproject.toml ./
RUN pip install .

COPY . .

# Static files and catalogues are built once here, with throwaway settings: nothing in them
# depends on a secret or an address. The dummy key and addresses only satisfy the production
# settings' checks.
RUN export DJANGO_SETTINGS_MODULE=config.settings.production \
        SECRET_KEY=build-only-not-a-secret-for-collectstatic-and-compilemessages-0123456789 \
        DJANGO_ALLOWED_HOSTS=localhost \
        LAUREL_SITE_URL=https://build.invalid \
        LAUREL_IMPRINT_URL=https://build.invalid/imprint \
        LAUREL_PRIVACY_URL=https://build.invalid/privacy \
        LAUREL_VAR_DIR=/tmp/laurel-build \
        DJANGO_STATIC_ROOT=/app/staticfiles \
    && if [ -n "$(find . -name '*.po' -print -quit)" ]; then python manage.py compilemessages; fi \
    && python manage.py collectstatic --no-input \
    && python manage.py check --deploy --fail-level WARNING \
    && rm -rf /tmp/laurel-build \
    && python -m compileall -q /app

# --- runtime ---------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    LAUREL_VAR_DIR=/app/var

RUN groupadd --system --gid 10001 laurel \
    && useradd --system --uid 10001 --gid laurel --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin laurel

COPY --from=build /opt/venv /opt/venv
# The code stays owned by root, so the running process cannot change it; only var/ (the
# beat schedule, scratch files) is writable.
COPY --from=build /app /app
RUN mkdir -p /app/var && chown laurel:laurel /app/var

WORKDIR /app
USER laurel:laurel
EXPOSE 8000

# The web process; docker-compose.yml gives worker, beat and migrate their own command.
# Worker processes: WEB_CONCURRENCY (read by gunicorn); more flags: GUNICORN_CMD_ARGS.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-", \
     "--max-requests", "1000", "--max-requests-jitter", "100", "--timeout", "60"]
