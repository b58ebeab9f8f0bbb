"""Signals of the results app for the apps above it (they connect in their ``ready``).

``results_published`` is sent after the transaction that published an edition's results
commits (``award``: the award). The certificates app issues the edition's certificates on
it; a receiver enqueues work and must not fail the publication."""

from django.dispatch import Signal

results_published = Signal()
