"""Walk the project's URL patterns.

Shared by tests/test_permission_matrix.py (expected status per URL × persona × relation), the
fuzz test of every POST form (tests/audit/test_input.py) and the page checks of test_headers.py;
the objects they open come from ``tests.factories.build_objects``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Django admin's own patterns are Django's code: they are checked per persona through the admin
# index, a changelist and the autocomplete view (test_permission_matrix), not walked one by one.
SKIPPED_NAMESPACES = {"admin"}
# The language switch (django.conf.urls.i18n) is Django's own, POST-only, no object.
SKIPPED_NAMES = {"set_language"}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    route: str  # the pattern text, e.g. "proposals/<int:pk>/"
    params: tuple[str, ...]


def walk(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> list[Route]:
    resolver = resolver or get_resolver()
    routes: list[Route] = []
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else ns or namespace
            if ns in SKIPPED_NAMESPACES:
                continue
            routes.extend(walk(pattern, text, full_ns))
        elif isinstance(pattern, URLPattern):
            if pattern.name in SKIPPED_NAMES:
                continue
            if not pattern.name:
                # an unnamed pattern cannot be given a row; the completeness test reports it
                routes.append(Route(f"{namespace}:<unnamed {text}>" if namespace else f"<unnamed {text}>", text, ()))
                continue
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", text))
            routes.append(Route(name, text, params))
    return routes
