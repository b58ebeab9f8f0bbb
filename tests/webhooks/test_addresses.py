"""Protection against server-side request forgery: an endpoint must be https and resolve
only to public addresses, when it is registered and again at every delivery, and the delivery
connects to the address that was checked."""

import socket

import pytest

from core.events import EVENTS
from tests.webhooks.receiver import Receiver
from webhooks import services
from webhooks.addresses import UnsafeAddress, url_check
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

REAL_GETADDRINFO = socket.getaddrinfo
INTERNAL = ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1"]
# The refusal's words in German (the language of a test, as of a worker by default).
INTERNAL_WORDS = "internen oder reservierten Netzwerkadresse"


@pytest.fixture
def resolver(monkeypatch):
    """``resolver["hooks.example.org"] = ["10.0.0.1"]``: what a host name resolves to (other
    names resolve as usual)."""
    answers: dict[str, list[str]] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            if not answers[host]:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return [
                (
                    socket.AF_INET6 if ":" in ip else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (ip, port, 0, 0) if ":" in ip else (ip, port),
                )
                for ip in answers[host]
            ]
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def register(award, organiser, url):
    return services.endpoint_create(
        award=award, actor=organiser, url=url, events=["entry.submitted"]
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://localhost/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[::ffff:a9fe:a9fe]/hook",  # 169.254.169.254, IPv4-mapped
        "https://172.16.3.4/hook",
        "https://192.168.1.1/hook",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://240.0.0.1/hook",
        "https://[fc00::1]/hook",
        "https://[fe80::1]/hook",
        "https://[2002:7f00:1::]/hook",  # 6to4 around 127.0.0.1
        "https://[2002:a9fe:a9fe::]/hook",  # 6to4 around 169.254.169.254
        "https://[fec0::1]/hook",  # site-local
        "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",  # Teredo
    ],
)
def test_an_internal_address_is_refused_at_registration(award, organiser, url):
    with pytest.raises(services.WebhookError) as refused:
        register(award, organiser, url)

    assert "url" in refused.value.message_dict
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize("ip", INTERNAL)
def test_a_host_name_resolving_to_an_internal_address_is_refused(award, organiser, resolver, ip):
    resolver["hooks.example.org"] = ["93.184.216.34", ip]  # one internal answer is enough

    with pytest.raises(services.WebhookError) as refused:
        register(award, organiser, "https://hooks.example.org/laurel")

    message = refused.value.message_dict["url"][0]
    assert INTERNAL_WORDS in message  # German, the default
    assert ip not in message  # the form does not tell what an internal name resolves to
    assert WebhookEndpoint.objects.count() == 0


def test_the_refusal_names_the_address(award, organiser, resolver, english):
    resolver["hooks.example.org"] = ["169.254.169.254"]

    with pytest.raises(UnsafeAddress) as refused:
        url_check("https://hooks.example.org/")

    assert refused.value.messages == [
        "The address leads to an internal or reserved network address. Webhooks are "
        "only sent to public addresses on the internet."
    ]
    assert "169.254" not in refused.value.messages[0]  # what internal names resolve to


def test_a_public_https_address_is_accepted(award, organiser, resolver):
    resolver["hooks.example.org"] = ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]

    endpoint = register(award, organiser, "https://hooks.example.org/laurel?x=1")

    assert endpoint.url == "https://hooks.example.org/laurel?x=1"
    target = url_check(endpoint.url)
    assert (target.host, target.port, target.path, target.ip) == (
        "hooks.example.org",
        443,
        "/laurel?x=1",
        "93.184.216.34",
    )


def test_plain_http_is_refused_in_production(award, organiser, resolver):
    resolver["hooks.example.org"] = ["93.184.216.34"]

    with pytest.raises(services.WebhookError, match="https://"):
        register(award, organiser, "http://hooks.example.org/laurel")


def test_the_test_setting_lets_loopback_through_but_never_the_metadata_address(
    award, organiser, allow_private
):
    assert register(award, organiser, "http://127.0.0.1:9/hook").pk
    with pytest.raises(services.WebhookError):
        register(award, organiser, "http://169.254.169.254/latest/meta-data/")


def test_an_address_that_turns_internal_after_registration_is_refused_at_delivery(
    award, organiser, resolver, monkeypatch
):
    resolver["hooks.example.org"] = ["93.184.216.34"]
    endpoint = register(award, organiser, "https://hooks.example.org/laurel")
    from core.events import event_emit

    event_emit(award_id=award.pk, name="entry.submitted", payload={"entry": 1})
    delivery = WebhookDelivery.objects.get()
    resolver["hooks.example.org"] = ["169.254.169.254"]  # DNS rebinding
    connections = []
    monkeypatch.setattr(
        socket, "create_connection", lambda *args, **kwargs: connections.append(args)
    )

    assert services.delivery_send(delivery_id=delivery.pk).outcome == "retry"

    assert connections == []  # nothing was even attempted
    delivery.refresh_from_db()
    assert delivery.log[0]["status_code"] is None
    assert INTERNAL_WORDS in delivery.log[0]["error"]
    assert endpoint.pk == delivery.endpoint_id


@pytest.mark.parametrize("ip", INTERNAL)
def test_each_internal_address_is_refused_at_delivery(award, organiser, resolver, monkeypatch, ip):
    resolver["hooks.example.org"] = ["93.184.216.34"]
    register(award, organiser, "https://hooks.example.org/laurel")
    from core.events import event_emit

    event_emit(award_id=award.pk, name="entry.submitted", payload={"entry": 1})
    resolver["hooks.example.org"] = [ip]
    monkeypatch.setattr(socket, "create_connection", pytest.fail)

    delivery = WebhookDelivery.objects.get()
    assert services.delivery_send(delivery_id=delivery.pk).outcome == "retry"
    delivery.refresh_from_db()
    assert INTERNAL_WORDS in delivery.log[0]["error"]


def test_the_delivery_connects_to_the_address_that_was_checked(
    award, organiser, resolver, allow_private
):
    """The name is resolved once per attempt, for the check; the connection goes to that
    address with the name kept in the Host header, so a second DNS answer cannot redirect it."""
    with Receiver() as receiver:
        port = receiver.server.server_port
        resolver["hooks.example.test"] = ["127.0.0.1"]
        endpoint = services.endpoint_create(
            award=award,
            actor=organiser,
            url=f"http://hooks.example.test:{port}/laurel",
            events=list(EVENTS),
        )
        receiver.secret = endpoint.secret
        from core.events import event_emit

        event_emit(award_id=award.pk, name="results.published", payload={"award": award.slug})
        calls = []

        def once(host, port_, *args, **kwargs):
            if host != "hooks.example.test":
                return REAL_GETADDRINFO(host, port_, *args, **kwargs)
            calls.append(host)
            if len(calls) > 1:
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.9.9.9", port_))]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port_))]

        socket.getaddrinfo = once  # restored by the resolver fixture's monkeypatch
        delivery = WebhookDelivery.objects.get()

        assert services.delivery_send(delivery_id=delivery.pk).outcome == "delivered"

    assert calls == ["hooks.example.test"]
    (request,) = receiver.requests
    assert request["headers"]["Host"] == f"hooks.example.test:{port}"
    assert request["valid"]
