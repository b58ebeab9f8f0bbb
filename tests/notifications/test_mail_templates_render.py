"""Every mail Laurel writes, rendered in both languages with realistic values: the catalogue's
mails (through ``notify``, as the services send them), an announcement, and the account mails
Django composes from ``templates/accounts/email/``.

Whoever receives it and whatever is left empty, a mail never greets nobody ("Guten Tag ,"),
never shows template syntax or "None", and never leaves more than one blank line between
paragraphs (nor a line of blanks).
"""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from jury import services as jury_services
from notifications import services
from notifications.catalogue import MAIL_TYPES
from notifications.models import Message
from submissions import services as submission_services
from tests.factories import (
    AwardFactory,
    AwardRoleFactory,
    CategoryFactory,
    MembershipFactory,
    SubmissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
LANGUAGES = [code for code, _name in settings.LANGUAGES]
ACCOUNT_MAILS = Path(settings.BASE_DIR) / "templates" / "accounts" / "email"


def realistic(language: str) -> dict:
    """A value for every placeholder of the catalogue, as the services pass them (moments,
    amounts and counts as such; texts in the recipient's language)."""
    german = language == "de"
    return {
        "submission_title": "Carbon-Fahrradrahmen „Made in Berlin“",
        "reference": "LIA-2026-MOB-0007",
        "category": "Mobilität" if german else "Mobility",
        "submitted_at": dt.datetime(2026, 12, 8, 14, 12, tzinfo=BERLIN),
        "deadline": dt.datetime(2026, 12, 12, 18, 0, tzinfo=BERLIN),
        "submission_url": "https://awards.example.org/submissions/7/",
        "summary": "Ein Rahmen aus Flachsfasern.\nEr wiegt 1,2 kg.",
        "files": "rahmen.pdf, foto.jpg",
        "answers": "Marktreife: TRL 7 – Prototyp im Einsatz demonstriert\n\nTeam: Sechs Leute."
        if german
        else "Market readiness: TRL 7 – prototype demonstrated\n\nTeam: Six people.",
        "days_left": 7,
        "decision": "zugelassen" if german else "eligible",
        "reason": "Das Unternehmen hat seinen Sitz in Potsdam.",
        "organisation_name": "Red Arrow technologies UG",
        "inviter_name": "Olga Organiser",
        "invitation_url": "https://awards.example.org/jury/invitation/abc/",
        "expires_at": dt.datetime(2027, 1, 2, 18, 0, tzinfo=BERLIN),
        "open_reviews": 5,
        "jury_deadline": dt.datetime(2027, 2, 1, 18, 0, tzinfo=BERLIN),
        "dashboard_url": "https://awards.example.org/jury/lia-2026/",
        "prize": Decimal("10000"),
        "results_url": "https://awards.example.org/awards/lia-2026/results/",
        "feedback_url": "https://awards.example.org/submissions/7/#feedback-heading",
        "distinction": "2. Platz" if german else "second place",
        "endpoint_url": "https://crm.example.org/hooks/laurel",
        "failures": 10,
        "last_error": "HTTP 503",
        "webhooks_url": "https://awards.example.org/manage/lia-2026/webhooks/",
    }


# What a sender may leave empty: an eligible entry needs no reason, a draft has no summary or
# files yet, an award without application questions no answers.
SPARSE = {"reason": "", "summary": "", "files": "", "answers": ""}
KEYS = [key for key in MAIL_TYPES if key != "announcement"]


def problems(text: str) -> list[str]:
    """What is wrong with a rendered mail (subject, text or HTML)."""
    found = []
    if re.search(r"\b(Guten Tag|Hallo|Hello|Dear)\s+[,.!]", text):
        found.append("greets nobody")
    if re.search(r"\{\{|\}\}|\{%|%\}", text):
        found.append("shows template syntax")
    if "None" in text:
        found.append("shows None")
    if re.search(r"\n[ \t]*\n[ \t]*\n", text):
        found.append("more than one blank line")
    if re.search(r"^[ \t]+$", text, re.MULTILINE):
        found.append("a line of blanks")
    if "<p></p>" in text or "<p> " in text:
        found.append("an empty paragraph")
    return found


def assert_clean(message: Message) -> None:
    for part, text in (
        ("subject", message.subject),
        ("text", message.body_text),
        ("html", message.body_html),
    ):
        assert problems(text) == [], f"{message.template_key} ({message.language}), {part}:\n{text}"


@pytest.fixture
def award():
    return AwardFactory(name="Lightweight Innovation Award", edition=2026, slug="lia-2026")


@pytest.mark.parametrize("sparse", [False, True], ids=["all-values", "empty-values"])
@pytest.mark.parametrize("has_account", [True, False], ids=["account", "address-only"])
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", KEYS)
def test_every_catalogue_mail_renders_cleanly(award, key, language, has_account, sparse):
    values = {
        name: value
        for name, value in {**realistic(language), **(SPARSE if sparse else {})}.items()
        if name in MAIL_TYPES[key].placeholders
    }
    recipient = (
        UserFactory(full_name="Erika Mustermann", preferred_language=language)
        if has_account
        else None
    )

    message = services.notify(
        key=key,
        award=award,
        idempotency_key=f"render:{key}:{language}:{has_account}:{sparse}",
        values=values,
        recipient=recipient,
        email=None if recipient else "someone@example.org",
        language=language,
    )

    assert_clean(message)
    greeting = message.body_text.splitlines()[0]
    hello = "Guten Tag" if language == "de" else "Hello"
    assert greeting == (f"{hello} Erika Mustermann," if has_account else f"{hello},")
    assert message.body_text.endswith(f"\n{award.organiser_name}")  # signed in every mail


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_mail_without_a_name_greets_without_a_gap(award, language):
    message = services.notify(
        key="result.jury",
        award=award,
        idempotency_key=f"no-name:{language}",
        values={"results_url": "https://awards.example.org/awards/lia-2026/results/"},
        email="jury@example.org",
        language=language,
    )

    expected = {"de": "Guten Tag,", "en": "Hello,"}[language]
    assert message.body_text.startswith(expected + "\n\n")
    assert f"<p>{expected}</p>" in message.body_html


def test_the_name_typed_with_an_address_is_greeted(award):
    message = services.notify(
        key="result.jury",
        award=award,
        idempotency_key="typed-name",
        values={"results_url": "https://awards.example.org/r/"},
        email="jana@example.org",
        language="de",
        recipient_name="  Jana Richter ",
    )

    assert message.body_text.startswith("Guten Tag Jana Richter,\n\n")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_jury_invitation_greets_the_name_the_organiser_typed(award, language):
    organiser = AwardRoleFactory(award=award, role="organiser").user
    category = CategoryFactory(award=award)

    jury_services.juror_invite(
        award=award,
        email="jana.richter@example.org",
        name="Jana Richter",
        categories=[category],
        language=language,
        actor=organiser,
    )

    message = Message.objects.get(template_key="juror.invited")
    hello = "Guten Tag" if language == "de" else "Hello"
    assert message.body_text.startswith(f"{hello} Jana Richter,\n\n")
    assert_clean(message)


def test_the_jury_invitation_greets_an_account_by_its_own_name(award):
    organiser = AwardRoleFactory(award=award, role="organiser").user
    UserFactory(email="jana.richter@example.org", full_name="Dr. Jana Richter")

    jury_services.juror_invite(
        award=award,
        email="jana.richter@example.org",
        name="Jana R.",
        categories=[CategoryFactory(award=award)],
        actor=organiser,
    )

    message = Message.objects.get(template_key="juror.invited")
    assert message.body_text.startswith("Guten Tag Dr. Jana Richter,\n\n")


def test_the_eligibility_mail_without_a_reason_has_no_gap():
    award = AwardFactory(status="closed", edition=2026, slug="lia-elig")
    applicant = UserFactory(full_name="Erika Mustermann", preferred_language="de")
    organisation = MembershipFactory(user=applicant).organisation
    entry = SubmissionFactory(
        award=award,
        category=CategoryFactory(award=award),
        organisation=organisation,
        created_by=applicant,
        status="submitted",
        reference="LIA-2026-C01-0001",
    )
    organiser = AwardRoleFactory(award=award, role="organiser").user

    submission_services.eligibility_decide(
        submission=entry, actor=organiser, eligible=True, reason=""
    )

    message = Message.objects.get(template_key="submission.eligibility")
    assert_clean(message)
    assert "ist zugelassen.\n\nMit freundlichen Grüßen\n" in message.body_text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_announcement_to_an_address_without_account_renders_cleanly(award, language):
    message = services.notify(
        key="announcement",
        award=award,
        idempotency_key=f"announcement:{language}",
        values={},
        email="guest@example.org",
        language=language,
        wording=services.Wording(
            "{{ award_name }}: Einladung",
            "Guten Tag {{ recipient_name }},\r\n\r\n\r\nwir laden Sie ein.\r\n\r\n"
            "Mit freundlichen Grüßen\r\n{{ organiser_name }}",
        ),
    )

    assert_clean(message)
    assert message.body_text.startswith("Guten Tag,\n\nwir laden Sie ein.")


def _account_context(template: str, user) -> dict:
    return {
        "user": user,
        "site_url": settings.SITE_URL,
        # verify_email
        "link": f"{settings.SITE_URL}/accounts/verify/token/",
        "days": 3,
        # already_registered
        "login_link": f"{settings.SITE_URL}/accounts/login/",
        "reset_link": f"{settings.SITE_URL}/accounts/password/reset/",
        # password_reset (Django's PasswordResetForm)
        "protocol": "https",
        "domain": "awards.example.org",
        "site_name": "Laurel",
        "email": user.email,
        "uid": "MQ",
        "token": "abc-123",
        # address_code (accounts.address_codes)
        "code": "12345678",
        "account_email": "erika.private@example.net",
        "invitation_text": "die Einladung in die Jury des Wettbewerbs „LIA 2026“",
        "minutes": 15,
    }


ACCOUNT_TEMPLATES = sorted(path.name for path in ACCOUNT_MAILS.glob("*.txt"))


def test_the_account_mails_are_all_found():
    assert {name.rsplit("_", 1)[0] for name in ACCOUNT_TEMPLATES} >= {
        "already_registered",
        "password_reset",
        "verify_email",
    }


@pytest.mark.parametrize("full_name", ["Erika Mustermann", ""], ids=["named", "unnamed"])
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", ACCOUNT_TEMPLATES)
def test_every_account_mail_renders_cleanly(template, language, full_name):
    user = UserFactory.build(full_name=full_name, preferred_language=language)

    with translation.override(language):
        text = render_to_string(f"accounts/email/{template}", _account_context(template, user))

    assert problems(text) == [], f"{template} ({language}):\n{text}"
    if template.endswith("_body.txt"):
        first = text.splitlines()[0]
        assert first.endswith(",")
        assert (full_name in first) if full_name else first in {"Hello,", "Guten Tag,", "Hallo,"}
