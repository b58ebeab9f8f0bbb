"""Mails as they will be sent, before anything is sent: the previews on the confirmation pages
of mass mails (announcements, jury reminders), in each language. Nothing here writes."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from accounts.models import User
from awards.models import Award

from .catalogue import MAIL_TYPES
from .rendering import render_html, render_subject, render_text
from .services import Wording, _common_values, format_value, wording_for


@dataclass(frozen=True)
class MailPreview:
    language: str
    language_name: str
    recipient: str  # the sample recipient: a name, an address, or "" for none
    subject: str
    text: str
    html: str


def mail_preview(
    *,
    key: str,
    award: Award | None,
    language: str,
    values: Mapping[str, Any],
    recipient: User | None = None,
    email: str = "",
    wording: Wording | None = None,
) -> MailPreview:
    """The mail ``key`` in ``language`` for ``recipient`` (or a bare address) exactly as
    ``notify`` would write it: the same common values, the award's own wording or the
    default, each value formatted in that language."""
    name = recipient.full_name if recipient is not None else ""
    context = {
        name_: format_value(value, language=language, award=award)
        for name_, value in {**_common_values(award, name), **values}.items()
    }
    wording = wording or wording_for(award=award, key=key, language=language)
    return MailPreview(
        language=language,
        language_name=str(dict(settings.LANGUAGES)[language]),
        recipient=name or (recipient.email if recipient is not None else email),
        subject=render_subject(wording.subject, context),
        text=render_text(wording.body, context),
        html=render_html(wording.body, context, MAIL_TYPES[key].links),
    )
