"""Browser tests: Playwright for Python driving the system's Chromium against pytest-django's live server.

Never a downloaded browser: the executable is /usr/bin/chromium (Debian package ``chromium``), or
``E2E_CHROMIUM`` when set. Screenshots of every step go to ``test-artifacts/e2e/`` (git-ignored).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make for setup
# and assertions are ordinary blocking calls, which Django otherwise refuses next to a loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
# axe-core is used by these tests only, so it lives beside them and is never served by the app.
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # This machine's network is closed; without these Chromium keeps trying to reach Google.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install the Debian package 'chromium' (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _e2e_settings(settings):
    settings.DEBUG = False
    # The live server serves static files itself (pytest-django's live_server uses StaticLiveServerTestCase).
    settings.SECURE_SSL_REDIRECT = False


class Actor:
    """One role's own browser context, with helpers to act and to keep screenshots."""

    def __init__(self, browser, base_url: str, name: str, *, width: int = 1280, height: int = 900):
        self.name = name
        self.base_url = base_url
        self.context = browser.new_context(
            viewport={"width": width, "height": height},
            locale="zh-CN",
            accept_downloads=True,
            bypass_csp=True,  # lets the test inject axe-core; the app's own pages use no inline script
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        # Every document this role's browser loaded (a GET, a redirect's target, a form's answer);
        # a fetch inside a page does not count. The journey test reports these.
        self.loads = 0
        self.page.on("load", lambda _page: self._count_load())

    def _count_load(self) -> None:
        self.loads += 1

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        return response

    def follow(self, selector: str, url: str) -> None:
        """Click the link at ``selector`` and wait until the page at ``url`` (a glob) has loaded.

        A click only starts the navigation: reading or evaluating the page straight after it can
        see the old page, or a context the navigation then destroys.
        """
        self.page.click(selector)
        self.page.wait_for_url(url)

    def login(self, username: str, password: str) -> None:
        self.goto("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()
        assert "/accounts/login/" not in self.page.url, f"{username} could not log in"

    def shot(self, step: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^\w.-]+", "_", f"{self.name}-{step}")
        path = ARTIFACTS / f"{safe}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_chinese_renders(self) -> None:
        """Chinese text must be drawn with real glyphs, not the empty boxes of a missing font.

        Draws a Chinese string and a string of private-use code points (which no font covers, so
        they come out as .notdef boxes) on a canvas in the page's own font, and requires the two
        to differ; then requires the page to contain Chinese text at all.
        """
        result = self.page.evaluate(
            """() => {
                const font = getComputedStyle(document.body).font;
                const draw = (text) => {
                    const c = document.createElement('canvas'); c.width = 200; c.height = 40;
                    const g = c.getContext('2d'); g.font = font; g.fillStyle = '#000';
                    g.fillText(text, 2, 30);
                    return Array.from(g.getImageData(0, 0, 200, 40).data).join(',');
                };
                return {
                    chinese: draw('提案办理'), tofu: draw('\\ue000\\ue001\\ue002\\ue003'),
                    blank: draw(''), text: document.body.innerText,
                };
            }"""
        )
        assert result["chinese"] != result["blank"], "Chinese text draws nothing"
        assert result["chinese"] != result["tofu"], "Chinese text draws as empty boxes: no CJK font"
        assert re.search(r"[\u4e00-\u9fff]", result["text"]), "the page has no Chinese text"

    def axe_violations(self, impacts=("serious", "critical")) -> list[dict]:
        self.page.evaluate(AXE_JS.read_text(encoding="utf-8"))
        results = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in results["violations"]
            if v["impact"] in impacts
        ]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def actor(browser, live_server):
    made: list[Actor] = []

    def _make(name: str, **kwargs) -> Actor:
        a = Actor(browser, live_server.url, name, **kwargs)
        made.append(a)
        return a

    yield _make
    for a in made:
        a.close()


@pytest.fixture
def demo(settings):
    """The demo cast (staff, fgw_handler, fgw_leader, zhuguosheng, other_handler, other_member), all
    with the test password, and the completed TA0207 case, loaded into the test database."""
    from io import StringIO

    from django.core.management import call_command

    from tests.factories import PASSWORD

    settings.DEBUG = True  # load_demo refuses to run with DEBUG off
    call_command("load_demo", password=PASSWORD, stdout=StringIO())
    settings.DEBUG = False
    return PASSWORD
