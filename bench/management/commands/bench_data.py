"""Benchmark data at the scale of a provincial archive: ``bench_data --proposals 100000 --seed 1``.

The proposals are spread over ``--committees`` committees (default 20: a province, its cities and
some counties), each with its own meetings, agencies, members, reference lists and staff user, and
nothing crossing committees. The benchmark's users (``bench_staff``, ``bench_handler_01``…,
``bench_member_001``…) work in the first, 晋城市政协, which holds exactly its share of the proposals
(5,000 of 100,000 with 20 committees); the other committees hold theirs ±15 %. Their meetings
are written year by year, committee after committee, so one committee's rows lie spread over the
tables as in a real installation, not in one block.

Deterministic: the same seed and size give the same rows (every text, date and choice comes from
one ``random.Random(seed)``; no clock is read). Rows are written with ``bulk_create`` one meeting at a
time, so memory stays bounded; ``Proposal.search_text`` is filled here, the search indexes (of
proposals, reply letters and consultation records) are rebuilt and ``Proposal.next_due`` filled
once at the end, because ``bulk_create`` runs neither ``save()`` nor signals.

The data set replaces the database's content (``flush``), so the command refuses to run on a
database holding anything but earlier bench data unless ``--force`` is given.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.db.models import Max, Min, Model
from django.db.models.base import ModelState

from consultations.actions import ConsultationAction
from consultations.models import (
    Consultation,
    ConsultationStatus,
    Method,
    Opinion,
    Rating,
    Satisfaction,
    SignMethod,
)
from consultations.search import consultation_index_rows
from oversight.public import refresh_public_texts
from proposals.choices import ProposalAction
from proposals.deadlines import default_due_date
from proposals.models import (
    Agency,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Category,
    Committee,
    CommitteeLevel,
    DeclineReason,
    Meeting,
    Member,
    Proposal,
    ProposalCosigner,
    ProposerKind,
    Role,
    TimelineEvent,
    User,
    refresh_next_due,
)
from proposals.search import proposal_search_text, rebuild_index
from replies.actions import ReplyAction
from replies.models import Reply, ReplyStatus
from replies.search import reply_index_rows
from search.text_index import CONSULTATION_INDEX, REPLY_INDEX

BENCH_PREFIX = "bench_"
BENCH_PASSWORD = "Bench-Password-2024"  # noqa: S105 - documented password of a throwaway data set
SHARED_PDF_NAME = "replies/bench/shared-issued-reply.pdf"
TZ = ZoneInfo("Asia/Shanghai")
BATCH = 2000
# Written in bulk by _MeetingBuilder (through _RowWriter).
_BULK_MODELS = [Proposal, ProposalCosigner, Assignment, Reply, Consultation, Rating, TimelineEvent]

# --- Phrase lists -------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "国建华明丽军伟芳秀英杰敏静磊强洋艳勇涛军斌超霞平刚桂兰志红玉海燕文辉鹏飞春梅东晓宇新宁峰琳凯瑞晨欣雪松林波"
SECTORS = [
    "中国共产党",
    "民革",
    "民盟",
    "民建",
    "民进",
    "农工党",
    "致公党",
    "九三学社",
    "无党派人士",
    "共青团",
    "工会",
    "妇联",
    "科技界",
    "教育界",
    "经济界",
    "农业界",
    "医药卫生界",
    "文化艺术界",
    "社会福利和社会保障界",
    "少数民族界",
    "宗教界",
    "特邀人士",
]
WORK_UNITS = [
    "市第一人民医院",
    "市实验中学",
    "市农业科学研究院",
    "市工商联",
    "城区人民法院",
    "市律师协会",
    "晋城职业技术学院",
    "市妇幼保健院",
    "泽州县教育局",
    "高平市农业农村局",
    "阳城县文化馆",
    "陵川县林业局",
    "沁水县人民医院",
    "市科技创新服务中心",
    "市建筑设计研究院",
    "市交通运输集团",
    "市煤炭工业协会",
    "兰花科创股份有限公司",
    "市文旅集团",
    "市供销合作社",
    "市红十字会",
    "市民族宗教事务服务中心",
]
AGENCY_BASES = [
    "发展和改革委员会",
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "规划和自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水务局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "能源局",
    "林业局",
    "体育局",
    "信访局",
    "城市管理局",
    "行政审批服务管理局",
    "地方金融监督管理局",
    "数据局",
    "乡村振兴局",
    "国有资产监督管理委员会",
    "总工会",
    "团委",
    "妇女联合会",
    "残疾人联合会",
    "红十字会",
    "供销合作社",
]
# (place, level, index of the parent committee). The first is the benchmark's committee; with more
# committees than named here, the rest are counties of 晋城市.
COMMITTEES = [
    ("晋城市", CommitteeLevel.CITY, 1),
    ("山西省", CommitteeLevel.PROVINCE, None),
    ("太原市", CommitteeLevel.CITY, 1),
    ("大同市", CommitteeLevel.CITY, 1),
    ("阳泉市", CommitteeLevel.CITY, 1),
    ("长治市", CommitteeLevel.CITY, 1),
    ("朔州市", CommitteeLevel.CITY, 1),
    ("晋中市", CommitteeLevel.CITY, 1),
    ("运城市", CommitteeLevel.CITY, 1),
    ("忻州市", CommitteeLevel.CITY, 1),
    ("临汾市", CommitteeLevel.CITY, 1),
    ("吕梁市", CommitteeLevel.CITY, 1),
    ("泽州县", CommitteeLevel.COUNTY, 0),
    ("高平市", CommitteeLevel.COUNTY, 0),
    ("阳城县", CommitteeLevel.COUNTY, 0),
    ("陵川县", CommitteeLevel.COUNTY, 0),
    ("沁水县", CommitteeLevel.COUNTY, 0),
    ("清徐县", CommitteeLevel.COUNTY, 2),
    ("阳曲县", CommitteeLevel.COUNTY, 2),
    ("娄烦县", CommitteeLevel.COUNTY, 2),
]
SHORT_NAMES = {CommitteeLevel.PROVINCE: "省政协", CommitteeLevel.CITY: "市政协", CommitteeLevel.COUNTY: "县政协"}

VERBS = ["加快", "推进", "加强", "完善", "优化", "进一步做好", "深化", "支持", "规范", "提升", "破解", "健全", "做强"]
# (topic, weight): weights shape realistic frequencies; 援疆 is a rare topic on purpose.
TOPICS = [
    ("老旧小区改造", 6),
    ("老旧小区加装电梯", 3),
    ("农村饮水安全", 4),
    ("中小企业融资", 6),
    ("职业教育", 5),
    ("文旅融合发展", 5),
    ("太行山生态保护", 4),
    ("煤层气产业", 4),
    ("智慧养老服务", 5),
    ("县域医疗共同体", 4),
    ("新能源汽车充电设施", 4),
    ("城市停车难", 5),
    ("农村人居环境整治", 5),
    ("营商环境", 6),
    ("学前教育普惠", 4),
    ("中医药传承创新", 3),
    ("数字乡村建设", 4),
    ("古村落保护利用", 3),
    ("高标准农田建设", 3),
    ("城市内涝治理", 3),
    ("食品安全监管", 4),
    ("青年人才引进", 5),
    ("社区嵌入式服务", 3),
    ("乡村教师队伍", 4),
    ("公共文化服务", 3),
    ("垃圾分类", 4),
    ("沁河流域治理", 3),
    ("光伏发电", 3),
    ("非物质文化遗产保护", 3),
    ("基层医疗卫生", 4),
    ("对口援疆", 1),
    ("援疆干部人才保障", 1),
    ("农产品品牌建设", 3),
    ("交通安全治理", 3),
    ("校园周边环境", 3),
    ("全民健身设施", 3),
    ("康养产业", 3),
    ("物业管理", 4),
    ("残疾人就业", 2),
    ("退役军人服务保障", 2),
]
ASPECTS = [
    "工作",
    "体系建设",
    "保障机制",
    "发展",
    "的若干措施",
    "高质量发展",
    "长效机制",
    "试点",
    "服务能力",
    "政策落实",
]
PLACES = ["我市", "城区", "泽州县", "高平市", "阳城县", "陵川县", "沁水县", "各县（市、区）", "开发区", "部分乡镇"]
PROBLEMS = [
    "资金投入不足",
    "统筹协调不够",
    "专业人才短缺",
    "基础设施薄弱",
    "政策落实不到位",
    "群众知晓率不高",
    "部门职责交叉",
    "运行维护跟不上",
    "标准规范不统一",
    "信息共享不畅",
    "监管力量不足",
    "历史欠账较多",
]
ACTIONS = [
    "建立由政府牵头、相关部门参与的联席会议制度",
    "设立专项资金并纳入年度财政预算",
    "出台配套实施细则",
    "开展专项督查并定期通报",
    "引入社会资本参与建设运营",
    "加强专业人才队伍建设",
    "建设统一的信息服务平台",
    "选择条件成熟的地区先行试点",
    "完善考核评价办法",
    "加大宣传引导力度",
    "健全长效管护机制",
    "推动跨部门数据共享",
    "落实属地管理责任",
    "强化督导检查和问责",
]
OPENINGS = [
    "近年来，{place}{topic}取得了一定成效，但仍存在{p1}、{p2}等问题。",
    "{topic}关系群众切身利益。经调研，{place}在{topic}方面{p1}，{p2}的情况较为突出。",
    "当前，{place}{topic}正处于关键阶段，{p1}和{p2}制约了工作推进。",
    "据了解，{place}{topic}覆盖面不断扩大，但{p1}，{p2}，群众反映较多。",
]
EXTRAS = [
    "对口援疆工作中，援疆干部人才的后勤保障也需统筹考虑。",
    "建议学习借鉴兄弟市的经验做法。",
    "建议将此项工作纳入政府年度重点工作。",
    "同时要注重发挥政协委员的监督作用。",
    "相关数据应当定期向社会公开。",
    "建议听取基层群众和市场主体的意见。",
]
REPLY_OPENINGS = [
    "您提出的《{title}》收悉。经认真研究，现答复如下：",
    "您在{committee}{meeting}上提出的关于{topic}的提案收悉，感谢您对我们工作的关心和支持。现答复如下：",
]
REPLY_BODIES = [
    "一、关于{action}的建议。我单位高度重视，已会同相关部门进行研究，{year}年已列入工作计划。",
    "二、关于{topic}的问题。目前{place}已出台相关政策，下一步将{action}。",
    "三、下一步工作打算。我们将认真吸纳您的意见建议，持续{verb}{topic}，确保取得实效。",
]
CLOSING = "再次感谢您对我们工作的关心和支持。"
PLACES_OF_CONSULTATION = ["本单位三楼会议室", "委员工作单位", "市政协提案委员会办公室", "项目现场"]
RATING_COMMENTS = ["", "", "希望继续跟进落实。", "答复认真具体。", "建议加大推进力度。"]


def _weighted(items: list[tuple[str, int]]) -> list[str]:
    return [name for name, weight in items for _ in range(weight)]


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def _phone(rng: random.Random) -> str:
    return f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"


@dataclass
class Cast:
    """One committee's people and records."""

    committee: Committee
    staff: User
    handlers: list[User]
    leaders: list[User]
    agencies: list[Agency]
    agency_weights: list[int]
    members: list[Member]
    categories: list[Category]
    decline_reasons: list[DeclineReason]


class Command(BaseCommand):
    help = (
        "生成基准测试数据（默认 100,000 件提案，分属 20 个政协委员会；可重复：相同 --seed 得到相同数据）。"
        "会清空数据库。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--proposals", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--committees", type=int, default=20, help="委员会数（至少 1）；基准用户属于第一个。")
        parser.add_argument("--meetings", type=int, default=20, help="每个委员会的会议数。")
        parser.add_argument("--agencies", type=int, default=80, help="每个委员会的承办单位数。")
        parser.add_argument("--members", type=int, default=700, help="每个委员会的委员数。")
        parser.add_argument("--force", action="store_true", help="数据库里有非基准数据时也清空并生成。")
        parser.add_argument(
            "--jobs",
            type=int,
            default=2,
            help="PostgreSQL 上并行重建检索索引和公开检索文本的进程数（SQLite 上总是 1）。",
        )

    def handle(self, *args, **opts) -> None:
        started = time.monotonic()
        if opts["committees"] < 1:
            raise CommandError("--committees 至少为 1。")
        if not opts["force"] and self._has_other_data():
            raise CommandError(
                "数据库中已有非基准数据（不是 bench_data 生成的用户或提案）。bench_data 会清空整个数据库；"
                "请改用单独的数据库（SQLITE_PATH 或 DATABASE_URL），确需清空请加 --force。"
            )
        call_command("flush", interactive=False, verbosity=0)
        rng = random.Random(opts["seed"])  # noqa: S311 - reproducible test data, not secrets
        # One hash for every bench user: hashing thousands of passwords would take minutes and prove nothing.
        password = make_password(BENCH_PASSWORD)
        with transaction.atomic():
            committees = self._committees(opts["committees"])
            casts = [
                self._cast(rng, committee, index, opts["agencies"], opts["members"], password)
                for index, committee in enumerate(committees)
            ]
        self._log(
            started,
            f"cast: {len(casts)} committees, {len(casts) * opts['agencies']} agencies, "
            f"{len(casts) * opts['members']} members",
        )
        meetings = [self._meetings(cast.committee, index, opts["meetings"]) for index, cast in enumerate(casts)]
        # The benchmark's committee exactly its share; the others theirs ±15 %.
        share = round(opts["proposals"] / len(casts))
        per_committee = [share, *_split(opts["proposals"] - share, len(casts) - 1, rng)] if len(casts) > 1 else [share]
        per_meeting = [_split(total, opts["meetings"], rng) for total in per_committee]
        pdf_name, pdf_sha = self._shared_pdf()
        totals: dict[str, int] = {}
        rows = _RowWriter()
        load = _BulkLoad(self, started)
        load.begin()
        try:
            # Year by year, committee after committee: each committee's rows spread over the tables.
            for m in range(opts["meetings"]):
                age = opts["meetings"] - 1 - m  # 0 = the current meeting
                for c, cast in enumerate(casts):
                    meeting, count = meetings[c][m], per_meeting[c][m]
                    with transaction.atomic():
                        made = _MeetingBuilder(rng, cast, meeting, age, pdf_name, pdf_sha, rows).build(count)
                    for key, value in made.items():
                        totals[key] = totals.get(key, 0) + value
                self._log(started, f"{meetings[0][m].display_name}: {sum(p[m] for p in per_meeting)} proposals")
            rows.finish()
            load.restore(exclude=[Proposal._meta.db_table, *_TEXT_TABLES])
            with connection.cursor() as cursor:
                # Statistics before the table-wide statements below. A fresh PostgreSQL database has none
                # (and autovacuum may be off): refresh_next_due's subquery then walked the whole due-date
                # index for every proposal (cancelled after 5 minutes; 14 s with statistics, 100,000 proposals).
                cursor.execute("ANALYZE")
            self._log(started, "statistics of the new rows (ANALYZE)")
            with transaction.atomic():
                # Before the proposals' own indexes are back: the UPDATE of every row then writes no index.
                refresh_next_due()
            self._log(started, "proposals' next due dates filled")
            load.restore(exclude=_TEXT_TABLES)
            rebuild_index()
            self._log(started, "proposals' search index (ANALYZE)")
            self._text_passes(started, opts["jobs"])
            load.restore()
        finally:
            load.restore()  # a no-op when done; re-makes the indexes when a step failed
        with connection.cursor() as cursor:
            # Planner statistics: without them SQLite sorts the whole table for the default list order
            # instead of walking the (meeting, sequence) index. VACUUM also lets PostgreSQL count from
            # the index alone (visibility map).
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        self._log(started, "statistics updated (ANALYZE)")
        summary = ", ".join(f"{k} {v}" for k, v in totals.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"bench_data done in {time.monotonic() - started:.1f} s: committees {len(casts)}, {summary}; "
                f"{casts[0].committee.display_name} (the benchmark's) {per_committee[0]} proposals"
            )
        )
        self.stdout.write(
            f"users of {casts[0].committee.display_name}: bench_staff, bench_handler_01…, bench_leader_01…, "
            f"bench_member_001…; of the other committees bench_c02_staff, bench_c02_handler_01…; "
            f"password {BENCH_PASSWORD}"
        )

    def _text_passes(self, started: float, jobs: int) -> None:
        """The three passes over every letter that no post_save did: the staff search's indexes of
        replies and of consultation records, and the public search's redacted copies. Each is Python
        over every row (bigrams, redaction); on PostgreSQL they run in ``jobs`` processes, each with
        its own connection (a million letters: 12 minutes one after the other)."""
        if connection.vendor != "postgresql" or jobs <= 1:
            for name in _TEXT_PASSES:
                self._log(started, f"{name}: {_text_pass(name)[1]:.0f} s")
            return
        # A forked process must not share the parent's socket: close it here, each child opens its own.
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(min(jobs, len(_TEXT_PASSES))) as pool:
            for name, seconds in pool.imap_unordered(_text_pass, _TEXT_PASSES):
                self._log(started, f"{name}: {seconds:.0f} s (in parallel)")

    def _log(self, started: float, text: str) -> None:
        self.stdout.write(f"[{time.monotonic() - started:7.1f} s] {text}")

    @staticmethod
    def _has_other_data() -> bool:
        if User.objects.exclude(username__startswith=BENCH_PREFIX).exists():
            return True
        return Proposal.objects.exclude(created_by__username__startswith=BENCH_PREFIX).exists()

    @staticmethod
    def _committees(n: int) -> list[Committee]:
        rows = COMMITTEES[:n] + [
            (f"示范县{i + 1 - len(COMMITTEES)}", CommitteeLevel.COUNTY, 0) for i in range(len(COMMITTEES), n)
        ]
        committees = Committee.objects.bulk_create(
            [
                Committee(
                    name=f"中国人民政治协商会议{place}委员会",
                    display_name=f"{place}政协",
                    short_name=SHORT_NAMES[level],
                    level=level,
                )
                for place, level, _parent in rows
            ]
        )
        for committee, (_place, _level, parent) in zip(committees, rows, strict=True):
            if parent is not None and parent < n:
                committee.parent = committees[parent]
        Committee.objects.bulk_update(committees, ["parent"])
        return committees

    def _cast(
        self, rng: random.Random, committee: Committee, index: int, n_agencies: int, n_members: int, password: str
    ) -> Cast:
        """One committee's reference lists, agencies, members and users. The first committee's users keep
        the names the benchmark logs in as (bench_staff, bench_handler_01 …); the others' carry the
        committee's number (bench_c02_staff …)."""
        prefix = BENCH_PREFIX if index == 0 else f"{BENCH_PREFIX}c{index + 1:02d}_"
        categories = Category.objects.bulk_create(
            [
                Category(committee=committee, name=n, order=i)
                for i, n in enumerate(["经济建设", "政治建设", "文化建设", "社会建设", "生态文明建设", "其他"])
            ]
        )
        decline_reasons = DeclineReason.objects.bulk_create(
            [
                DeclineReason(committee=committee, text=t, order=i)
                for i, t in enumerate(
                    ["内容空泛、没有具体建议", "属于民事纠纷、司法诉讼等事项", "不属于本级政协提案受理范围"]
                )
            ]
        )
        place = committee.display_name.removesuffix("政协")
        places = [place, "省直" if committee.level == CommitteeLevel.PROVINCE else "省"]
        bases = [(p, base) for p in places for base in AGENCY_BASES][:n_agencies]
        agencies = Agency.objects.bulk_create(
            [Agency(committee=committee, name=f"{p}{base}", short_name=base[:30]) for p, base in bases]
        )
        # A few agencies (发改委, 住建局, 教育局 …) receive most of the work, as in real archives: the busiest
        # about a quarter of its committee's proposals.
        agency_weights = [max(1, 40 // (i + 1)) for i in range(len(agencies))]
        rng.shuffle(agency_weights)
        seen: set[str] = set()
        members = []
        while len(members) < n_members:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            if name in seen:
                continue
            seen.add(name)
            members.append(
                Member(
                    committee=committee,
                    name=name,
                    phone=_phone(rng),
                    work_unit=rng.choice(WORK_UNITS),
                    sector=rng.choice(SECTORS),
                )
            )
        members = Member.objects.bulk_create(members, batch_size=BATCH)
        # bulk_create runs no User.save(): the committee is set here as it would derive it.
        users = [
            User(
                username=f"{prefix}staff",
                role=Role.STAFF,
                committee=committee,
                display_name=f"{committee.display_name}工作人员",
                password=password,
            )
        ]
        users += [
            User(
                username=f"{prefix}{kind}_{i + 1:02d}",
                role=role,
                agency=agency,
                committee=committee,
                display_name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                phone=_phone(rng),
                password=password,
            )
            for i, agency in enumerate(agencies)
            for kind, role in (("handler", Role.HANDLER), ("leader", Role.LEADER))
        ]
        users += [
            User(
                username=f"{prefix}member_{i + 1:03d}",
                role=Role.MEMBER,
                member=member,
                committee=committee,
                display_name=member.name,
                password=password,
            )
            for i, member in enumerate(members[:100])
        ]
        User.objects.bulk_create(users, batch_size=BATCH)
        by_name = {u.username: u for u in User.objects.filter(committee=committee, username__startswith=prefix)}
        staff = by_name[f"{prefix}staff"]
        handlers = [by_name[f"{prefix}handler_{i + 1:02d}"] for i in range(len(agencies))]
        leaders = [by_name[f"{prefix}leader_{i + 1:02d}"] for i in range(len(agencies))]
        return Cast(committee, staff, handlers, leaders, agencies, agency_weights, members, categories, decline_reasons)

    @staticmethod
    def _meetings(committee: Committee, index: int, n: int) -> list[Meeting]:
        """The committee's ``n`` meetings, oldest first, five per term, the last current; the committees
        open theirs on nearby days of the same January."""
        terms = [(8 - (n - 1 - i) // 5, (n - 1 - i) % 5) for i in range(n)]
        meetings = []
        for i, (term, rev_session) in enumerate(terms):
            session = 5 - rev_session
            year = 2026 - (n - 1 - i)
            meetings.append(
                Meeting(
                    committee=committee,
                    term=term,
                    session=session,
                    number_prefix="TA",
                    opened_on=dt.date(year, 1, 10 + session + index % 7),
                    is_current=(i == n - 1),
                )
            )
        return Meeting.objects.bulk_create(meetings)

    @staticmethod
    def _shared_pdf() -> tuple[str, str]:
        """One real reply-letter-like PDF that every issued bench reply points to."""
        from weasyprint import HTML  # late: loading Pango costs time

        html = (
            "<html><body style='font-family: \"Noto Serif CJK SC\"; font-size: 16pt'>"
            "<h1 style='text-align:center'>关于市政协八届三次会议第 TA0207 号提案的答复</h1>"
            "<p>朱国胜委员：</p><p>您提出的提案收悉。经认真研究，现答复如下：</p>"
            + "<p>"
            + "我们将认真吸纳您的意见建议，持续推进相关工作，确保取得实效。" * 12
            + "</p>"
            "<p style='text-align:right'>晋城市发展和改革委员会<br>2024年7月9日</p></body></html>"
        )
        data = HTML(string=html).write_pdf()
        if default_storage.exists(SHARED_PDF_NAME):
            default_storage.delete(SHARED_PDF_NAME)
        name = default_storage.save(SHARED_PDF_NAME, ContentFile(data))
        return name, hashlib.sha256(data).hexdigest()


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` spread over ``parts`` meetings (or committees), ±15 % each, summing exactly to ``total``."""
    raw = [rng.uniform(0.85, 1.15) for _ in range(parts)]
    scale = total / sum(raw)
    # Rounded where the running sum falls, so that a small total is not all left to the last part.
    ends, running = [], 0.0
    for r in raw:
        running += r * scale
        ends.append(round(running))
    ends[-1] = total
    return [end - start for start, end in zip([0, *ends[:-1]], ends, strict=True)]


# The tables bench_data fills in bulk, and the index tables it fills afterwards from them.
_TEXT_TABLES = ["search_reply_text", "search_consultation_text", "oversight_publicreplytext"]


class _BulkLoad:
    """PostgreSQL's bulk-loading recipe for the rows written here: the secondary indexes of the filled
    tables are dropped before and re-made after (one sorted build instead of a million inserts into
    each b-tree and GIN index), foreign keys are not checked row by row (``session_replication_role =
    replica``, when the role may set it: a superuser; the rows are consistent by construction, as
    tests/bench checks) and commits do not wait for the WAL flush (``synchronous_commit = off``: a
    crash loses the last transactions of a data set that is rebuilt anyway). The indexes backing a
    primary key or unique constraint stay. Nothing of this on SQLite.

    If the command fails half-way the dropped indexes are re-made (``restore`` in ``handle``'s
    ``finally``)."""

    def __init__(self, command: Command, started: float) -> None:
        self.command = command
        self.started = started
        self.dropped: dict[str, list[tuple[str, str]]] = {}  # table → [(index name, CREATE INDEX …)]
        self.active = connection.vendor == "postgresql"

    def begin(self) -> None:
        if not self.active:
            return
        tables = [m._meta.db_table for m in _BULK_MODELS] + _TEXT_TABLES
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute("SET session_replication_role = replica")
            cursor.execute(
                """SELECT t.relname, i.relname, pg_get_indexdef(i.oid)
                   FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                   WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
                   ORDER BY t.relname, i.relname""",
                [tables],
            )
            for table, index, definition in cursor.fetchall():
                self.dropped.setdefault(table, []).append((index, definition))
            for indexes in self.dropped.values():
                for index, _definition in indexes:
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(index)}")
        count = sum(len(v) for v in self.dropped.values())
        self.command._log(self.started, f"bulk load: {count} secondary indexes dropped until the rows are in")

    def restore(self, exclude: Sequence[str] = ()) -> None:
        """Re-make the dropped indexes, except those of the ``exclude`` tables."""
        if not self.active:
            return
        tables = [t for t in self.dropped if t not in exclude]
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for table in tables:
                for _index, definition in self.dropped.pop(table):
                    cursor.execute(definition)
            if not self.dropped:
                cursor.execute("SET session_replication_role = DEFAULT")
        if tables:
            self.command._log(self.started, f"indexes re-made: {', '.join(tables)}")


class _RowWriter:
    """Writes the bulk rows: ``COPY … FROM STDIN`` on PostgreSQL (psycopg's ``cursor.copy``),
    ``bulk_create`` elsewhere. Either way the objects come back with their primary keys, for the rows
    that point to them.

    On PostgreSQL the ids are taken from the table's sequence a block at a time (``setval``) and given
    in order, so they are the ones ``bulk_create`` would have returned; the sequence is set to the last
    one given at the end (``finish``). The rows are kept as tuples and copied ``FLUSH_ROWS`` at a time
    (a meeting's rows are a few thousand: one COPY per table per meeting was mostly round trips), so
    memory stays flat. They may reach the database after the transaction of the meeting that made
    them: nothing reads them back before ``finish``.

    The columns are the model's concrete fields as ``bulk_create`` sends them: the attribute values,
    passed through ``get_db_prep_save`` only for the fields whose Python value is not what psycopg
    writes (files, IP addresses); no field of these models has ``auto_now``, whose ``pre_save`` this
    would skip (checked in ``_plan``)."""

    PREPARED = {"FileField", "GenericIPAddressField", "JSONField", "DecimalField", "UUIDField"}
    ID_BLOCK = 100_000
    FLUSH_ROWS = 50_000

    def __init__(self) -> None:
        self.copy = connection.vendor == "postgresql"
        self.plans: dict[type, tuple[str, Any, list[tuple[int, Any]]]] = {}
        self.ids: dict[type[Model], tuple[int, int]] = {}  # model → (next id to give, last id reserved)
        self.buffers: dict[type[Model], list[Any]] = {}
        self.buffered = 0

    def write(self, model: type[Model], objs: list) -> None:
        if not objs:
            return
        if not self.copy:
            model._default_manager.bulk_create(objs, batch_size=BATCH)
            return
        _sql, getter, prepared = self._plan(model)
        buffer = self.buffers.setdefault(model, [])
        for obj in objs:
            obj.pk = self._next_id(model)
            obj._state.adding = False
            obj._state.db = connection.alias
            row = getter(obj)
            if prepared:
                row = list(row)
                for index, field in prepared:
                    row[index] = field.get_db_prep_save(row[index], connection)
            buffer.append(row)
        self.buffered += len(objs)
        if self.buffered >= self.FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        with connection.cursor() as cursor:
            for model, rows in self.buffers.items():
                if rows:
                    with cursor.cursor.copy(self.plans[model][0]) as copy:
                        for row in rows:
                            copy.write_row(row)
                    rows.clear()
        self.buffered = 0

    def finish(self) -> None:
        """Copy what is left and leave each sequence at the last id given."""
        if not self.copy:
            return
        with transaction.atomic():
            self.flush()
            with connection.cursor() as cursor:
                for model, (next_id, _last) in self.ids.items():
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [model._meta.db_table, next_id - 1]
                    )

    def _next_id(self, model: type[Model]) -> int:
        next_id, last = self.ids.get(model, (1, 0))
        if next_id > last:
            with connection.cursor() as cursor:
                table = model._meta.db_table
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s)",
                    [table, table, self.ID_BLOCK - 1],
                )
                last = cursor.fetchone()[0]
                next_id = last - self.ID_BLOCK + 1
        self.ids[model] = (next_id + 1, last)
        return next_id

    def _plan(self, model: type[Model]) -> tuple[str, Any, list[tuple[int, Any]]]:
        if model not in self.plans:
            fields = list(model._meta.concrete_fields)
            for field in fields:
                if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                    raise CommandError(f"{model.__name__}.{field.name}: auto_now is not written by COPY")
            columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
            sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
            prepared = [(i, f) for i, f in enumerate(fields) if f.get_internal_type() in self.PREPARED]
            self.plans[model] = (sql, attrgetter(*(f.attname for f in fields)), prepared)
        return self.plans[model]


_TEXT_PASSES = ("reply index", "consultation record index", "public search texts")


def _text_pass(name: str) -> tuple[str, float]:
    """One of ``_TEXT_PASSES``, on this process's own connection; returns (name, seconds)."""
    began = time.monotonic()
    if name == "reply index":
        # Remade a range of ids at a time (index_replies() would read every letter into memory at once).
        REPLY_INDEX.rebuild(row for part in _by_id_range(Reply.objects.all()) for row in reply_index_rows(part))
    elif name == "consultation record index":
        CONSULTATION_INDEX.rebuild(
            row for part in _by_id_range(Consultation.objects.all()) for row in consultation_index_rows(part)
        )
    else:
        issued = (
            Reply.objects.filter(status=ReplyStatus.ISSUED)
            .select_related("assignment__proposal")
            .only(  # what refresh_public_texts reads: not the proposal's texts, 1 kB a row
                "status",
                "title",
                "body",
                "phone",
                "assignment__proposal__publication_consent",
                "assignment__proposal__body_contact_phone",
            )
        )
        refresh_public_texts(reply for part in _by_id_range(issued) for reply in part)
    connections.close_all()  # a pool process ends without Django's request cycle to close it
    return name, time.monotonic() - began


def _by_id_range(queryset, chunk: int = 20_000):
    """The rows of ``queryset`` in id order, ``chunk`` ids at a time: this project's PostgreSQL settings
    turn server-side cursors off (``DISABLE_SERVER_SIDE_CURSORS``), so ``iterator()`` would fetch every
    row at once — a million reply letters in memory."""
    bounds = queryset.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return
    for start in range(bounds["lo"], bounds["hi"] + 1, chunk):
        yield queryset.filter(pk__gte=start, pk__lt=start + chunk).order_by("pk")


_NEW_PLANS: dict[type, tuple[dict[str, Any], list[tuple[str, Any]], dict[str, Any]]] = {}


def _new(model: type[Model], **values: Any) -> Any:
    """``model(**values)`` without ``Model.__init__``'s generic keyword handling (a third of the time
    of building a million proposals' rows): the field defaults as ``__init__`` gives them, the values
    set by attribute name, a related object as its id with the object kept in the instance's cache
    (``p.first_proposer`` reads no row). Only concrete fields may be given."""
    if model not in _NEW_PLANS:
        fields = model._meta.concrete_fields
        constant: dict[str, Any] = {}
        dynamic: list[tuple[str, Any]] = []
        relations: dict[str, Any] = {}
        for field in fields:
            if field.primary_key:
                constant[field.attname] = None
            elif callable(field.default):
                dynamic.append((field.attname, field.get_default))
            else:
                constant[field.attname] = field.get_default()
            if field.is_relation:
                relations[field.name] = field
        _NEW_PLANS[model] = (constant, dynamic, relations)
    constant, dynamic, relations = _NEW_PLANS[model]
    obj = model.__new__(model)
    obj._state = ModelState()
    data = obj.__dict__
    data.update(constant)
    for attname, default in dynamic:
        data[attname] = default()
    for name, value in values.items():
        relation = relations.get(name)
        if relation is None:
            if name not in data:
                raise TypeError(f"{model.__name__} has no field {name}")
            data[name] = value
        elif name == relation.attname:
            data[name] = value
        else:
            data[relation.attname] = None if value is None else value.pk
            obj._state.fields_cache[name] = value
    return obj


class _MeetingBuilder:
    """All rows of one meeting's proposals, written with bulk_create."""

    def __init__(
        self, rng, cast: Cast, meeting: Meeting, age: int, pdf_name: str, pdf_sha: str, rows: _RowWriter
    ) -> None:
        self.rng = rng
        self.rows = rows
        self.cast = cast
        self.meeting = meeting
        self.age = age
        self.pdf_name = pdf_name
        self.pdf_sha = pdf_sha
        self.topics = _weighted(TOPICS)
        self.agency_pool = [i for i, w in enumerate(cast.agency_weights) for _ in range(w)]
        self.agency_pos = {a.pk: i for i, a in enumerate(cast.agencies)}
        self.where = cast.committee.short_name  # as replies.services.defaults.default_title writes it

    def _status(self) -> str:
        r = self.rng.random()
        if self.age == 0:
            table = [
                (0.08, "submitted"),
                (0.14, "registered"),
                (0.18, "not_registered"),
                (0.62, "assigned"),
                (0.9, "replied"),
                (1.0, "closed"),
            ]
        elif self.age == 1:
            table = [(0.04, "not_registered"), (0.12, "assigned"), (0.3, "replied"), (1.0, "closed")]
        else:
            table = [(0.04, "not_registered"), (0.05, "replied"), (1.0, "closed")]
        return next(status for limit, status in table if r < limit)

    def _text(self) -> tuple[str, str, str]:
        rng = self.rng
        topic = rng.choice(self.topics)
        title = f"关于{rng.choice(VERBS)}{topic}{rng.choice(ASPECTS)}的建议"
        if rng.random() < 0.25:
            title = title.replace("的建议", "的提案")
        place = rng.choice(PLACES)
        p1, p2 = rng.sample(PROBLEMS, 2)
        sentences = [rng.choice(OPENINGS).format(place=place, topic=topic, p1=p1, p2=p2)]
        actions = rng.sample(ACTIONS, rng.randint(2, 4))
        sentences.append("为此建议：" + "；".join(f"{i + 1}.{a}" for i, a in enumerate(actions)) + "。")
        if rng.random() < 0.3:
            sentences.append(rng.choice(EXTRAS))
        sentences.append(f"{rng.choice(PROBLEMS)}的问题应在{rng.randint(1, 3)}年内逐步解决。")
        return title, "".join(sentences), topic

    def build(self, count: int) -> dict[str, int]:
        rng, cast, meeting = self.rng, self.cast, self.meeting
        opened = meeting.opened_on
        proposals: list[Proposal] = []
        extra: list[tuple[str, str, list[Member]]] = []
        sequence = 0
        for i in range(count):
            status = self._status()
            title, content, topic = self._text()
            kind_roll = rng.random()
            kind = (
                ProposerKind.INDIVIDUAL
                if kind_roll < 0.6
                else ProposerKind.JOINT
                if kind_roll < 0.85
                else ProposerKind.BODY
            )
            first = None if kind == ProposerKind.BODY else rng.choice(cast.members)
            cosigners = rng.sample(cast.members, rng.randint(1, 4)) if kind == ProposerKind.JOINT else []
            cosigners = [m for m in cosigners if m is not first]
            submitted = _aware(opened + dt.timedelta(days=rng.randint(-5, 3)), 9 + i % 8, i % 60)
            registered = status not in ("submitted",)
            numbered = status not in ("submitted", "not_registered")
            if numbered:
                sequence += 1
            p = _new(
                Proposal,
                meeting=meeting,
                committee=cast.committee,  # bulk_create does not run Proposal.save(), which copies it
                number=f"{meeting.number_prefix}{sequence:04d}" if numbered else "",
                sequence=sequence if numbered else None,
                title=title,
                proposer_kind=kind,
                first_proposer=first,
                body_name=rng.choice(SECTORS) + "市委员会" if kind == ProposerKind.BODY else "",
                body_contact=rng.choice(SURNAMES) + rng.choice(GIVEN) if kind == ProposerKind.BODY else "",
                category=rng.choice(cast.categories),
                main_content=content,
                reason=content[: content.find("。") + 1],
                suggestions=content[content.find("。") + 1 :],
                status=status,
                is_key=rng.random() < 0.03,
                decline_reason=rng.choice(cast.decline_reasons) if status == "not_registered" else None,
                created_by=cast.staff,
                created_at=submitted,
                submitted_at=submitted,
                registered_at=submitted + dt.timedelta(days=10) if registered else None,
                closed_at=submitted + dt.timedelta(days=rng.randint(100, 200)) if status == "closed" else None,
            )
            p.search_text = proposal_search_text(p)
            p.meeting_order = meeting.sort_key  # bulk_create does not run Proposal.save()
            proposals.append(p)
            extra.append((status, topic, cosigners))
        self.rows.write(Proposal, proposals)
        meeting.last_sequence = sequence
        meeting.save(update_fields=["last_sequence"])

        cosigner_rows = [
            _new(ProposalCosigner, proposal=p, member=m, order=j)
            for p, (_s, _t, cos) in zip(proposals, extra, strict=True)
            for j, m in enumerate(cos)
        ]
        self.rows.write(ProposalCosigner, cosigner_rows)

        assignments: list[Assignment] = []
        owners: list[tuple[Proposal, str, str]] = []
        events: list[TimelineEvent] = []
        for p, (status, topic, _cos) in zip(proposals, extra, strict=True):
            events.append(
                _new(
                    TimelineEvent,
                    proposal=p,
                    actor=cast.staff,
                    at=p.submitted_at,
                    action=ProposalAction.SUBMIT,
                    from_state="draft",
                    to_state="submitted",
                )
            )
            if status == "submitted":
                continue
            if status == "not_registered":
                events.append(
                    _new(
                        TimelineEvent,
                        proposal=p,
                        actor=cast.staff,
                        at=p.registered_at,
                        action=ProposalAction.DECLINE,
                        from_state="submitted",
                        to_state="not_registered",
                        note=p.decline_reason.text,
                    )
                )
                continue
            events.append(
                _new(
                    TimelineEvent,
                    proposal=p,
                    actor=cast.staff,
                    at=p.registered_at,
                    action=ProposalAction.REGISTER,
                    from_state="submitted",
                    to_state="registered",
                )
            )
            if status == "registered":
                continue
            assigned_at = p.registered_at + dt.timedelta(days=rng.randint(3, 15))
            roll = rng.random()
            picks = list(dict.fromkeys(rng.choice(self.agency_pool) for _ in range(3)))
            if roll < 0.75 or len(picks) < 2:
                plan = [(picks[0], AssignmentRole.LEAD, "")]
            elif roll < 0.93:
                plan = [(picks[0], AssignmentRole.LEAD, "")] + [(a, AssignmentRole.CO, "") for a in picks[1:]]
            else:
                plan = [(a, AssignmentRole.SPLIT, f"第{'一二三'[j]}条") for j, a in enumerate(picks)]
            for agency_index, role, scope in plan:
                # The app's rule (会办 has the meeting's shorter term), as proposal_assign applies it.
                due = default_due_date(meeting, role, assigned_at.date())
                if status == "assigned":
                    a_status = rng.choice(
                        [AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED, AssignmentStatus.ACCEPTED]
                    )
                elif role == AssignmentRole.CO:
                    a_status = AssignmentStatus.DONE
                else:
                    a_status = AssignmentStatus.REPLIED if status == "replied" else AssignmentStatus.DONE
                a = _new(
                    Assignment,
                    proposal=p,
                    agency=cast.agencies[agency_index],
                    role=role,
                    scope=scope,
                    status=a_status,
                    assigned_at=assigned_at,
                    assigned_by=cast.staff,
                    due_date=due,
                    original_due_date=due,
                    accepted_at=None if a_status == AssignmentStatus.PENDING else assigned_at + dt.timedelta(days=2),
                    replied_at=(
                        assigned_at + dt.timedelta(days=rng.randint(30, 85))
                        if a_status in (AssignmentStatus.REPLIED, AssignmentStatus.DONE) and role != AssignmentRole.CO
                        else None
                    ),
                )
                assignments.append(a)
                owners.append((p, status, topic))
            events.append(
                _new(
                    TimelineEvent,
                    proposal=p,
                    actor=cast.staff,
                    at=assigned_at,
                    action=ProposalAction.ASSIGN,
                    from_state="registered",
                    to_state="assigned",
                )
            )
        self.rows.write(Assignment, assignments)

        replies: list[Reply] = []
        drafts: list[Reply] = []
        reply_owner: list[tuple[Assignment, Proposal, str]] = []
        for a, (p, status, topic) in zip(assignments, owners, strict=True):
            if a.accepted_at is not None:
                events.append(
                    _new(
                        TimelineEvent,
                        proposal=p,
                        assignment=a,
                        actor=None,
                        at=a.accepted_at,
                        action=ProposalAction.ACCEPT,
                        from_state="pending",
                        to_state="accepted",
                    )
                )
            handler = cast.handlers[self.agency_pos[a.agency_id]]
            leader = cast.leaders[self.agency_pos[a.agency_id]]
            if a.replied_at is None:
                if a.status == AssignmentStatus.ACCEPTED and a.role != AssignmentRole.CO and rng.random() < 0.3:
                    drafts.append(self._draft(a, p, topic, handler))
                continue
            member_name = p.first_proposer.name if p.first_proposer else p.body_name
            reply_class = rng.choice("AAABBBBC")
            body = "".join(
                [
                    rng.choice(REPLY_OPENINGS).format(
                        title=p.title, committee=self.where, meeting=meeting.display_name, topic=topic
                    )
                ]
                + [
                    s.format(
                        action=rng.choice(ACTIONS),
                        topic=topic,
                        place=rng.choice(PLACES),
                        year=a.replied_at.year,
                        verb=rng.choice(VERBS),
                    )
                    for s in REPLY_BODIES
                ]
            )
            replies.append(
                _new(
                    Reply,
                    assignment=a,
                    round=1,
                    status=ReplyStatus.ISSUED,
                    reply_class=reply_class,
                    title=f"关于{self.where}{meeting.display_name}第 {p.number} 号提案的答复",
                    addressee=f"{member_name}委员：" if p.first_proposer else f"{member_name}：",
                    body=body,
                    closing=CLOSING,
                    leader_name=leader.display_name,
                    handler_name=handler.display_name,
                    phone=handler.phone,
                    reply_date=a.replied_at.date(),
                    is_public=rng.random() < 0.8,
                    created_by=handler,
                    created_at=a.replied_at - dt.timedelta(days=7),
                    updated_at=a.replied_at,
                    submitted_at=a.replied_at - dt.timedelta(days=2),
                    signed_by=leader,
                    issued_at=a.replied_at,
                    pdf=self.pdf_name,
                    pdf_sha256=self.pdf_sha,
                )
            )
            reply_owner.append((a, p, status))
            events.append(
                _new(
                    TimelineEvent,
                    proposal=p,
                    assignment=a,
                    actor=leader,
                    at=a.replied_at,
                    action=ReplyAction.ISSUE,
                    from_state="accepted",
                    to_state="replied",
                )
            )
        self.rows.write(Reply, replies)
        self.rows.write(Reply, drafts)

        consultations: list[Consultation] = []
        ratings: list[Rating] = []
        for r, (a, p, status) in zip(replies, reply_owner, strict=True):
            member = p.first_proposer
            if member is None:
                continue
            held = r.issued_at - dt.timedelta(days=rng.randint(3, 10))
            handler = r.created_by
            consultations.append(
                _new(
                    Consultation,
                    assignment=a,
                    member=member,
                    status=ConsultationStatus.SIGNED,
                    held_at=held,
                    place=rng.choice(PLACES_OF_CONSULTATION),
                    method=rng.choice(list(Method.values)),
                    host_name=handler.display_name,
                    host_phone=handler.phone,
                    agency_name=a.agency.name,
                    proposal_number=p.number,
                    member_name=member.name,
                    work_unit=member.work_unit,
                    member_phone=member.phone,
                    main_content=p.main_content[:200],
                    reply_points=r.body[:150],
                    handling_class=r.reply_class,
                    reply=r,
                    reply_version=1,
                    opinion=rng.choice([Opinion.AGREE, Opinion.AGREE, Opinion.MOSTLY]),
                    opinion_text="同意",
                    sign_method=SignMethod.ONLINE,
                    signed_by=None,
                    signed_at=held + dt.timedelta(hours=2),
                    created_by=handler,
                    created_at=held - dt.timedelta(days=2),
                    updated_at=held + dt.timedelta(hours=2),
                )
            )
            events.append(
                _new(
                    TimelineEvent,
                    proposal=p,
                    assignment=a,
                    actor=handler,
                    at=held,
                    action=ConsultationAction.SIGN_ONLINE,
                    to_state="signed",
                )
            )
            if status == "closed" or rng.random() < 0.5:
                value = rng.choice([Satisfaction.SATISFIED] * 6 + [Satisfaction.BASIC] * 3 + [Satisfaction.UNSATISFIED])
                rated_at = r.issued_at + dt.timedelta(days=rng.randint(5, 20))
                ratings.append(
                    _new(
                        Rating,
                        assignment=a,
                        member=member,
                        value=value,
                        comment=rng.choice(RATING_COMMENTS),
                        entered_by=cast.staff,
                        on_behalf=True,
                        created_at=rated_at,
                        updated_at=rated_at,
                    )
                )
                events.append(
                    _new(
                        TimelineEvent,
                        proposal=p,
                        assignment=a,
                        actor=cast.staff,
                        at=rated_at,
                        action=ConsultationAction.RATE,
                        note=str(Satisfaction(value).label),
                    )
                )
        self.rows.write(Consultation, consultations)
        self.rows.write(Rating, ratings)
        for p, (status, _t, _c) in zip(proposals, extra, strict=True):
            if status == "closed":
                events.append(
                    _new(
                        TimelineEvent,
                        proposal=p,
                        actor=cast.staff,
                        at=p.closed_at,
                        action=ConsultationAction.CLOSE,
                        from_state="replied",
                        to_state="closed",
                    )
                )
        self.rows.write(TimelineEvent, events)
        return {
            "proposals": len(proposals),
            "cosigners": len(cosigner_rows),
            "assignments": len(assignments),
            "replies": len(replies),
            "draft replies": len(drafts),
            "consultations": len(consultations),
            "ratings": len(ratings),
            "timeline": len(events),
        }

    def _draft(self, a: Assignment, p: Proposal, topic: str, handler: User) -> Reply:
        """A reply being written: what the handler renders as a fresh PDF."""
        rng = self.rng
        name = p.first_proposer.name + "委员：" if p.first_proposer else p.body_name + "："
        body = rng.choice(REPLY_OPENINGS).format(
            title=p.title, committee=self.where, meeting=self.meeting.display_name, topic=topic
        )
        body += "".join(
            s.format(
                action=rng.choice(ACTIONS), topic=topic, place=rng.choice(PLACES), year=2026, verb=rng.choice(VERBS)
            )
            for s in REPLY_BODIES
        )
        started = a.accepted_at + dt.timedelta(days=5)
        return _new(
            Reply,
            assignment=a,
            round=1,
            status=ReplyStatus.DRAFT,
            title=f"关于{self.where}{self.meeting.display_name}第 {p.number} 号提案的答复",
            addressee=name,
            body=body,
            closing=CLOSING,
            handler_name=handler.display_name,
            phone=handler.phone,
            created_by=handler,
            created_at=started,
            updated_at=started,
        )
