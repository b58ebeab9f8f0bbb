"""Only the organisers of an award (and superusers) see its outbox, templates and announcements."""

import rules

from awards.rules import can_manage_award

rules.add_perm("notifications.manage_messages", can_manage_award)
