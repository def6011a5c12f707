"""The search-as-you-type pickers (issue 20): members found by name, pinyin initials, 界别 and work
unit, agencies by name; the JSON endpoints scoped like the forms; the plain selects naming namesakes
apart; the assignment form grouped by mode."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals import forms, services
from proposals.models import Agency, Assignment, Member
from proposals.pinyin import name_initials
from proposals.selectors.pickers import PICKER_LIMIT
from tests.factories import make_other_committee

pytestmark = pytest.mark.django_db

MEMBERS_URL = reverse("proposals:picker_members")
AGENCIES_URL = reverse("proposals:picker_agencies")


def found(client, url, q: str) -> list[dict]:
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


def names(results: list[dict]) -> list[str]:
    return [r["name"] for r in results]


# --- Pinyin initials -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("张三", "zs"),
        ("朱国胜", "zgs"),
        ("单雄信", "dxx sxx"),
        # a surname read as an ordinary word (céng) gets its surname reading too
        ("曾国藩", "cgf zgf"),
        ("阿依古丽·买买提", "ayglmmt"),
        ("Tom", ""),
    ],
)
def test_name_initials(name, initials):
    assert name_initials(name) == initials


def test_member_initials_follow_the_name_on_save(world):
    member = Member.objects.create(name="张三丰", sector="经济界")
    assert Member.objects.get(pk=member.pk).name_initials == "zsf"
    member.name = "李四光"
    member.save(update_fields=["name"])
    assert Member.objects.get(pk=member.pk).name_initials == "lsg"


def test_members_written_in_bulk_get_initials_too(world):
    [member] = Member.objects.bulk_create([Member(committee_id=world.proposer.committee_id, name="王小明")])
    assert Member.objects.get(name="王小明").name_initials == "wxm"
    member.name = "刘小明"
    Member.objects.bulk_update([member], ["name"])
    assert Member.objects.get(pk=member.pk).name_initials == "lxm"


def test_migration_fills_initials_of_existing_members(world):
    Member.objects.update(name_initials="")
    migration = importlib.import_module("proposals.migrations.0019_member_name_initials")
    migration.fill_initials(django_apps, None)
    assert Member.objects.get(pk=world.proposer.pk).name_initials == "zs"
    assert Member.objects.get(pk=world.cosigner.pk).name_initials == "ls"


# --- The member endpoint ---------------------------------------------------------------------
@pytest.fixture
def namesakes(world):
    a = Member.objects.create(name="张伟", sector="经济界", work_unit="晋城市第一中学", phone="13800000011")
    b = Member.objects.create(name="张伟", sector="教育界", work_unit="晋城市人民医院", phone="13800000012")
    return a, b


def test_staff_find_members_by_name_initials_sector_and_work_unit(world, login, namesakes):
    client = login(world.staff)
    assert names(found(client, MEMBERS_URL, "张")) == ["张三", "张伟", "张伟"]
    assert names(found(client, MEMBERS_URL, "zs")) == ["张三"]
    assert names(found(client, MEMBERS_URL, "ZW")) == ["张伟", "张伟"]
    assert [r["detail"] for r in found(client, MEMBERS_URL, "教育界")] == ["教育界，晋城市人民医院"]
    assert [r["id"] for r in found(client, MEMBERS_URL, "人民医院")] == [namesakes[1].pk]
    # every term must match: the name and the 界别
    assert [r["id"] for r in found(client, MEMBERS_URL, "张伟 经济")] == [namesakes[0].pk]


def test_all_initials_typed_come_first_and_a_surname_is_found_by_its_surname_reading(world, login):
    Member.objects.create(name="周伟民")
    Member.objects.create(name="张伟华")
    zhang = Member.objects.create(name="张伟")
    zeng = Member.objects.create(name="曾伟")
    results = found(login(world.staff), MEMBERS_URL, "zw")
    assert names(results)[:2] == ["张伟", "曾伟"] and {r["id"] for r in results[:2]} == {zhang.pk, zeng.pk}
    assert set(names(results)[2:]) == {"周伟民", "张伟华"}


def test_namesakes_are_told_apart_and_no_phone_is_sent(world, login, namesakes):
    results = found(login(world.staff), MEMBERS_URL, "张伟")
    assert [r["text"] for r in results] == ["张伟（经济界，晋城市第一中学）", "张伟（教育界，晋城市人民医院）"]
    assert "1380000001" not in str(results)


def test_exact_name_comes_first(world, login):
    Member.objects.create(name="张三丰")
    Member.objects.create(name="小张三")
    assert names(found(login(world.staff), MEMBERS_URL, "张三")) == ["张三", "张三丰", "小张三"]


def test_member_filing_online_finds_cosigners_without_their_work_units(world, login, namesakes):
    client = login(world.member_user)
    results = found(client, MEMBERS_URL, "张伟")
    assert [r["text"] for r in results] == ["张伟（经济界）", "张伟（教育界）"]
    assert "医院" not in str(results)
    # nor can a member find someone by their work unit
    assert found(client, MEMBERS_URL, "人民医院") == []


def test_members_of_another_committee_and_inactive_members_are_not_offered(world, login):
    other = make_other_committee()
    Member.objects.create(name="赵六", is_active=False)
    assert found(login(world.staff), MEMBERS_URL, "赵六") == []
    assert names(found(login(other.staff), MEMBERS_URL, "赵六")) == ["赵六"]
    assert found(login(other.member_user), MEMBERS_URL, "张三") == []


def test_results_are_limited(world, login):
    Member.objects.bulk_create([Member(committee_id=world.proposer.committee_id, name=f"王{i:02d}") for i in range(30)])
    assert len(found(login(world.staff), MEMBERS_URL, "王")) == PICKER_LIMIT


def test_query_count_does_not_grow_with_the_results(world, login):
    client = login(world.staff)
    client.get(MEMBERS_URL, {"q": "李"})  # the session is read once, before counting
    with CaptureQueriesContext(connection) as one:
        assert len(found(client, MEMBERS_URL, "李")) == 1
    Member.objects.bulk_create([Member(committee_id=world.proposer.committee_id, name=f"李{i:02d}") for i in range(30)])
    with CaptureQueriesContext(connection) as many:
        assert len(found(client, MEMBERS_URL, "李")) == PICKER_LIMIT
    assert len(many) == len(one)


def test_empty_or_blank_query_finds_nothing(world, login):
    client = login(world.staff)
    assert found(client, MEMBERS_URL, "") == []
    assert found(client, MEMBERS_URL, "   ") == []


@pytest.mark.parametrize("who", ["handler_a", "leader_a", "admin", "auditor"])
def test_those_who_do_not_file_are_refused_the_member_search(world, login, who):
    user = {"admin": world.admin, "auditor": world.auditor}.get(who) or world.personas()[who]
    assert login(user).get(MEMBERS_URL, {"q": "张"}).status_code == 403


def test_pickers_need_login_and_get(world, client, login):
    for url in (MEMBERS_URL, AGENCIES_URL):
        response = client.get(url, {"q": "张"})
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert login(world.staff).post(url, {"q": "张"}).status_code == 405
        client.logout()


def test_results_are_not_cached(world, login):
    response = login(world.staff).get(MEMBERS_URL, {"q": "张"})
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


# --- The agency endpoint ---------------------------------------------------------------------
def test_staff_find_active_agencies_of_their_committee(world, login):
    Agency.objects.create(name="甲市商务局", short_name="商务局")
    Agency.objects.create(name="甲市旧局", is_active=False)
    other = make_other_committee()
    client = login(world.staff)
    assert names(found(client, AGENCIES_URL, "发展和改革")) == [world.agency_a.name]
    assert names(found(client, AGENCIES_URL, "商务")) == ["乙市商务局", "甲市商务局"]
    assert found(client, AGENCIES_URL, "旧局") == []
    assert found(client, AGENCIES_URL, other.agency.name) == []


@pytest.mark.parametrize("who", ["handler_a", "proposer"])
def test_agency_search_is_for_staff_only(world, login, who):
    assert login(world.personas()[who]).get(AGENCIES_URL, {"q": "局"}).status_code == 403


# --- The forms -------------------------------------------------------------------------------
def test_staff_filing_form_names_members_with_sector_and_work_unit(world, login, namesakes):
    body = login(world.staff).get(reverse("proposals:create")).content.decode()
    assert "张伟（经济界，晋城市第一中学）" in body and "张伟（教育界，晋城市人民医院）" in body
    assert f'data-picker="{MEMBERS_URL}"' in body
    assert 'size="10"' in body  # the plain list shows more than four rows
    assert "tom-select.complete.min.js" in body and "js/pickers.js" in body


def test_member_filing_form_names_cosigners_without_work_units(world, login, namesakes):
    body = login(world.member_user).get(reverse("proposals:create")).content.decode()
    assert "张伟（经济界）" in body and "张伟（教育界）" in body
    assert "晋城市第一中学" not in body


def test_form_option_labels_come_from_the_user(world, namesakes):
    staff_form = forms.StaffProposalForm(user=world.staff)
    labels = [label for _, label in staff_form.fields["first_proposer"].choices]
    assert "张伟（教育界，晋城市人民医院）" in labels
    member_form = forms.MemberProposalForm(author=world.proposer, user=world.member_user)
    labels = [label for _, label in member_form.fields["cosigners"].choices]
    assert "张伟（教育界）" in labels and "李四" in labels


def test_cosigner_picked_from_the_search_is_saved(world, login, namesakes):
    [picked] = [r for r in found(login(world.staff), MEMBERS_URL, "教育界")]
    response = login(world.staff).post(
        reverse("proposals:create"),
        {
            "meeting": world.meeting.pk,
            "title": "关于改善校园周边交通的建议",
            "proposer_kind": "joint",
            "first_proposer": world.proposer.pk,
            "cosigners": [picked["id"]],
            "main_content": "主要内容",
        },
    )
    assert response.status_code == 302
    proposal = world.proposal.__class__.objects.get(title="关于改善校园周边交通的建议")
    assert list(proposal.cosigners.all()) == [namesakes[1]]


@pytest.fixture
def registered(world):
    from tests.factories import make_proposal

    submitted = make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer)
    return services.proposal_register(proposal=submitted, actor=world.staff)


def test_assign_form_groups_fields_by_mode(world, login, registered):
    body = login(world.staff).get(reverse("proposals:assign", args=[registered.pk])).content.decode()
    lead = body[body.index('data-mode-section="lead"') : body.index('data-mode-section="split"')]
    assert 'name="lead_agency"' in lead and 'name="cohandlers"' in lead and 'name="split-0-agency"' not in lead
    split = body[body.index('data-mode-section="split"') :]
    assert 'name="split-0-agency"' in split and 'name="lead_agency"' not in split
    # the management form is outside the fieldsets the script disables
    assert body.index('name="split-TOTAL_FORMS"') < body.index('data-mode-section="split"')
    assert f'data-picker="{AGENCIES_URL}"' in body and "js/assign.js" in body


def test_split_assignment_without_the_lead_fields_is_saved(world, login, registered):
    """What the browser sends with JavaScript on and 分办 picked: no lead fields at all."""
    response = login(world.staff).post(
        reverse("proposals:assign", args=[registered.pk]),
        {
            "mode": "split",
            "split-TOTAL_FORMS": "4",
            "split-INITIAL_FORMS": "0",
            "split-0-agency": world.agency_b.pk,
            "split-0-scope": "第二条",
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    assert list(Assignment.objects.filter(proposal=registered).values_list("agency", "role", "scope")) == [
        (world.agency_b.pk, "split", "第二条")
    ]
