"""Parts of pages kept in the cache: the landing page's content for anonymous visitors, a
user's "my awards" lists, an award's application form as the pages read it.

A part is kept under a *generation* of its scope (``"landing"``, ``"form:12"``): the
changes that affect what it shows renew the generation when they are made and again once
they have committed (``renew_on_commit``, from the owning app's signal receivers), and every
part made under an older one is never read again (it expires on its own). The renewal after
the commit means a reader that read the old rows during the change kept them under a
generation nobody reads any more. A generation that the cache lost is replaced by a new
one, never by a default, so a part made before can never come back.

Parts shared by visitors hold no form and nothing personal (a CSRF token or a user's name
would be served to everyone): the page around them is rendered per request.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

GENERATION_TTL_S = 30 * 24 * 3600


def _generation_key(scope: str) -> str:
    return f"pages:{scope}:generation"


def generation(scope: str) -> str:
    key = _generation_key(scope)
    current = cache.get(key)
    if current is None:
        cache.add(key, uuid.uuid4().hex, GENERATION_TTL_S)
        current = cache.get(key) or uuid.uuid4().hex  # a cache that keeps nothing
    return current


def renew(scope: str) -> None:
    """Something a part of ``scope`` shows has changed: make every part again."""
    cache.set(_generation_key(scope), uuid.uuid4().hex, GENERATION_TTL_S)


def renew_on_commit(*scopes: str) -> None:
    """``renew`` the scopes now and again once the current transaction has committed: a
    reader that read the old rows in between kept them under the generation of now."""
    for scope in scopes:
        renew(scope)
    transaction.on_commit(lambda: [renew(scope) for scope in scopes])


def renew_when_changed(model: type, scopes: Callable[[Any], Iterable[str]], *, uid: str) -> None:
    """Whenever a row of ``model`` is saved or deleted, ``renew_on_commit`` the scopes
    ``scopes(row)`` names. Connected in the owning app's ``ready``. A bulk ``update()`` sends
    no signal: the service that makes one renews its scopes itself."""

    def changed(sender, instance, **kwargs) -> None:
        renew_on_commit(*scopes(instance))

    for signal in (post_save, post_delete):
        signal.connect(changed, sender=model, weak=False, dispatch_uid=uid)


def cached_part(scope: str, name: str, render: Callable[[], tuple[T, int]]) -> T:
    """The part ``name`` of ``scope`` (any value the cache can keep: plain values, our
    templates' HTML, model instances read for display) from the cache, or made by ``render``
    (which returns the part and how many seconds it stays true) and kept."""
    key = f"pages:{scope}:{generation(scope)}:{name}"
    part = cache.get(key)
    if part is None:
        part, timeout = render()
        if timeout > 0:
            cache.set(key, part, timeout)
    return part
