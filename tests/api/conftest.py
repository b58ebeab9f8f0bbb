"""What the API tests share: a DRF client and tokens made through the real service.

``api_client``: a ``rest_framework.test.APIClient``; send a token with
``api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")``.
``token_for(user, award, scope="read")``: a new token of ``user`` for ``award`` (the user
needs a role in it), returned in plain text as its user would copy it."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def token_for():
    from api.services import api_token_create

    def make(user, award, scope: str = "read", *, days: int = 30) -> str:
        _token, plain = api_token_create(
            user=user, award=award, name="Test token", scope=scope, expires_in_days=days
        )
        return plain

    return make
