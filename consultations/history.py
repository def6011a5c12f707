"""This app's records that keep every version (``audit.history.track``). Imported at the end of
``models.py``, so the versions exist as soon as the models do."""

from __future__ import annotations

from audit.history import track

from .models import Consultation, ConsultationSigner, Rating

track(Consultation)
track(ConsultationSigner)
track(Rating)
