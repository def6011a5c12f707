"""Bad input never breaks the site: fuzzed POSTs, spoofed uploads, and source rules."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from django import forms as django_forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.audit.urlwalk import walk
from tests.factories import build_objects, fake_pdf_upload, pdf_upload
from tests.test_permission_matrix import OBJECT_OF_KIND, ROWS

ROOT = Path(__file__).resolve().parents[2]
APPS = ["config", "proposals", "replies", "consultations", "documents", "audit", "oversight", "search", "bench"]

# --- source rules ------------------------------------------------------------------------------


def project_sources():
    for app in APPS:
        folder = ROOT / app
        if folder.is_dir():
            yield from (p for p in folder.rglob("*.py") if "migrations" not in p.parts)


# Built from pieces so that grepping the tree for the forbidden spellings finds only real uses.
ALL_FIELDS = r"""fields\s*=\s*["']__""" + r"""all__["']"""
CSRF_EXEMPT = "csrf_" + "exempt"


def test_no_form_takes_all_model_fields_and_no_view_skips_csrf():
    offenders = []
    for path in project_sources():
        text = path.read_text(encoding="utf-8")
        if re.search(ALL_FIELDS, text) and "forms" in text:
            offenders.append(f"{path.relative_to(ROOT)}: every model field on a form")
        if CSRF_EXEMPT in text:
            offenders.append(f"{path.relative_to(ROOT)}: {CSRF_EXEMPT}")
    assert not offenders, offenders
    assert any(True for _ in project_sources())


# --- fuzzing every POST form ---------------------------------------------------------------------


def _form_field_names() -> dict[str, list[str]]:
    """Field names of every form class, per app (the fuzzer posts garbage under these names)."""
    import importlib

    from django.contrib.auth import forms as auth_forms

    names: dict[str, set[str]] = {"": set()}
    for obj in vars(auth_forms).values():
        if inspect.isclass(obj) and issubclass(obj, django_forms.BaseForm):
            names[""].update(getattr(obj, "base_fields", {}))
    for app in APPS:
        try:
            module = importlib.import_module(f"{app}.forms")
        except ImportError:
            continue
        found: set[str] = set()
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, django_forms.BaseForm):
                found.update(getattr(obj, "base_fields", {}))
        names[app] = found
    return {app: sorted(found) for app, found in names.items()}


FIELD_NAMES = _form_field_names()
POST_ROUTES = sorted(name for name, row in ROWS.items() if row.post != "405" and name not in {"logout"})

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "提案内容：关于加快产业合作的建议",
    "😀👍🏽🇨🇳",
    "\u202e\u200b\ufeff",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "2024-02-30",
    "9999-12-31T25:61",
    "13800000000",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "长" * 100_000,
]
scalar = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),  # any code point but surrogates: Chinese, emoji, controls, NUL
    st.integers().map(str),
    # ids past the integer columns' range, one or many (issue 18, finding 8)
    st.integers(min_value=2**31 - 1).map(str),
    st.integers(max_value=-(2**31)).map(str),
    st.floats(allow_nan=True).map(repr),
)
value = st.one_of(scalar, st.lists(scalar, min_size=2, max_size=3))  # a list where one value is expected


def _post_data(app: str):
    names = FIELD_NAMES.get(app, []) + FIELD_NAMES[""] + ["csrfmiddlewaretoken", "unexpected_field"]
    return st.dictionaries(st.sampled_from(names), value, max_size=12)


@pytest.mark.django_db
@pytest.mark.parametrize("route_name", POST_ROUTES)
def test_fuzzed_posts_never_cause_a_server_error(route_name, world):
    objects = build_objects(world)
    route = next(r for r in walk() if r.name == route_name)
    row = ROWS[route_name]
    if route.params:
        obj = objects.a[OBJECT_OF_KIND.get(row.kind, row.kind)]
        url = reverse(route_name, kwargs={route.params[0]: obj.pk})
    else:
        url = reverse(route_name)
    app = route_name.split(":")[0] if ":" in route_name else ""
    users = {
        "staff": world.staff,
        "handler_a": world.handler_a,
        "leader_a": world.leader_a,
        "proposer": world.member_user,
    }
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)

    @settings(
        max_examples=20,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )
    @given(persona=st.sampled_from(sorted(users)), data=_post_data(app))
    def post(persona, data):
        client = clients[persona]
        response = client.post(url, data)
        assert response.status_code < 500, (persona, response.status_code)
        if route_name in ("password_change", "login"):
            client.force_login(users[persona])  # a fuzzed success would change who is logged in

    post()


# --- uploads are checked by content ---------------------------------------------------------------

MISMATCH = "文件内容与扩展名不符"


@pytest.mark.django_db
def test_attachment_upload_refuses_html_named_pdf(world, login):
    from proposals.models import Attachment

    client = login(world.staff)
    url = reverse("proposals:attachment_upload", kwargs={"pk": world.proposal.pk})
    response = client.post(url, {"file": fake_pdf_upload()}, follow=True)
    assert response.status_code in (200, 400)
    assert MISMATCH in response.content.decode()
    assert not Attachment.objects.exists()
    # the same view takes a real PDF: the refusal is about the content
    client.post(url, {"file": pdf_upload()})
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_new_proposal_refuses_html_named_pdf_as_attachment(world, login):
    from proposals.models import Attachment, Proposal

    client = login(world.staff)
    before = Proposal.objects.count()
    response = client.post(
        reverse("proposals:create"),
        {
            "meeting": world.meeting.pk,
            "title": "上传测试",
            "main_content": "内容",
            "proposer_kind": "individual",
            "first_proposer": world.proposer.pk,
            "attachments": [fake_pdf_upload()],
        },
    )
    assert response.status_code in (200, 400)
    assert MISMATCH in response.content.decode()
    assert Proposal.objects.count() == before and not Attachment.objects.exists()


@pytest.mark.django_db
def test_paper_sign_off_refuses_html_named_pdf(world, login):
    from consultations.models import Consultation
    from tests.factories import record, schedule

    consultation = record(world, schedule(world))
    client = login(world.handler_a)
    response = client.post(
        reverse("consultations:paper", kwargs={"pk": consultation.pk}),
        {"opinion": "agree", "opinion_text": "同意", "scan": fake_pdf_upload("scan.pdf")},
    )
    assert response.status_code in (200, 400)
    assert MISMATCH in response.content.decode()
    consultation = Consultation.objects.get(pk=consultation.pk)
    assert not consultation.paper_scan and consultation.status != "signed"


@pytest.mark.django_db
def test_rating_on_behalf_refuses_html_named_pdf(world, login):
    from consultations.models import Rating
    from tests.factories import signed_round

    signed_round(world)
    client = login(world.staff)
    response = client.post(
        reverse("consultations:rate", kwargs={"assignment_id": world.assignment.pk}),
        {"member": world.proposer.pk, "value": "satisfied", "comment": "", "paper_form": fake_pdf_upload("form.pdf")},
    )
    assert response.status_code in (200, 400)
    assert MISMATCH in response.content.decode()
    assert not Rating.objects.exists()


@pytest.mark.django_db
def test_reply_verification_does_not_accept_html_as_an_issued_pdf(world, login):
    client = login(world.staff)
    response = client.post(reverse("replies:verify"), {"file": fake_pdf_upload()})
    assert response.status_code == 200
    assert response.context["result"] is None  # checked against issued hashes, never stored


@pytest.mark.django_db
def test_oversized_upload_is_refused(world, login, settings):
    from proposals.models import Attachment

    settings.UPLOAD_MAX_BYTES = 1024
    client = login(world.staff)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 2048, content_type="application/pdf")
    url = reverse("proposals:attachment_upload", kwargs={"pk": world.proposal.pk})
    response = client.post(url, {"file": big}, follow=True)
    assert not Attachment.objects.exists()
    # Refused for its size, and told so (not some other error).
    assert "文件过大" in response.content.decode()


@pytest.mark.django_db
def test_files_live_outside_static_and_are_served_as_attachments_with_an_audit_row(world, login, settings):
    from audit.models import AuditEvent
    from proposals import services

    assert not settings.MEDIA_URL or settings.MEDIA_URL == "/"  # no public URL for media
    media, static = Path(settings.MEDIA_ROOT).resolve(), Path(settings.STATIC_ROOT).resolve()
    assert static not in media.parents and media != static
    attachment = services.attachment_add(proposal=world.proposal, actor=world.staff, upload=pdf_upload())
    response = login(world.handler_a).get(reverse("proposals:attachment_download", kwargs={"pk": attachment.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    row = AuditEvent.objects.filter(event="download").latest("id")
    assert (row.username, row.object_label, row.object_pk) == ("handler_a", "proposals.Attachment", str(attachment.pk))


# --- integers beyond the database's range ---------------------------------------------------------

# Past every integer column (SQLite and PostgreSQL bigint stop at 2**63 - 1, integer at 2**31 - 1):
# such an id is "not found" or a form error, never a server error (issue 18, finding 8).
HUGE = "9" * 20
HUGE_VALUES = [HUGE, "-" + HUGE, str(2**63), str(2**31)]


def _filter_names() -> list[str]:
    """Query parameters that reach the database: every FilterSet's filters, and those the views read."""
    import importlib

    import django_filters

    names = {"meeting", "agency", "page", "a", "b", "part"}
    for app in APPS:
        try:
            module = importlib.import_module(f"{app}.filters")
        except ImportError:
            continue
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, django_filters.FilterSet):
                names.update(obj.base_filters)
    return sorted(names)


@pytest.mark.django_db
@pytest.mark.parametrize("param", ["meeting", "agency"])
@pytest.mark.parametrize("huge", HUGE_VALUES)
def test_public_list_with_an_out_of_range_id_is_an_empty_page(world, client, param, huge):
    response = client.get(reverse("oversight:public_list"), {param: huge})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []


@pytest.mark.django_db
def test_every_get_page_answers_out_of_range_ids_in_its_query_without_error(world):
    objects = build_objects(world)
    params = {name: HUGE for name in _filter_names()}
    staff, anonymous = Client(), Client()
    staff.force_login(world.staff)
    failures = []
    for route in walk():
        row = ROWS.get(route.name)
        if row is None or route.name in {"logout"}:
            continue
        if route.params:
            obj = objects.a[OBJECT_OF_KIND.get(row.kind, row.kind)]
            url = reverse(route.name, kwargs={route.params[0]: obj.pk})
        else:
            url = reverse(route.name)
        for who, client in (("staff", staff), ("anonymous", anonymous)):
            status = client.get(url, params).status_code
            if status >= 500:
                failures.append((route.name, who, status))
    assert not failures


@pytest.mark.django_db
@pytest.mark.parametrize("route_name", POST_ROUTES)
def test_every_post_form_answers_out_of_range_ids_without_error(route_name, world):
    objects = build_objects(world)
    route = next(r for r in walk() if r.name == route_name)
    row = ROWS[route_name]
    if route.params:
        url = reverse(route_name, kwargs={route.params[0]: objects.a[OBJECT_OF_KIND.get(row.kind, row.kind)].pk})
    else:
        url = reverse(route_name)
    app = route_name.split(":")[0] if ":" in route_name else ""
    names = [n for n in FIELD_NAMES.get(app, []) if n not in {"password", "old_password", "new_password1"}]
    failures = []
    for user in (world.staff, world.handler_a, world.member_user):
        client = Client()
        client.force_login(user)
        for data in ({n: HUGE for n in names}, {n: [HUGE, "-" + HUGE] for n in names}):
            status = client.post(url, data).status_code
            if status >= 500:
                failures.append((user.username, status))
    assert not failures


@pytest.mark.django_db
def test_out_of_range_cosigner_is_a_form_error_when_filing(world, login):
    from proposals.models import Proposal

    before = Proposal.objects.count()
    response = login(world.staff).post(
        reverse("proposals:create"),
        {
            "meeting": world.meeting.pk,
            "title": "联名测试",
            "main_content": "内容",
            "proposer_kind": "joint",
            "first_proposer": world.proposer.pk,
            "cosigners": [world.cosigner.pk, HUGE],
        },
    )
    assert response.status_code == 200
    assert "cosigners" in response.context["form"].errors
    assert Proposal.objects.count() == before


@pytest.mark.django_db
def test_out_of_range_cosigner_is_a_form_error_when_editing_a_draft(world, login):
    from tests.factories import make_proposal

    draft = make_proposal(
        meeting=world.meeting, created_by=world.member_user, first_proposer=world.proposer, status="draft"
    )
    response = login(world.member_user).post(
        reverse("proposals:edit", kwargs={"pk": draft.pk}),
        {"title": "改后的标题", "main_content": "内容", "proposer_kind": "joint", "cosigners": [HUGE]},
    )
    assert response.status_code == 200
    assert "cosigners" in response.context["form"].errors
    draft.refresh_from_db()
    assert draft.title != "改后的标题"


@pytest.mark.django_db
def test_out_of_range_cohandler_is_a_form_error_when_assigning(world, login):
    from proposals.models import Assignment
    from tests.factories import make_proposal

    registered = make_proposal(meeting=world.meeting, created_by=world.staff, status="registered", number="TA0009")
    response = login(world.staff).post(
        reverse("proposals:assign", kwargs={"pk": registered.pk}),
        {"mode": "lead", "lead_agency": world.agency_a.pk, "cohandlers": [world.agency_b.pk, HUGE]},
    )
    assert response.status_code in (200, 400)
    assert not Assignment.objects.filter(proposal=registered).exists()
