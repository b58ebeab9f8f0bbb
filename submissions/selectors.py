from django.db.models import QuerySet

from accounts.models import User
from notifications.models import BulkSend

from .enums import APPLIED_STATUSES


def applicants_of_award(bulk: BulkSend) -> QuerySet[User]:
    """Members of every organisation with an entry (submitted or checked) in the award."""
    return User.objects.filter(
        memberships__organisation__submissions__award=bulk.award,
        memberships__organisation__submissions__status__in=APPLIED_STATUSES,
    )


def applicants_of_category(bulk: BulkSend) -> QuerySet[User]:
    return User.objects.filter(
        memberships__organisation__submissions__category=bulk.category,
        memberships__organisation__submissions__status__in=APPLIED_STATUSES,
    )
