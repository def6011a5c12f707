"""The permission matrix: every URL of the project × every persona × every object relation.

For each URL pattern (walked from the resolver, tests/audit/urlwalk.py) the table ``ROWS`` says
what each persona gets, for an object of each relation:

* ``a``: the world's proposal and its parts — agency A's assignment, reply, record…; the proposer
  owns it, the co-signer co-signed it, handler_a/leader_a are the same agency, handler_b is
  another agency, the unrelated member has no relation;
* ``b``: the same kinds of object on a proposal of the unrelated member assigned to agency B
  (so handler_a is now "other agency" and the proposer "none");
* ``c``: the same kinds of object on a proposal of a second committee (its own meeting, agency,
  member and staff): no persona belongs to it, so everyone gets 404 as for ``hide``, except the
  administrator of every committee (``admin``, committee None), who gets what an administrator
  gets on ``a``;
* ``missing``: an id that does not exist (404 for everyone logged in: "missing" and "not yours"
  look the same);
* ``none``: URLs without an object.

Who may see an object of each kind comes from DESIGN.md's roles table (``SEES``), not from the
code under test. A row then says the GET status for those who see the object (``see``), for
those who don't (``hide``, 404 by the design rule), and the POST behaviour, with per-cell
``overrides`` where a role is refused a visible object (403) or redirected. ``302L`` is a redirect
to the login page; ``302`` any other redirect; ``ANY`` (POST only) means "handled": not 404,
405 or 500 — the services decide, the matrix checks the scoping.

``test_every_url_pattern_has_a_row`` fails when a URL pattern has no row, so a new page cannot
ship unchecked. Django admin's own patterns are not walked: the admin is checked per persona
through its index, a changelist and the autocomplete view (``test_admin_*``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse

from tests.audit.urlwalk import walk
from tests.factories import PERSONAS, build_objects, personas

ANON = "anonymous"
A_SIDE = {"staff", "admin", "handler_a", "leader_a", "proposer", "cosigner"}
B_SIDE = {"staff", "admin", "handler_b", "unrelated_member"}
# Another committee's objects: only an administrator of every committee crosses committees.
C_SIDE = {"admin"}

# Who sees an object of each kind, per relation (DESIGN.md "Who uses it").
SEES = {
    # staff and administrators see everything; agencies what is assigned to them; members what
    # they proposed or co-signed
    "proposal": {"a": A_SIDE, "b": B_SIDE, "c": C_SIDE},
    "assignment": {"a": A_SIDE, "b": B_SIDE, "c": C_SIDE},
    "attachment": {"a": A_SIDE, "b": B_SIDE, "c": C_SIDE},
    "extension": {"a": A_SIDE, "b": B_SIDE, "c": C_SIDE},
    # an unsigned draft reply: the committee and the agency only, never the members
    "reply": {"a": A_SIDE - {"proposer", "cosigner"}, "b": B_SIDE - {"unrelated_member"}, "c": C_SIDE},
    # the consultation record: every proposer signs it (a co-signer too); a rating is its member's own
    "consultation": {"a": A_SIDE, "b": B_SIDE, "c": C_SIDE},
    "rating": {"a": A_SIDE - {"cosigner"}, "b": B_SIDE, "c": C_SIDE},
    # committee staff pages (statistics, volumes): the committee's own staff only, 404 for everyone
    # else (the other committee's staff are not a persona: test_other_committees_own_people_see_c)
    "meeting": {"a": {"staff"}, "b": {"staff"}, "c": set()},
    "volume": {"a": {"staff"}, "b": {"staff"}, "c": set()},
    # a notification in the app: its own user's only (the handler of the side)
    "notification": {"a": {"handler_a"}, "b": {"handler_b"}, "c": set()},
    # a reply that is not published: nobody sees it on the public pages
    "unpublished": {"a": set(), "b": set(), "c": set()},
}
RELATIONS = ("a", "b", "c", "missing")

LOGGED_IN = [p for p in PERSONAS if p != ANON]


@dataclass(frozen=True)
class Row:
    """Expected statuses for one URL. ``kind`` None: a URL without an object."""

    kind: str | None
    see: str = "200"  # GET by a persona who sees the object (or, without object, everyone logged in)
    hide: str = "404"  # GET by a persona who does not
    anon: str = "302L"
    post: str = "405"  # POST (empty form) by a persona who sees it; "ANY" = handled by the view
    post_hide: str = "404"  # POST by a persona who does not see it
    post_anon: str = "302L"
    overrides: dict = field(default_factory=dict)  # {(relation|"*", persona): "GET[/POST]"}
    why: str = ""


def staff_only(**kw) -> Row:
    kw.setdefault("overrides", {})
    for persona in LOGGED_IN:
        if persona != "staff":
            kw["overrides"].setdefault(("none", persona), kw.get("hide", "404") + "/" + kw.get("post_hide", "405"))
    return Row(None, **kw)


def everyone_but(allowed: set[str], get_ok: str, get_no: str, post_ok: str = "ANY", post_no: str = "") -> dict:
    return {
        ("none", p): (f"{get_ok}/{post_ok}" if p in allowed else f"{get_no}/{post_no or get_no}") for p in LOGGED_IN
    }


POST_ACTION = {"see": "405", "hide": "405", "post": "ANY"}  # POST-only: the method is checked before the object
AGENCY = {"handler_a", "leader_a", "handler_b"}
MEMBERS = {"proposer", "cosigner", "unrelated_member"}


def refuse(rel_personas: dict[str, set[str]], status: str) -> dict:
    """Overrides: these personas see the object but are refused this page (403) or redirected."""
    return {(rel, p): status for rel, people in rel_personas.items() for p in people}


ROWS: dict[str, Row] = {
    # --- project pages ---------------------------------------------------------------------------
    "home": Row(None, see="302", post="302", why="each role is redirected to its own start page"),
    "healthz": Row(None, anon="200", post_anon="405", why="load balancer probe, no data"),
    "login": Row(None, see="302", anon="200", post="302", post_anon="200", why="logged in: redirected onwards"),
    "logout": Row(None, see="405", anon="405", post="302L", post_anon="302L", why="POST only, back to login"),
    "password_change": Row(None, post="ANY"),
    "password_change_done": Row(None),
    "admin_password_change": Row(
        None, see="302", anon="302", post="302", post_anon="302", why="to the site's limited password page"
    ),
    "audit:events": Row(
        None, see="404", overrides={("none", "auditor"): "200/405"}, why="the audit log: auditors only, 404 else"
    ),
    "audit:export": Row(
        None, see="404", overrides={("none", "auditor"): "200/405"}, why="the audit log's workbook: as the log"
    ),
    # --- proposals -------------------------------------------------------------------------------
    "proposals:list": Row(None, why="scoped content: test_lists_and_exports_are_scoped"),
    "proposals:export": Row(None, why="scoped content: test_lists_and_exports_are_scoped"),
    "proposals:batch": Row(
        None,
        see="405",
        post="ANY",
        overrides=everyone_but({"staff"}, "405", "405", "ANY", "403"),
        why="batch actions: POST only, staff only (403), rows limited to the staff's own (test_batch)",
    ),
    "proposals:mine": Row(None),
    "proposals:inbox": Row(None),
    "proposals:staff_queue": Row(None),
    "proposals:create": Row(
        None,
        post="ANY",
        overrides=everyone_but({"staff", *MEMBERS}, "200", "403"),
        why="staff file from paper, members draft; others 403",
    ),
    "proposals:word_import": Row(
        None,
        post="ANY",
        overrides=everyone_but({"staff", *MEMBERS}, "200", "403"),
        why="a proposal from a Word file: those who file (staff, members); others 403",
    ),
    "proposals:detail": Row("proposal"),
    "proposals:edit": Row(
        "proposal",
        see="403",
        post="403",
        why="only the author's own draft is editable; the world's proposals are past draft",
    ),
    "proposals:submit": Row("proposal", **POST_ACTION),
    "proposals:register": Row("proposal", **POST_ACTION),
    "proposals:decline": Row("proposal", **POST_ACTION),
    "proposals:assign": Row("proposal", see="403", post="403", why="staff only, and only a registered proposal"),
    "proposals:set_key": Row("proposal", **POST_ACTION),
    "proposals:attachment_upload": Row("proposal", **POST_ACTION),
    "proposals:similarity_dismiss": Row("proposal", **POST_ACTION),
    "proposals:merge": Row(
        "proposal", see="403", post="403", why="staff only, on a proposal not yet assigned (test_merge.py)"
    ),
    "proposals:unmerge": Row("proposal", **POST_ACTION),
    "proposals:cosign": Row(
        "proposal",
        overrides=refuse({"a": {"handler_a", "leader_a"}, "b": {"handler_b"}}, "403/405"),
        why="co-signer confirmation: staff and the proposal's members; agencies have no part in it (403)",
    ),
    "proposals:cosign_confirm": Row("proposal", **POST_ACTION),
    "proposals:cosign_decline": Row("proposal", **POST_ACTION),
    "proposals:cosign_paper": Row("proposal", **POST_ACTION, why="staff only (403 else); the service decides"),
    "proposals:cosign_remove": Row("proposal", **POST_ACTION),
    "proposals:attachment_download": Row("attachment"),
    "proposals:assignment_accept": Row("assignment", **POST_ACTION),
    "proposals:assignment_return": Row("assignment", **POST_ACTION),
    "proposals:assignment_reassign": Row("assignment", **POST_ACTION),
    "proposals:assignment_extension": Row("assignment", **POST_ACTION),
    "proposals:assignment_urge": Row("assignment", **POST_ACTION),
    "proposals:extension_approve": Row("extension", **POST_ACTION),
    "proposals:extension_refuse": Row("extension", **POST_ACTION),
    "proposals:picker_members": Row(
        None,
        overrides=everyone_but({"staff", *MEMBERS}, "200", "403", post_ok="405", post_no="405"),
        why="the filing form's member search: those who file (staff, members); GET only",
    ),
    "proposals:picker_agencies": Row(
        None,
        overrides=everyone_but({"staff"}, "200", "403", post_ok="405", post_no="405"),
        why="the assignment form's agency search: staff only; GET only",
    ),
    # --- replies ---------------------------------------------------------------------------------
    "replies:assignment": Row("assignment"),
    "replies:create": Row("assignment", **POST_ACTION),
    "replies:verify": Row(None, post="ANY", why="checks an uploaded file against issued hashes"),
    "replies:detail": Row("reply"),
    "replies:save": Row("reply", **POST_ACTION),
    "replies:submit": Row("reply", **POST_ACTION),
    "replies:issue": Row("reply", **POST_ACTION),
    "replies:return": Row("reply", **POST_ACTION),
    "replies:versions": Row("reply"),
    "replies:diff": Row("reply", see="404", why="without ?from=&to= there is nothing to compare"),
    "replies:pdf": Row("reply", why="a draft's preview PDF, for the agency and the committee"),
    "replies:copy_pdf": Row(
        "reply", see="404", why="a 并案 group's copy (?proposal=), when answered a copy each (test_merge.py)"
    ),
    "replies:follow_up": Row(
        "assignment",
        post="ANY",
        why="跟踪办理: whoever sees the assignment reads; the agency files (the service checks)",
    ),
    "replies:follow_ups": Row(
        None,
        overrides=everyone_but({"staff", "admin", *AGENCY}, "200", "404", post_ok="405", post_no="405"),
        why="the list of follow-ups: staff and agencies (scoped by the reply selector); GET only",
    ),
    # --- consultations ---------------------------------------------------------------------------
    "consultations:mine": Row(None),
    "consultations:assignment": Row("assignment"),
    "consultations:schedule": Row("assignment", **POST_ACTION),
    "consultations:rate": Row(
        "assignment",
        see="302",
        post="ANY",
        overrides=refuse(
            {"a": {"handler_a", "leader_a", "admin"}, "b": {"handler_b", "admin"}, "c": {"admin"}}, "403/ANY"
        ),
        why="members (and staff on their behalf) rate once the reply is issued: redirected until then",
    ),
    "consultations:record": Row(
        "consultation",
        see="403",
        post="403",
        overrides={("a", "handler_a"): "200/ANY", ("b", "handler_b"): "200/ANY"},
        why="only the agency's handler fills in the record",
    ),
    "consultations:sign": Row(
        "consultation",
        post="ANY",
        why="the page shows who signs; the service lets only the member sign",
    ),
    "consultations:paper": Row("consultation", see="403", post="ANY", why="paper sign-off only once held"),
    "consultations:resign": Row(
        "consultation", **POST_ACTION, why="POST only; the service decides (the agency, a changed reply)"
    ),
    "consultations:pdf": Row("consultation"),
    "consultations:scan": Row("consultation", see="404", why="no scan uploaded: nothing to download"),
    "consultations:signature": Row("consultation", see="404", why="not signed yet: no signature image"),
    # a joint record's other proposer's row (by its own id): unsigned in the matrix, so nothing to get
    "consultations:signer_scan": Row("consultation", see="404", why="no scan uploaded: nothing to download"),
    "consultations:signer_signature": Row("consultation", see="404", why="not signed yet: no signature image"),
    "consultations:rating_form": Row("rating"),
    "consultations:close": Row(
        "proposal",
        see="403",
        post="403",
        overrides={("a", "staff"): "200/ANY", ("b", "staff"): "200/ANY"},
        why="staff close a case",
    ),
    # --- oversight (committee staff) and public pages ----------------------------------------------
    "oversight:dashboard": staff_only(),
    # Each role's work queues: staff, agency users and members; 404 for the roles without queues.
    "oversight:home": Row(
        None,
        overrides=everyone_but({"staff", *AGENCY, *MEMBERS}, "200", "404", post_ok="405", post_no="405"),
    ),
    "oversight:statistics": Row("meeting"),
    "oversight:statistics_xlsx": Row("meeting"),
    "oversight:volumes": staff_only(),
    "oversight:volume_request": Row(
        None, see="405", post="404", why="POST only; 404 for non-staff, and for staff naming no meeting"
    ),
    "oversight:volume_detail": Row("volume"),
    "oversight:volume_status": Row("volume"),
    "oversight:volume_download": Row("volume", see="404", why="the build has not produced a file yet"),
    "oversight:failed_tasks": staff_only(),
    "oversight:backfill": Row(
        None,
        post="ANY",
        overrides=everyone_but({"staff"}, "200", "403"),
        why="back-dated entry (补录): committee staff only; others 403, as the filing page",
    ),
    # The Excel workbook (issue 17): committee staff and administrators; everyone else 404. A job is
    # named by a token, not an object of the matrix: an unknown one is 404 for everyone (the
    # uploader's own job: tests/oversight/test_workbook_views.py).
    "oversight:workbook_home": Row(
        None, overrides=everyone_but({"staff", "admin"}, "200", "404", post_ok="405", post_no="405")
    ),
    "oversight:workbook_export": Row(
        None, overrides=everyone_but({"staff", "admin"}, "200", "404", post_ok="405", post_no="405")
    ),
    "oversight:workbook_template": Row(
        None, overrides=everyone_but({"staff", "admin"}, "200", "404", post_ok="405", post_no="405")
    ),
    "oversight:workbook_upload": Row(
        None,
        overrides=everyone_but({"staff", "admin"}, "405", "405", post_ok="302", post_no="404"),
        why="POST only; without a file staff are sent back to the page with the message",
    ),
    "oversight:workbook_job": Row("volume", see="404", post_hide="405", why="an unknown token"),
    "oversight:workbook_job_status": Row("volume", see="404", post_hide="405", why="an unknown token"),
    "oversight:workbook_commit": Row("volume", see="405", hide="405", post="404", why="POST only; an unknown token"),
    # One's own notifications: every logged-in user has the list; a missing or another's id is 404.
    "oversight:notifications": Row(None),
    "oversight:notification_open": Row("notification", see="302", post="405"),
    "oversight:notifications_read": Row(None, see="405", post="302"),
    "oversight:reply_unpublish": Row("unpublished", post="404", why="only an issued, published reply"),
    "oversight:public_list": Row(None, anon="200", post_anon="405", why="public"),
    "oversight:public_detail": Row("unpublished", anon="404", post_anon="405", post_hide="405", why="public"),
    "oversight:public_pdf": Row("unpublished", anon="404", post_anon="405", post_hide="405", why="public"),
}

# Which object a URL's id names (the URL's only parameter).
KIND_OF_PARAM = {name: row.kind for name, row in ROWS.items() if row.kind}
OBJECT_OF_KIND = {"unpublished": "reply"}


def expected(row: Row, relation: str, persona: str) -> tuple[str, str]:
    """(GET, POST) expectation of one cell."""
    for key in ((relation, persona), ("*", persona)):
        if key in row.overrides:
            get, _, post = row.overrides[key].partition("/")
            return get, post or row.post
    if persona == ANON:
        return row.anon, row.post_anon
    if row.kind is None:
        return row.see, row.post
    if relation == "missing":
        return ("405" if row.see == "405" else "404"), ("405" if row.post == "405" else "404")
    if persona in SEES[row.kind][relation]:
        return row.see, row.post
    return row.hide, ("405" if row.post == "405" else row.post_hide)


def matches(expect: str, response) -> bool:
    code = response.status_code
    if expect == "ANY":
        return code not in (404, 405, 500)
    if expect == "302L":
        return code == 302 and response["Location"].startswith("/accounts/login/")
    if expect == "302":
        return code == 302 and not response["Location"].startswith("/accounts/login/")
    return str(code) == expect


@pytest.fixture
def objects(world):
    return build_objects(world, other_committee=True)


def test_every_url_pattern_has_a_row():
    names = [route.name for route in walk()]
    missing = sorted(set(names) - set(ROWS))
    assert not missing, f"URL patterns without a row in the permission matrix: {missing}"
    stale = sorted(set(ROWS) - set(names))
    assert not stale, f"rows for URLs that no longer exist: {stale}"
    for name, row in ROWS.items():
        assert row.kind is None or row.kind in SEES, name
        for (relation, persona), _status in row.overrides.items():
            assert relation in (*RELATIONS, "none", "*") and persona in PERSONAS, (name, relation, persona)
    for kind, by_relation in SEES.items():
        assert set(by_relation) == set(RELATIONS) - {"missing"}, kind
        # another committee's object: seen by the administrator of every committee at most, and by
        # them only where an administrator sees the first committee's
        assert by_relation["c"] <= {"admin"} & by_relation["a"], kind


def test_other_committee_cells_follow_the_administrators_a_cells():
    """The rule of relation "c", checked on the table itself: hide for every persona but the
    administrator of every committee, who gets exactly their "a" answer."""
    for name, row in ROWS.items():
        if row.kind is None:
            continue
        for persona in LOGGED_IN:
            if persona == "admin":
                assert expected(row, "c", persona) == expected(row, "a", persona), name
            else:
                assert expected(row, "c", persona) == (row.hide, "405" if row.post == "405" else row.post_hide), (
                    name,
                    persona,
                )


@pytest.mark.django_db
def test_permission_matrix(world, objects, settings, capsys):
    settings.AXES_ENABLED = False  # thousands of requests from one address are not an attack here
    people = personas(world)
    clients = {}
    for name, user in people.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        clients[name] = client
    failures, cells = [], 0
    for route in walk():
        row = ROWS[route.name]
        relations = RELATIONS if route.params else ["none"]
        for relation in relations:
            if route.params:
                kind = OBJECT_OF_KIND.get(row.kind, row.kind)
                pk = 999_999 if relation == "missing" else getattr(objects, relation)[kind].pk
                url = reverse(route.name, kwargs={route.params[0]: pk})
            else:
                url = reverse(route.name)
            for persona in PERSONAS:
                get_expect, post_expect = expected(row, relation, persona)
                client = clients[persona]
                got_get = client.get(url)
                got_post = client.post(url, {})
                cells += 1
                if not matches(get_expect, got_get) or not matches(post_expect, got_post):
                    failures.append(
                        f"{route.name} [{relation}] {persona}: expected GET {get_expect} POST {post_expect}, "
                        f"got GET {got_get.status_code} POST {got_post.status_code}"
                    )
                if got_get.status_code == 302 and persona != ANON and not route.name.startswith(("login", "home")):
                    # a logged-in user's redirect must never be to the login page (that would hide a 403)
                    assert not got_get["Location"].startswith("/accounts/login/"), (route.name, persona)
        # logging out through the matrix would end the persona's session
        if route.name == "logout":
            for persona, user in people.items():
                if user is not None:
                    clients[persona].force_login(user)
    with capsys.disabled():
        print(f"\npermission matrix: {cells} cells (URL × persona × relation), each checked by GET and POST")
    assert not failures, "\n".join(failures)
    assert cells >= len(ROWS) * len(PERSONAS)


@pytest.mark.django_db
def test_other_committees_own_people_see_c(world, objects, settings):
    """Relation "c" is hidden by scope, not by broken objects: the other committee's staff and
    handler get, on its objects, the GET answer staff and handler_a get on "a"."""
    settings.AXES_ENABLED = False
    other = objects.other
    checked = 0
    for user, mirror in ((other.staff, "staff"), (other.handler, "handler_a")):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for route in walk():
            row = ROWS[route.name]
            if not route.params or row.kind == "unpublished":
                continue
            get_expect, _post = expected(row, "a", mirror)
            pk = objects.c[OBJECT_OF_KIND.get(row.kind, row.kind)].pk
            response = client.get(reverse(route.name, kwargs={route.params[0]: pk}))
            assert matches(get_expect, response), (route.name, user.username, get_expect, response.status_code)
            checked += get_expect == "200"
    assert checked > 20  # most of them are pages that open


# --- scoping inside pages that list many objects ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", LOGGED_IN)
def test_lists_and_exports_are_scoped(world, objects, login, persona):
    from io import BytesIO

    from openpyxl import load_workbook

    user = personas(world)[persona]
    client = login(user)
    a, b, c = objects.a["proposal"], objects.b["proposal"], objects.c["proposal"]
    sees_a, sees_b = persona in SEES["proposal"]["a"], persona in SEES["proposal"]["b"]
    sees_c = persona in SEES["proposal"]["c"]
    page = client.get(reverse("proposals:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert (a.title in html) is sees_a
    assert (b.title in html) is sees_b
    assert (c.title in html) is sees_c
    export = client.get(reverse("proposals:export"))
    assert export.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(export.streaming_content) if export.streaming else export.content)).active
    cells = {str(c.value) for r in sheet.iter_rows() for c in r if c.value is not None}
    assert (a.number in cells) is sees_a
    assert (b.number in cells) is sees_b
    assert (c.number in cells) is sees_c


@pytest.mark.django_db
def test_pages_without_an_object_never_show_another_committees_records(world, objects, settings):
    """The lists, queues, dashboard and pickers of every persona but the administrator of every
    committee name nothing of the other committee: its proposal, agency, member or meeting prefix."""
    settings.AXES_ENABLED = False
    other, c = objects.other, objects.c["proposal"]
    names = (c.title, c.number, other.agency.name, other.member.name, other.committee.display_name)
    routes = [route for route in walk() if not route.params and route.name not in ("logout", "proposals:export")]
    for persona, user in personas(world).items():
        if persona == "admin":
            continue
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        for route in routes:
            response = client.get(reverse(route.name))
            if response.status_code != 200 or response.streaming:
                continue
            text = response.content.decode(errors="replace")
            leaked = [name for name in names if name in text]
            assert not leaked, (route.name, persona, leaked)


# --- the admin ----------------------------------------------------------------------------------

ADMIN_URLS = ["/admin/", "/admin/proposals/proposal/", "/admin/audit/auditevent/"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_only_for_administrators(world, login, persona):
    client = login(personas(world)[persona])
    for url in ADMIN_URLS:
        response = client.get(url)
        if persona == "admin":
            assert response.status_code == 200, url
        else:
            # no admin-site rights (is_staff False): sent to the admin login, which they cannot pass
            assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), (url, persona)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_autocomplete_is_closed_to_non_administrators(world, login, persona):
    client = login(personas(world)[persona])
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "proposals", "model_name": "proposal", "field_name": "first_proposer", "term": "张"},
    )
    if persona == "admin":
        assert response.status_code == 200
        names = [r["text"] for r in response.json()["results"]]
        assert "张三" in names
    else:
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/")
