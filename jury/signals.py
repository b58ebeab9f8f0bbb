"""What the jury's work tells the apps above it, without importing them: they connect their
receivers in their ``ready`` (architecture: a lower app registers nothing)."""

from django.dispatch import Signal

# A round's submitted reviews or ballots changed (one submitted, reopened); sent once the
# change has committed, with ``round`` (the Round). The results app queues the computation
# of the round's robustness on it.
round_work_changed = Signal()
