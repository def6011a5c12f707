"""Start-up checks for what the PDF renderer needs from the system.

Without ``libharfbuzz-subset0`` WeasyPrint subsets fonts with fontTools: one two-page reply letter
with Noto CJK then takes about 17 s instead of about 0.3 s (measured on a 2-core machine).

Each face of ``settings.DOCUMENT_FONTS`` must be there: a configured file (W003) or an installed
family, and each role's fallback family (W004). A missing one is not an error: Pango silently takes
another face, so the letters still render, in a face nobody chose.
"""

from __future__ import annotations

import ctypes.util
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Warning, register

FONT_DIRS = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".local/share/fonts"]

W001_NO_CJK_FONT = "documents.W001"
W002_NO_HB_SUBSET = "documents.W002"
W003_FONT_FILE_MISSING = "documents.W003"
W004_FONT_FAMILY_MISSING = "documents.W004"

ROLE_LABELS = {
    "fangsong": "仿宋（正文）",
    "xiaobiaosong": "小标宋（标题）",
    "heiti": "黑体（一级标题）",
    "kaiti": "楷体（二级标题）",
}
# The first bytes of the font files fontconfig loads: TrueType, OpenType CFF, a collection, WOFF.
FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf", b"wOFF", b"wOF2")


def find_harfbuzz_subset() -> str | None:
    return ctypes.util.find_library("harfbuzz-subset")


def find_cjk_fonts() -> list[str]:
    """Families of installed fonts that cover Chinese, by fontconfig when it is there."""
    fc_list = shutil.which("fc-list")
    if fc_list:
        try:
            out = subprocess.run(  # noqa: S603 - fixed arguments, no user input
                [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        families = sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})
        if families:
            return families
    found = []
    for folder in FONT_DIRS:
        if folder.is_dir():
            found += [p.name for p in folder.rglob("*") if "CJK" in p.name or "cjk" in p.name]
    return found


def _family_key(name: str) -> str:
    """A family name as fontconfig compares them: case and blanks do not count."""
    return "".join(name.split()).casefold()


def installed_families() -> set[str] | None:
    """Every name (in every language) of every family fontconfig knows; None without ``fc-list``."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return None
    try:
        out = subprocess.run(  # noqa: S603 - fixed arguments, no user input
            [fc_list, ":", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


def font_file_problem(path: str) -> str:
    """Why ``path`` cannot serve as a document font ("" when it can)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except FileNotFoundError:
        return "不存在"
    except IsADirectoryError:
        return "不是文件"
    except OSError as exc:
        return f"无法读取（{exc.strerror}）"
    if head not in FONT_MAGIC:
        return "不是字体文件"
    return ""


def _font_problems() -> list[Warning]:
    problems: list[Warning] = []
    specs = settings.DOCUMENT_FONTS
    for role, spec in specs.items():
        path = spec.get("file")
        if path and (why := font_file_problem(path)):
            problems.append(
                Warning(
                    f"配置的{ROLE_LABELS.get(role, role)}字体文件{why}：{path}",
                    hint=(
                        f"检查 FONT_{role.upper()}_FILE 环境变量（未设置时是 documents/fonts/ 中随程序提供的字体）；"
                        "在此之前公文 PDF 改用其他字体。"
                    ),
                    id=W003_FONT_FILE_MISSING,
                )
            )
    by_family = [s for s in specs.values() if not s.get("file")]
    if by_family and not find_cjk_fonts():
        problems.append(
            Warning(
                "未找到中文字体，公文 PDF 中的汉字将显示为方框。",
                hint=("安装 Noto CJK 字体：sudo apt-get install fonts-noto-cjk，或在 FONT_*_FILE 中指定字体文件。"),
                id=W001_NO_CJK_FONT,
            )
        )
        return problems  # fonts-noto-cjk is the answer to each face below as well
    names = installed_families()
    if names is None:
        return problems  # without fontconfig there is no telling; W001 has looked in the font folders
    installed = {_family_key(name) for name in names}
    for role, spec in specs.items():
        if not spec.get("file") and _family_key(spec["family"]) not in installed:
            problems.append(
                Warning(
                    f"未安装{ROLE_LABELS.get(role, role)}字体“{spec['family']}”，公文 PDF 将改用其他字体。",
                    hint=(
                        f"安装该字体，或用 FONT_{role.upper()}_FAMILY 指定已安装的字体、"
                        f"FONT_{role.upper()}_FILE 指定字体文件（fc-list : family 列出已安装的字体）。"
                    ),
                    id=W004_FONT_FAMILY_MISSING,
                )
            )
    fallbacks = {spec["fallback"] for spec in specs.values() if spec.get("fallback")}
    for family in sorted(f for f in fallbacks if _family_key(f) not in installed):
        problems.append(
            Warning(
                f"未安装后备字体“{family}”：公文字体缺的字（如姓名中的生僻字）将显示为方框。",
                hint="安装 Noto CJK 字体：sudo apt-get install fonts-noto-cjk",
                id=W004_FONT_FAMILY_MISSING,
            )
        )
    return problems


@register()
def document_rendering_check(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[Warning]:
    problems: list[Warning] = []
    if find_harfbuzz_subset() is None:
        problems.append(
            Warning(
                "未找到 HarfBuzz 字体子集库（libharfbuzz-subset0）。",
                hint=(
                    "WeasyPrint 将退回 fontTools 做字体子集：一份两页的答复函约需 17 秒而不是约 0.3 秒。"
                    "安装方法：sudo apt-get install libharfbuzz-subset0"
                ),
                id=W002_NO_HB_SUBSET,
            )
        )
    problems += _font_problems()
    return problems
