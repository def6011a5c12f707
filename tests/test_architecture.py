"""The dependency direction of the design ("Layout of the code"; README, Layout), read from the source.

oversight → consultations → replies → proposals → documents; audit, search and common are used by
all and import no feature app; bench (the benchmark data) and config (settings, urls) sit on top.
The graph is built with ``ast`` from every module of every app — imports at module level and inside
functions alike, and ``importlib.import_module("…")`` / ``import_string("…")`` with a literal name.

Migrations are left out: they are Django's frozen record of the schema, not code that runs on a
request. audit's historical tables copy the tracked models' field validators (audit 0003 imports
``proposals.validators``), and search's data migration 0003 recomputes the texts with
``proposals.search``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

BOTTOM = {"common", "audit", "search"}
FEATURES = ["documents", "proposals", "replies", "consultations", "oversight"]  # bottom to top

# Which apps each app may import. Nothing else is allowed, and there is no list of exceptions.
ALLOWED: dict[str, set[str]] = {
    "common": set(),
    "audit": {"common"},
    "search": {"common"},
    **{app: BOTTOM | set(FEATURES[:i]) for i, app in enumerate(FEATURES)},
    "bench": BOTTOM | set(FEATURES),
    "config": BOTTOM | set(FEATURES) | {"bench"},
}

FEATURE_APPS = {"proposals", "replies", "consultations", "oversight"}
DYNAMIC_IMPORTERS = {"import_module", "import_string", "__import__"}


def project_packages(root: Path = ROOT) -> set[str]:
    return {p.parent.name for p in root.glob("*/__init__.py")} - {"tests"}


def _dynamic_target(node: ast.Call) -> str | None:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if name in DYNAMIC_IMPORTERS and node.args:
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return None


def imported_modules(source: str) -> Iterable[tuple[int, str]]:
    """(line, absolute module name) of every import in ``source``; relative imports stay in the app."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Call) and (target := _dynamic_target(node)):
            yield node.lineno, target


def import_graph(root: Path = ROOT) -> dict[str, dict[str, list[str]]]:
    """app -> imported app -> ["path:line module", …], for every other project app it imports."""
    apps = project_packages(root)
    graph: dict[str, dict[str, list[str]]] = {app: {} for app in apps}
    for app in sorted(apps):
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root)
            if "migrations" in relative.parts:
                continue
            for line, module in imported_modules(path.read_text(encoding="utf-8")):
                target = module.split(".")[0]
                if target in apps and target != app:
                    graph[app].setdefault(target, []).append(f"{relative}:{line} {module}")
    return graph


def find_cycle(graph: dict[str, dict[str, list[str]]]) -> list[str] | None:
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(app: str) -> list[str] | None:
        state[app] = "open"
        stack.append(app)
        for target in sorted(graph.get(app, {})):
            if state.get(target) == "open":
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[app] = "done"
        return None

    for app in sorted(graph):
        if app not in state and (cycle := visit(app)):
            return cycle
    return None


GRAPH = import_graph()


def test_every_app_has_a_place_in_the_layers():
    assert project_packages() == set(ALLOWED)


def test_no_cycle_between_apps():
    assert find_cycle(GRAPH) is None


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_app_imports_only_the_apps_below_it(app):
    wrong = {target: where for target, where in GRAPH[app].items() if target not in ALLOWED[app]}
    assert wrong == {}


def test_the_rules_of_the_design_are_in_the_layers():
    # Spelled out as the design states them, so that a change to ALLOWED cannot loosen them unseen.
    assert ALLOWED["proposals"].isdisjoint({"replies", "consultations", "oversight"})
    assert ALLOWED["documents"].isdisjoint(FEATURE_APPS)
    for app in ("audit", "search", "common"):
        assert ALLOWED[app].isdisjoint(FEATURE_APPS | {"documents", "bench", "config"})
    assert all("bench" not in ALLOWED[app] for app in ALLOWED if app != "config")


# --- the checker itself -------------------------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_checker_sees_imports_inside_functions_and_by_name(tmp_path):
    root = _tree(
        tmp_path,
        {
            "low/__init__.py": "",
            "low/models.py": "def later():\n    from high.services import thing\n",
            "low/apps.py": "import importlib\nimportlib.import_module('mid.services')\n",
            "low/migrations/0001_initial.py": "import high.validators\n",
            "mid/__init__.py": "from . import models\nfrom low import models as low_models\n",
            "high/__init__.py": "",
            "high/services.py": "import low.models\n",
        },
    )
    graph = import_graph(root)
    assert graph["low"] == {"high": ["low/models.py:2 high.services"], "mid": ["low/apps.py:2 mid.services"]}
    assert graph["mid"] == {"low": ["mid/__init__.py:2 low"]}
    assert find_cycle(graph) == ["high", "low", "high"]


def test_checker_finds_no_cycle_in_a_one_way_graph(tmp_path):
    root = _tree(
        tmp_path,
        {"low/__init__.py": "", "high/__init__.py": "import low\n", "top/__init__.py": "import high\nimport low\n"},
    )
    assert find_cycle(import_graph(root)) is None
