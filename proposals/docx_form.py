"""A proposal written on the usual Word form (.docx): its fields as typed, for the filing form to show.

``read_docx_form(data)`` is a pure function of the file's bytes. It reads the form whether it is a
table (a label cell, then its value: 标题 | 关于…的建议) or free paragraphs ("标题：关于…", or a line
"案由" and the paragraphs under it), and returns the texts by field plus the proposers' names as
written; matching names to members is the caller's business (it knows the committee). Nothing here
touches the database.

The file is opened only after the package has been checked as ``proposals.uploads`` checks an
attachment, with a tighter limit on what it unpacks to: python-docx reads every part into memory.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .models.proposal import TEXT_MAX_CHARS

NOT_A_WORD_FILE = _("该文件不是有效的 Word 文档（.docx），无法读取。请用 Word 另存为 .docx 后重新上传。")
NOTHING_RECOGNISED = _(
    "未能从该 Word 文档中识别出提案内容（标题、提案人、案由、建议等），请对照提案表格式检查，或直接填写下面的表单。"
)
DOCX_TOO_LARGE = _("Word 文档过大：不能超过 %(limit)s MB。")
DOCX_UNPACKED_TOO_LARGE = _("Word 文档解压后过大：不能超过 %(limit)s MB。")
TEXT_TRUNCATED = _("“%(label)s”超过 %(limit)s 字，已截断，请核对。")
NO_TITLE = _("未找到标题，请填写。")
NO_MAIN_CONTENT = _("未找到“主要内容”，已用案由预填，请核对。")

# The upload's own cap (settings.UPLOAD_MAX_BYTES is the attachments'; a Word proposal is far smaller).
MAX_BYTES = 20 * 1024 * 1024
# What the package may unpack to: python-docx holds every part in memory, and a proposal with a
# few photos stays well below this.
MAX_UNPACKED = 50 * 1024 * 1024
MAX_MEMBERS = 2_000
DOCUMENT_PART = "word/document.xml"

# Field → the labels it goes by on the forms in use (compared without spaces and colons).
LABELS: dict[str, tuple[str, ...]] = {
    "title": ("标题", "题目", "提案标题", "提案题目", "案题", "提案名称"),
    "first_proposer": ("第一提案人", "提案人", "领衔人", "领衔提案人"),
    "cosigners": ("联名人", "联名提案人", "附议人", "联署人"),
    "body_name": ("提案单位", "提案者单位"),
    "body_contact": ("联系人",),
    "phone": ("联系电话", "电话", "手机"),
    "category": ("类别", "提案类别", "分类"),
    "number": ("提案编号", "编号", "案号"),
    "main_content": ("主要内容", "内容摘要", "提案内容", "摘要"),
    "reason": ("案由", "提案理由", "理由", "情况分析", "问题分析", "现状及问题"),
    "suggestions": ("建议", "具体建议", "建议办法", "办法", "对策建议", "解决办法", "措施建议", "意见建议"),
    # The proposer's choice (issue 21, item 6): names matched to the committee's agencies by the view.
    "suggested_agencies": ("建议承办单位", "建议承办部门", "承办单位建议"),
    # Read only so that they end the field before them; not carried into the form.
    "ignored": ("工作单位", "单位", "界别", "职务", "通讯地址", "地址", "邮编", "日期", "提交日期", "审查意见"),
}
# Texts the form carries as several paragraphs.
LONG_FIELDS = ("main_content", "reason", "suggestions")
# How a label is numbered on some forms: "一、案由", "（二）建议", "3. 办法".
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、．.])\s*")
_SPACES = re.compile(r"[\s\u3000]+")
_NAME_SEPARATORS = re.compile(r"[、，,；;/\s\u3000]+")
_LABEL_OF: dict[str, str] = {label: name for name, labels in LABELS.items() for label in labels}
# Longest first, so that 第一提案人 is found before 提案人.
_INLINE = re.compile(
    r"^\s*(?:"
    + "|".join(r"[\s\u3000]*".join(map(re.escape, label)) for label in sorted(_LABEL_OF, key=len, reverse=True))
    + r")[\s\u3000]*[：:][\s\u3000]*"
)


class DocxFormError(Exception):
    """The file cannot be read as a Word proposal; ``message`` says why, for the user."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = str(message)


@dataclass
class DocxForm:
    """What was recognised: texts by field (title, main_content, reason, suggestions, category,
    number, body_name, body_contact, body_contact_phone), the proposers' names as written, and
    what the reader should check."""

    fields: dict[str, str] = field(default_factory=dict)
    first_proposer: str = ""
    cosigners: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def recognised(self) -> bool:
        return bool(self.fields or self.first_proposer or self.cosigners)


def _label(text: str) -> str | None:
    """The field a cell or line names when it is nothing but a label ("标  题：", "一、案由")."""
    bare = _NUMBERING.sub("", _SPACES.sub("", text)).rstrip("：:")
    return _LABEL_OF.get(bare)


def _inline(text: str) -> tuple[str, str] | None:
    """(field, value) of a line "标题：关于…"; None when the line does not start with a label."""
    stripped = _NUMBERING.sub("", text.strip())
    match = _INLINE.match(stripped)
    if match is None:
        return None
    head = _SPACES.sub("", match.group(0)).rstrip("：:")
    name = _LABEL_OF.get(head)
    return (name, stripped[match.end() :].strip()) if name else None


def check_package(data: bytes) -> None:
    """Refuse what is not a Word package, or would unpack to too much (a zip bomb), before opening it."""
    if len(data) > MAX_BYTES:
        raise DocxFormError(DOCX_TOO_LARGE % {"limit": MAX_BYTES // (1024 * 1024)})
    if not data.startswith(b"PK\x03\x04"):
        raise DocxFormError(NOT_A_WORD_FILE)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            names = {m.filename.casefold() for m in members}
            if len(members) > MAX_MEMBERS or DOCUMENT_PART not in names or "[content_types].xml" not in names:
                raise DocxFormError(NOT_A_WORD_FILE)
            # zipfile stops at the declared size and then checks the CRC, so the declared sizes
            # bound what opening the package can unpack.
            if sum(m.file_size for m in members) > MAX_UNPACKED:
                raise DocxFormError(DOCX_UNPACKED_TOO_LARGE % {"limit": MAX_UNPACKED // (1024 * 1024)})
            if any(m.flag_bits & 0x1 for m in members):
                raise DocxFormError(NOT_A_WORD_FILE)
    except DocxFormError:
        raise
    except Exception as exc:  # BadZipFile, OSError, EOFError, NotImplementedError…
        raise DocxFormError(NOT_A_WORD_FILE) from exc


def _cell_texts(table) -> Iterator[list[str]]:
    """Each row's cell texts, a merged cell once (python-docx repeats it for every grid column)."""
    for row in table.rows:
        seen: list[int] = []
        texts: list[str] = []
        for cell in row.cells:
            key = id(cell._tc)
            if key in seen:
                continue
            seen.append(key)
            texts.append(cell.text.strip())
        yield texts


def _blocks(document) -> Iterator[tuple[str, list[str]]]:
    """The body in order: ("p", [text]) for a paragraph, ("row", [cell texts]) for a table row."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            yield "p", [item.text]
        elif isinstance(item, Table):
            for texts in _cell_texts(item):
                yield "row", texts


class _Collector:
    """Texts by field, in the order they come; a field named twice keeps both."""

    def __init__(self) -> None:
        self.parts: dict[str, list[str]] = {}
        self.current: str | None = None

    def start(self, name: str, value: str = "") -> None:
        self.current = name
        self.parts.setdefault(name, [])
        self.add(value)

    def add(self, text: str) -> None:
        text = text.strip()
        if self.current is not None and text:
            self.parts[self.current].append(text)

    def line(self, text: str) -> None:
        """A paragraph, or one line of a cell: a label starts a field, anything else continues one."""
        found = _inline(text)
        if found is not None:
            self.start(*found)
            return
        name = _label(text)
        if name is not None:
            self.start(name)
            return
        self.add(text)


def read_docx_form(data: bytes) -> DocxForm:
    """The proposal fields of a .docx written on the proposal form. Raises DocxFormError (with the
    message to show) for a file that is not a Word document or in which nothing is recognised."""
    check_package(data)
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        blocks = list(_blocks(document))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors… on broken parts
        raise DocxFormError(NOT_A_WORD_FILE) from exc

    collector = _Collector()
    for kind, texts in blocks:
        if kind == "p":
            collector.line(texts[0])
            continue
        # A table row: label cells name the field of the cells after them; a cell may also hold a
        # whole "标题：…" line, or (a long field) several paragraphs.
        for text in texts:
            if _label(text) is not None:
                collector.start(_label(text) or "")
                continue
            for line in text.splitlines():
                collector.line(line)
        # A row's last value does not run on into the next row's cells unless a long field's text
        # goes on in rows of its own (a form whose 案由 is one cell and its text the row below).
        if collector.current not in LONG_FIELDS:
            collector.current = None
    return _result(collector.parts)


def _result(parts: dict[str, list[str]]) -> DocxForm:
    form = DocxForm()
    for name, texts in parts.items():
        if name == "ignored" or not texts:
            continue
        if name == "first_proposer":
            names = _names(" ".join(texts))
            if names:
                form.first_proposer = names[0]
                form.cosigners.extend(n for n in names[1:] if n not in form.cosigners)
            continue
        if name == "cosigners":
            form.cosigners.extend(n for n in _names(" ".join(texts)) if n not in form.cosigners)
            continue
        joiner = "\n" if name in LONG_FIELDS else " "
        value = joiner.join(texts).strip()
        limit = TEXT_MAX_CHARS if name in LONG_FIELDS else 300
        if len(value) > limit:
            label = LABELS[name][0]
            form.warnings.append(str(TEXT_TRUNCATED % {"label": label, "limit": limit}))
            value = value[:limit]
        form.fields["body_contact_phone" if name == "phone" else name] = value
    if form.first_proposer in form.cosigners:
        form.cosigners.remove(form.first_proposer)
    if not form.recognised:
        raise DocxFormError(NOTHING_RECOGNISED)
    if "title" not in form.fields:
        form.warnings.append(str(NO_TITLE))
    if "main_content" not in form.fields and form.fields.get("reason"):
        form.fields["main_content"] = form.fields["reason"]
        form.warnings.append(str(NO_MAIN_CONTENT))
    return form


def _names(text: str) -> list[str]:
    return [name for name in _NAME_SEPARATORS.split(text.strip()) if name]


def names_in(text: str) -> list[str]:
    """The names in a field as written ("市发改委、市商务局"): for the view that matches them."""
    return _names(text)
