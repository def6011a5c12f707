"""Version history (django-simple-history) for the records whose every change must be kept.

Registered from this app with ``app="audit"`` so the historical tables and their migrations live
in audit/migrations and the feature apps stay free of it. Consequence: when one of these models
changes, ``manage.py makemigrations audit`` must follow (``makemigrations --check`` in CI says so).
The versions are shown read-only in the admin (audit/admin.py), as the feature apps own their
models' admin classes.
"""

from __future__ import annotations

import simple_history

from consultations.models import Consultation, Rating
from proposals.models import Assignment, Proposal
from replies.models import Reply

# model -> fields left out of the versions (derived data, not a change anyone made)
TRACKED = {
    Proposal: ["search_text", "meeting_order", "next_due"],
    Assignment: [],
    Reply: [],
    Consultation: [],
    Rating: [],
}


for _model, _excluded in TRACKED.items():
    simple_history.register(_model, app="audit", excluded_fields=_excluded)
