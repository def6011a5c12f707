"""``{% error_summary form [formset …] %}``: the errors of a long form listed above it, each a link
to its field (``#id_<name>``), so a user who submits and sees the page again finds every one of them
without scrolling through the form. The fields keep their own messages and ``aria-describedby``."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import ngettext

register = template.Library()


@dataclass(frozen=True)
class SummaryItem:
    message: str
    label: str = ""
    anchor: str = ""  # the id of the field's input; empty for an error of the whole form


def _anchor(field: forms.BoundField) -> str:
    # Radio buttons and checkbox lists have no element with the field's own id: the first choice's.
    return field.id_for_label or (f"{field.auto_id}_0" if field.auto_id else "")


def _items(form: forms.BaseForm) -> list[SummaryItem]:
    items = [SummaryItem(str(m)) for m in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS or name not in form.fields:
            continue
        field = form[name]
        if field.is_hidden:
            items += [SummaryItem(str(m)) for m in errors]
            continue
        items += [SummaryItem(str(m), str(field.label or name), _anchor(field)) for m in errors]
    return items


@register.inclusion_tag("_error_summary.html")
def error_summary(*forms_or_formsets) -> dict[str, object]:
    items: list[SummaryItem] = []
    for obj in forms_or_formsets:
        if not obj or not getattr(obj, "is_bound", False):
            continue
        if isinstance(obj, forms.BaseFormSet):
            items += [SummaryItem(str(m)) for m in obj.non_form_errors()]
            for form in obj.forms:
                items += _items(form)
        else:
            items += _items(obj)
    n = len(items)
    return {"items": items, "heading": ngettext("请修正以下 %(n)s 处错误：", "请修正以下 %(n)s 处错误：", n) % {"n": n}}
