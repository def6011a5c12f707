"""What the audit page needs to name people, objects, codes and pages in words.

Audit sits at the bottom of the dependency graph (DESIGN.md: it imports none of the feature apps'
models), yet an auditor must read "杨国强（发改委经办人）" and "第 TA0207 号提案", not
``proposals.User#8``. So the feature apps describe their own rows: each registers, from its
``AppConfig.ready``, a *bulk* describer per model label (all the pks of one page in one query), the
label functions of its codes (timeline actions and states, roles), the people describer and the
pages a refused request may name. The audit page collects every reference of a page first and asks
each describer once (audit/words.py), so its query count does not grow with the page size.

A label without a describer is still named in words, from the model's ``verbose_name``
(``django.apps.apps.get_model`` at run time: no import, no query).

Describers must return no personal data (members' phones, work units): what they return is shown on
the audit page and written into its export.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# The parts of one object's description: always "name" ("第 TA0207 号提案"); a describer may add
# others a sentence can use (an assignment's "agency", a reply's "kind").
Parts = Mapping[str, str]
# (pks, reader) -> parts of the rows the reader may see named: a row of a committee the reader does
# not work in is left out and shows as its kind and id only, as before (issue 20).
Describer = Callable[[Collection[str], Any], Mapping[str, Parts]]


@dataclass(frozen=True)
class Person:
    name: str  # 杨国强
    title: str = ""  # 发改委经办人 (role with agency or committee); never a phone or work unit

    @property
    def full(self) -> str:
        return _("%(name)s（%(title)s）") % {"name": self.name, "title": self.title} if self.title else self.name


# (user ids, usernames of rows without a user, reader) -> people by id, people by username
PeopleDescriber = Callable[[Collection[int], Collection[str], Any], tuple[Mapping[int, Person], Mapping[str, Person]]]
# text typed into the person filter -> the ids of the users it names
PeopleFinder = Callable[[str, Any], Iterable[int]]


@dataclass(frozen=True)
class Page:
    """A page a refused request may name: what it does ("交办") and the model its ``pk`` names."""

    label: Any
    model_label: str = ""


_describers: dict[str, Describer] = {}
_labels: dict[str, Callable[..., str]] = {}
_phrases: dict[str, Any] = {}
_pages: dict[str, Page] = {}
_people: PeopleDescriber | None = None
_finder: PeopleFinder | None = None
# Labels already looked up, per language: an export asks for the same few codes 100,000 times.
_label_cache: dict[tuple[str, str, tuple[str, ...], str | None], str] = {}


def register_describer(model_label: str, describe: Describer) -> None:
    """``describe(pks, reader)`` returns ``{pk: {"name": …, …}}`` for the rows that exist and that
    ``reader`` may see named (their committee's), in one query."""
    _describers[model_label] = describe


def register_labels(kind: str, label: Callable[..., str]) -> None:
    """Label functions of stored codes: ``"action"`` (code), ``"state"`` (code, action), ``"role"`` (code)."""
    _labels[kind] = label
    _label_cache.clear()


def register_phrases(phrases: Mapping[str, Any]) -> None:
    """Sentences for transition codes, with ``%(object)s`` and the object's other parts
    (e.g. ``"proposal_assign"`` → "将%(object)s交办给%(assignment_agency)s"); codes without one read
    "<action label>：<object>"."""
    _phrases.update(phrases)


def register_people(describe: PeopleDescriber, find: PeopleFinder | None = None) -> None:
    global _people, _finder
    _people = describe
    _finder = find


def register_pages(namespace: str, pages: Mapping[str, Page]) -> None:
    """The pages of a URL namespace a refused request may name, by URL name."""
    for name, page in pages.items():
        _pages[f"{namespace}:{name}"] = page


def code_label(kind: str, code: str, *args: str) -> str:
    key = (kind, code, args, get_language())
    found = _label_cache.get(key)
    if found is None:
        label = _labels.get(kind)
        found = _label_cache[key] = str(label(code, *args)) if label is not None and code else code
    return found


def phrase(code: str) -> Any | None:
    return _phrases.get(code)


def page(url_name: str) -> Page | None:
    return _pages.get(url_name)


def kind_name(model_label: str) -> str:
    """The model's own name in words ("提案"), or "" for a label that names no model."""
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        return ""
    return str(model._meta.verbose_name)


def fallback_name(model_label: str, pk: str) -> str:
    kind = kind_name(model_label) or _("对象")
    return _("%(kind)s（编号 %(pk)s）") % {"kind": kind, "pk": pk} if pk else kind


def describe_objects(refs: Mapping[str, Collection[str]], reader: Any) -> dict[tuple[str, str], Parts]:
    """Every referenced object's parts, one describer call per model label."""
    out: dict[tuple[str, str], Parts] = {}
    for label, pks in refs.items():
        pks = sorted({pk for pk in pks if pk})
        if not pks:
            continue
        describe = _describers.get(label)
        found = describe(pks, reader) if describe is not None else {}
        for pk in pks:
            out[(label, pk)] = found.get(pk) or {"name": fallback_name(label, pk), "missing": "1"}
    return out


def describe_people(
    user_ids: Collection[int], usernames: Collection[str], reader: Any
) -> tuple[Mapping[int, Person], Mapping[str, Person]]:
    if _people is None or not (user_ids or usernames):
        return {}, {}
    return _people(user_ids, usernames, reader)


def find_people(text: str, reader: Any) -> Iterable[int] | None:
    """The users a typed name or username names for ``reader`` (a queryset may come back, used as
    a subquery), or None when no app registered a finder. By name only among the people ``reader``
    may see named: another committee's person is found by exact username, as their rows show."""
    if _finder is None:
        return None
    return _finder(text, reader)
