import pytest
from django.test import override_settings

from config import health
from tests.services import free_port

pytestmark = pytest.mark.django_db


def test_healthz_reports_every_service_ok(client):
    response = client.get("/healthz/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "storage"}
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_503_when_the_broker_is_unreachable(client):
    closed = free_port()
    with override_settings(
        CELERY_BROKER_URL=f"redis://127.0.0.1:{closed}/0",
        CELERY_BROKER_TRANSPORT_OPTIONS={},
    ):
        response = client.get("/healthz/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    # Only the class of the error, never an address or a credential.
    assert str(closed) not in response.content.decode()


def test_healthz_checks_s3_storage(client, s3_server, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_server["options"]},
    }

    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json()["checks"]["storage"]["ok"] is True
    listed = s3_server["client"].list_objects_v2(Bucket=s3_server["bucket"])
    assert [obj["Key"] for obj in listed["Contents"]] == [health.storage_probe()]
    acl = s3_server["client"].get_object_acl(Bucket=s3_server["bucket"], Key=health.storage_probe())
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]


def test_healthz_is_503_when_s3_is_unreachable(client, s3_server, settings):
    options = {**s3_server["options"], "endpoint_url": f"http://127.0.0.1:{free_port()}"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    settings.AWS_S3_MAX_ATTEMPTS = 1

    response = client.get("/healthz/")

    assert response.status_code == 503
    storage = response.json()["checks"]["storage"]
    assert storage["ok"] is False
    assert storage["error"] == "EndpointConnectionError"


def test_healthz_accepts_only_get(client):
    assert client.post("/healthz/").status_code == 405
