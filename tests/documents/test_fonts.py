"""The documents' faces (issue 16, item 4): a 仿宋 body by default, from the vendored FandolFang, with
Noto CJK for what it lacks; the FONT_* overrides; the system checks on missing faces."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from pypdf import PdfReader

from config import settings as config_settings
from documents import checks, render
from proposals import seed
from replies.pdf import render_reply_pdf
from tests.documents.pdfutil import pdf_fonts, pdf_text, squeeze
from tests.documents.test_pdf_reply_letter import ta0207_reply

FONT_DIR = Path(django_settings.BASE_DIR) / "documents" / "fonts"
# Not in FandolFang (it has GB2312 and about 1,200 more), in Noto Serif CJK SC: a name's rare character.
RARE = "堃"


def text_by_font(data: bytes) -> dict[str, str]:
    """The text each embedded font draws, by font name without its subset tag."""
    drawn: dict[str, list[str]] = defaultdict(list)

    def visit(text, _cm, _tm, font, _size):
        if font and text.strip():
            drawn[str(font.get("/BaseFont", "")).lstrip("/").split("+")[-1]].append(text)

    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    return {name: squeeze("".join(parts)) for name, parts in drawn.items()}


@pytest.fixture(scope="module")
def ta0207_pdf() -> bytes:
    return render_reply_pdf(ta0207_reply())


def test_ta0207_body_and_contact_block_are_fangsong_and_the_title_noto_serif_bold(ta0207_pdf):
    names = {f["name"].split("+")[-1] for f in pdf_fonts(ta0207_pdf)}
    assert "FandolFang-Regular" in names and "Noto-Serif-CJK-SC-Bold" in names, names
    drawn = text_by_font(ta0207_pdf)
    body = drawn["FandolFang-Regular"]
    for paragraph in [*seed.REPLY_PARAGRAPHS, seed.REPLY_CLOSING]:
        assert squeeze(paragraph) in body
    assert squeeze(f"承办人：{seed.REPLY_HANDLER}") in body and seed.REPLY_PHONE in body
    assert "第TA0207号提案的答复" in drawn["Noto-Serif-CJK-SC-Bold"]
    # The body's 仿宋 has every character of the seed letter: nothing fell back to Noto's regular face.
    assert "Noto-Serif-CJK-SC" not in drawn, drawn.get("Noto-Serif-CJK-SC")


def test_a_rare_character_the_face_lacks_comes_from_noto_and_is_kept():
    data = render_reply_pdf(ta0207_reply(handler_name=f"王{RARE}"))
    assert f"承办人：王{RARE}" in pdf_text(data)
    drawn = text_by_font(data)
    assert drawn["Noto-Serif-CJK-SC"] == RARE
    assert "承办人：王" in drawn["FandolFang-Regular"]


def test_headings_are_heiti_and_kaiti():
    body = "一、总体情况。今年工作进展顺利。\n（一）具体措施\n正文段落。"
    drawn = text_by_font(render_reply_pdf(ta0207_reply(body=body)))
    assert "一、总体情况。" in drawn["Noto-Sans-CJK-SC"]
    assert "（一）具体措施" in drawn["FandolKai-Regular"]
    assert "正文段落。" in drawn["FandolFang-Regular"]


def test_default_css_loads_the_vendored_faces_with_noto_after_them():
    css = render.font_css()
    for name in ("FandolFang-Regular", "FandolKai-Regular"):
        assert f'font-family: "{name}"; src: url("{(FONT_DIR / f"{name}.otf").as_uri()}")' in css
    assert '--font-fangsong: "FandolFang-Regular", "Noto Serif CJK SC", serif;' in css
    assert '--font-kaiti: "FandolKai-Regular", "Noto Serif CJK SC", serif;' in css
    assert '--font-xiaobiaosong: "Noto Serif CJK SC", serif;' in css
    assert '--font-heiti: "Noto Sans CJK SC", sans-serif;' in css


def test_vendored_faces_come_with_their_licence_and_allow_embedding():
    from fontTools.ttLib import TTFont

    licence = (FONT_DIR / "COPYING").read_text()
    assert "GNU GENERAL PUBLIC LICENSE" in licence
    assert "if you create a document which uses this font, and\nembed this font" in licence
    for name in ("FandolFang-Regular.otf", "FandolKai-Regular.otf"):
        with TTFont(FONT_DIR / name, lazy=True) as font:
            # fsType: 0 installable, or only bit 3 (editable embedding); bits 1/2 would forbid PDFs.
            assert font["OS/2"].fsType & 0b0110 == 0, name


@pytest.mark.parametrize(
    ("env", "family", "file"),
    [
        ({}, "FandolFang", str(FONT_DIR / "FandolFang-Regular.otf")),
        ({"FONT_FANGSONG_FAMILY": "仿宋_GB2312"}, "仿宋_GB2312", ""),
        ({"FONT_FANGSONG_FILE": "/srv/fonts/simfang.ttf"}, "FandolFang", "/srv/fonts/simfang.ttf"),
        (
            {"FONT_FANGSONG_FILE": "/srv/fonts/fs.ttf", "FONT_FANGSONG_FAMILY": "仿宋"},
            "仿宋",
            "/srv/fonts/fs.ttf",
        ),
    ],
)
def test_font_environment_variables(monkeypatch, env, family, file):
    for name in ("FONT_FANGSONG_FAMILY", "FONT_FANGSONG_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = config_settings._document_font("fangsong", "FandolFang", "FandolFang-Regular.otf")
    assert spec == {"family": family, "file": file, "fallback": "Noto Serif CJK SC"}


def test_an_installed_family_is_named_without_a_font_face(settings):
    settings.DOCUMENT_FONTS = {"fangsong": {"family": "仿宋_GB2312", "file": "", "fallback": "Noto Serif CJK SC"}}
    css = render.font_css()
    assert "@font-face" not in css
    assert '--font-fangsong: "仿宋_GB2312", "Noto Serif CJK SC", serif;' in css


def test_a_configured_file_replaces_the_vendored_face_and_is_embedded(settings):
    other = next(Path("/usr/share/fonts").rglob("DejaVuSerif.ttf"), None)
    if other is None:
        pytest.skip("DejaVu Serif is not installed")
    settings.DOCUMENT_FONTS = {
        **settings.DOCUMENT_FONTS,
        "fangsong": {"family": "FandolFang", "file": str(other), "fallback": "Noto Serif CJK SC"},
    }
    css = render.font_css()
    assert f'font-family: "DejaVuSerif"; src: url("{other.resolve().as_uri()}")' in css
    assert "FandolFang" not in css.split(":root")[0]
    data = render_reply_pdf(ta0207_reply())
    drawn = text_by_font(data)
    # The Latin of the body from the configured file (which Pango names by its family, being
    # installed too), its Chinese from the fallback.
    serif = [name for name in drawn if name.replace("-", "") == "DejaVuSerif"]
    assert serif and seed.REPLY_PHONE in drawn[serif[0]], drawn.keys()
    assert squeeze(seed.REPLY_CLOSING) in drawn["Noto-Serif-CJK-SC"]


def test_a_file_that_is_no_font_is_loaded_under_a_name_of_its_own(settings, tmp_path):
    bogus = tmp_path / "fangsong.otf"
    bogus.write_bytes(b"not a font")
    settings.DOCUMENT_FONTS = {"fangsong": {"family": "X", "file": str(bogus), "fallback": "Noto Serif CJK SC"}}
    assert '--font-fangsong: "PD fangsong", "Noto Serif CJK SC", serif;' in render.font_css()


def test_family_names_from_the_environment_cannot_break_out_of_the_css(settings):
    settings.DOCUMENT_FONTS = {"heiti": {"family": 'A"; } body { color: red', "file": "", "fallback": "B"}}
    css = render.font_css()
    assert re.fullmatch(r':root \{\n--font-heiti: "A; } body { color: red", "B", serif;\n\}', css), css


# --- System checks -------------------------------------------------------------------------------


def ids(problems) -> list[str]:
    return [p.id for p in problems]


def test_checks_are_quiet_with_the_defaults():
    assert checks.document_rendering_check() == []


def test_w003_when_a_configured_file_is_missing_or_no_font(settings, tmp_path):
    bogus = tmp_path / "fs.otf"
    bogus.write_bytes(b"<html>")
    settings.DOCUMENT_FONTS = {
        **settings.DOCUMENT_FONTS,
        "fangsong": {"family": "FandolFang", "file": str(tmp_path / "gone.otf"), "fallback": "Noto Serif CJK SC"},
        "kaiti": {"family": "FandolKai", "file": str(bogus), "fallback": "Noto Serif CJK SC"},
    }
    problems = checks.document_rendering_check()
    assert ids(problems) == [checks.W003_FONT_FILE_MISSING] * 2
    assert "仿宋" in problems[0].msg and "不存在" in problems[0].msg and "FONT_FANGSONG_FILE" in problems[0].hint
    assert "楷体" in problems[1].msg and "不是字体文件" in problems[1].msg


def test_w004_when_a_configured_family_is_not_installed(settings):
    settings.DOCUMENT_FONTS = {
        **settings.DOCUMENT_FONTS,
        "fangsong": {"family": "仿宋_GB2312", "file": "", "fallback": "Noto Serif CJK SC"},
    }
    problems = checks.document_rendering_check()
    assert ids(problems) == [checks.W004_FONT_FAMILY_MISSING]
    assert "仿宋_GB2312" in problems[0].msg and "FONT_FANGSONG_FAMILY" in problems[0].hint


def test_w004_when_the_fallback_is_not_installed(settings, monkeypatch):
    installed = checks.installed_families()
    assert installed and "Noto Serif CJK SC" in installed
    monkeypatch.setattr(checks, "installed_families", lambda: installed - {"Noto Serif CJK SC"})
    problems = checks.document_rendering_check()
    # The title's family is the fallback itself: one warning for it, one for the fallback.
    assert ids(problems) == [checks.W004_FONT_FAMILY_MISSING] * 2
    assert "小标宋" in problems[0].msg
    assert "后备字体“Noto Serif CJK SC”" in problems[1].msg and "fonts-noto-cjk" in problems[1].hint


def test_w001_alone_when_no_chinese_font_is_installed(settings, monkeypatch):
    monkeypatch.setattr(checks, "find_cjk_fonts", lambda: [])
    monkeypatch.setattr(checks, "installed_families", lambda: {"DejaVu Sans"})
    assert ids(checks.document_rendering_check()) == [checks.W001_NO_CJK_FONT]


def test_a_family_is_found_whatever_its_case_and_blanks(settings):
    settings.DOCUMENT_FONTS = {
        **settings.DOCUMENT_FONTS,
        "heiti": {"family": "notosanscjk sc", "file": "", "fallback": "Noto Sans CJK SC"},
    }
    assert checks.document_rendering_check() == []


def test_w003_names_a_folder_given_as_a_font_file(settings, tmp_path):
    settings.DOCUMENT_FONTS = {
        **settings.DOCUMENT_FONTS,
        "kaiti": {"family": "FandolKai", "file": str(tmp_path), "fallback": "Noto Serif CJK SC"},
    }
    problems = checks.document_rendering_check()
    assert ids(problems) == [checks.W003_FONT_FILE_MISSING] and "不是文件" in problems[0].msg
