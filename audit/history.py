"""Version history (django-simple-history) for the records whose every change must be kept.

Registered from this app with ``app="audit"`` so the historical tables and their migrations live
in audit/, and the feature apps stay free of it.
"""

from __future__ import annotations
