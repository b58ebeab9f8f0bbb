"""The pieces of the webhook tests: an award with its organiser, a receiver on 127.0.0.1
(allowed through LAUREL_WEBHOOKS_ALLOW_PRIVATE), and an endpoint pointed at it."""

import pytest

from tests.factories import AwardFactory, AwardRoleFactory, UserFactory
from tests.webhooks.receiver import Receiver
from webhooks import services
from webhooks.models import WebhookEndpoint


@pytest.fixture
def allow_private(settings):
    settings.LAUREL_WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def award():
    return AwardFactory(status="open", slug="lia-hooks", form=False)


@pytest.fixture
def organiser(award):
    user = UserFactory(full_name="Olga Organiser", preferred_language="en")
    AwardRoleFactory(award=award, user=user, role="organiser")
    return user


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def endpoint(award, organiser, receiver, allow_private) -> WebhookEndpoint:
    """An endpoint of ``award`` for every event, at ``receiver`` (which knows its secret)."""
    from core.events import EVENTS

    created = services.endpoint_create(
        award=award, actor=organiser, url=receiver.url, events=list(EVENTS)
    )
    receiver.secret = created.secret
    return created
