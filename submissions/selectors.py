from django.db.models import QuerySet

from accounts.models import User
from notifications.models import BulkSend

from .enums import SubmissionStatus

# Entries that count as applications (drafts and withdrawn entries do not).
APPLIED = [SubmissionStatus.SUBMITTED, SubmissionStatus.ELIGIBLE, SubmissionStatus.INELIGIBLE]


def applicants_of_award(bulk: BulkSend) -> QuerySet[User]:
    return User.objects.filter(
        submissions_created__award=bulk.award, submissions_created__status__in=APPLIED
    )


def applicants_of_category(bulk: BulkSend) -> QuerySet[User]:
    return User.objects.filter(
        submissions_created__category=bulk.category, submissions_created__status__in=APPLIED
    )
