"""An organiser's wording of the award's mails: save an override, or go back to the default.

Both checks are made here, not only in the form: every placeholder must be one the mail
type allows (the texts are untrusted, see ``rendering``), and every change is recorded in the
award's change log with the wording before and after.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from awards.models import Award
from awards.services import audit_log

from .catalogue import EDITABLE_KEYS, MAIL_TYPES
from .models import MailTemplate
from .rendering import template_errors
from .services import wording_for


class UnknownMailTemplate(ValueError):
    """A key that organisers may not edit, or a language Laurel does not speak."""


def _check_editable(key: str, language: str) -> None:
    if key not in EDITABLE_KEYS or language not in dict(settings.LANGUAGES):
        raise UnknownMailTemplate(f"{key} ({language})")


def mail_template_overrides(award: Award) -> set[tuple[str, str]]:
    """The (key, language) pairs for which ``award`` has its own wording."""
    return set(MailTemplate.objects.filter(award=award).values_list("key", "language"))


@transaction.atomic
def mail_template_save(
    *, award: Award, key: str, language: str, subject: str, body: str, actor: User | None
) -> MailTemplate:
    """Store ``award``'s wording of mail ``key`` in ``language`` (create or replace).

    Raises ValidationError naming ``subject`` and/or ``body`` when a text uses a tag, an
    unknown placeholder or anything but a plain name; UnknownMailTemplate for a key or
    language that cannot be edited. Side effect: a ``mail_template.saved`` audit entry with
    the wording before and after (none when nothing changed). Mails already in the outbox
    keep the wording they were rendered with.
    """
    _check_editable(key, language)
    allowed = MAIL_TYPES[key].allowed
    errors = {
        field: problems
        for field, problems in (
            ("subject", template_errors(subject, allowed)),
            ("body", template_errors(body, allowed)),
        )
        if problems
    }
    if errors:
        raise ValidationError(errors)

    before = wording_for(award=award, key=key, language=language)
    template = (
        MailTemplate.objects.select_for_update()
        .filter(award=award, key=key, language=language)
        .first()
    )
    if template is not None and (template.subject, template.body) == (subject, body):
        return template
    if template is None:
        template = MailTemplate(award=award, key=key, language=language)
    template.subject = subject
    template.body = body
    template.updated_by = actor
    template.full_clean(exclude=["updated_by"], validate_unique=False)
    template.save()
    audit_log(
        award=award,
        actor=actor,
        action="mail_template.saved",
        target=template,
        data={
            "key": key,
            "language": language,
            "before": {"subject": before.subject, "body": before.body},
            "after": {"subject": subject, "body": body},
        },
    )
    return template


@transaction.atomic
def mail_template_reset(*, award: Award, key: str, language: str, actor: User | None) -> bool:
    """Delete ``award``'s wording of ``key`` in ``language``, so the default applies again.

    Returns False (and logs nothing) when there was no override. Side effect: a
    ``mail_template.reset`` audit entry with the wording that was removed.
    """
    _check_editable(key, language)
    template = (
        MailTemplate.objects.select_for_update()
        .filter(award=award, key=key, language=language)
        .first()
    )
    if template is None:
        return False
    default = MAIL_TYPES[key]
    audit_log(
        award=award,
        actor=actor,
        action="mail_template.reset",
        target=template,
        data={
            "key": key,
            "language": language,
            "before": {"subject": template.subject, "body": template.body},
            "after": {"subject": default.subject[language], "body": default.body[language]},
        },
    )
    template.delete()
    return True
