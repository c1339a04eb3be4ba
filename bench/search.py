"""Search benchmark: build a synthetic index, then time the app's search on it.

    .venv/bin/python bench/search.py                      # 10,000 and 100,000 posts
    .venv/bin/python bench/search.py --n 10000            # one size
    .venv/bin/python bench/search.py --n 10000 --queries 420
    .venv/bin/python bench/search.py --n 10000 --keep /tmp/bench  # reuse the index

For each size N, in a temporary directory (removed at the end):

1. build (a child process): N seeded, realistic posts (the demo catalogue's
   models and makers and more of each series, the 16 Shandong cities with their
   districts, Zaozhuang weighted high, units in mixed spellings, 15 % wanted
   posts, 10 % of titles and descriptions in traditional characters via OpenCC
   s2t) are turned into index documents by the writer's own function,
   market.search.schema.listing_document (it reads attributes, so plain
   objects stand in for Listing rows: no database), and added with the writer
   writer of market.search.sync._rebuild_locked (sync.rebuild_writer: 2 writer
   processes, one segment each, from 5,000 posts on a machine with 2 cores; one
   commit) into a directory made by create_index_dir, swapped in as `current`.
   Build time = document building + add_document + commit; making the synthetic
   posts (in the app: loading rows) is not counted.
2. query (a fresh child process, as a web worker would be): the app made by
   create_app with MARKET_SEARCH_INDEX_DIR on that directory, and a fixed mix of
   queries (50 single words, 50 several words, 40 model numbers, 40 filtered or
   sorted, 20 phrases, 10 traditional; plus 10 misspelt words shown apart) run
   through market.search.search() with the defaults of the search page
   (per_page=20, exact total, highlights, "did you mean"), once with facets off
   and once on. 1 warm-up pass, 3 timed passes, time.perf_counter around each
   call. Then one more pass, instrumented, says where the time goes.

Prints a table per size and the targets: p95 with facets <= 10 ms at 10,000
and <= 50 ms at 100,000; a full rebuild of 100,000 at >= 1,000 posts/s.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import benchkit  # noqa: E402 (bench/ is the script's folder)
from benchkit import fmt, peak_rss_mb, percentile, rss_mb, table  # noqa: E402

SEED = 20261126
DEFAULT_SIZES = (10_000, 100_000)
TIMED_PASSES = 3
CHILD_TIMEOUT_S = 3600
TARGETS = {  # (N, p95 with facets, ms)
    10_000: 10.0,
    100_000: 50.0,
}
TARGET_BUILD_RATE = 1_000.0  # posts/s for a full rebuild of 100,000
KINDS = ("single", "multi", "model", "filter", "phrase", "traditional")
SHARES = {"single": 50, "multi": 50, "model": 40, "filter": 40, "phrase": 20,
          "traditional": 10}  # fmt: skip
EXTRA_KINDS = ("typo",)


# --- the synthetic corpus -------------------------------------------------------------

CAPACITIES = (30, 50, 80, 100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000,
              1250, 1600, 2000, 2500)  # fmt: skip
SECTIONS = (35, 50, 70, 95, 120, 150, 185, 240, 300)
# Makers by kind of equipment: the demo catalogue's, plus others of SEARCH-NOTES.
TRANSFORMER_MAKERS = ("特变电工", "正泰电气", "西电", "山东电力设备厂", "泰开电气",
                      "鲁能泰山", "天威保变", "置信电气", "江苏华鹏", "山东电工电气",
                      "ABB", "西门子", "顺特电气")  # fmt: skip
SWITCH_MAKERS = ("许继", "平高", "正泰电气", "泰开电气", "西电", "鲁能泰山", "思源电气",
                 "德力西", "ABB", "西门子", "施耐德", "大全集团", "北京科锐",
                 "人民电器")  # fmt: skip
CABLE_MAKERS = ("远东电缆", "宝胜电缆", "鲁能泰山", "亨通", "中天科技", "起帆电缆")
METER_MAKERS = ("威胜", "林洋", "许继", "华立", "炬华", "三星医疗")
BATTERY_MAKERS = ("双登", "南都", "理士", "圣阳")
GENSET_MAKERS = ("潍柴", "玉柴", "上柴", "康明斯")
GRADES = ("new", "like_new", "grade_90", "grade_80", "serviceable", "needs_repair",
          "scrap")  # fmt: skip
GRADE_WEIGHTS = (8, 15, 22, 25, 15, 10, 5)
GRADE_NAMES = {"new": "全新", "like_new": "准新", "grade_90": "九成新",
               "grade_80": "八成新", "serviceable": "可正常使用",
               "needs_repair": "需维修", "scrap": "报废"}  # fmt: skip
SOURCES = ("供电公司配网改造退役", "厂区增容改造后闲置", "项目库存积压，未安装使用",
           "工程结余物资", "厂房拆除旧料", "光伏电站改造换下")  # fmt: skip
CONDITION_TEXT = (
    "外观良好，试验数据正常，可现场看货。",
    "设备保养良好，资料齐全，欢迎来电咨询。",
    "已做预防性试验，结果合格，可提供增值税专用发票。",
    "外壳有渗漏油痕迹，需更换密封件，其余部件完好，按现状出售。",
    "操作机构需检修，主回路绝缘试验合格，按现状出售。",
    "铭牌清晰，出厂资料和合格证齐全。",
)
LOGISTICS = (
    "可送货上门，{city}市内运费面议。",
    "现场自提，买方自备吊车。",
    "价格可谈，批量优先。",
    "支持第三方检测，验货后付款。",
    "另有同型号多台，欢迎询价。",
)


def _capacity_text(rng: random.Random, kva: int) -> str:
    spellings = [f"{kva}kVA", f"{kva} KVA", f"{kva}千伏安", f"{kva}KVA"]
    if kva >= 100:
        spellings.append(f"{kva / 1000:g}MVA")
    return rng.choice(spellings)


def _voltage_text(rng: random.Random, kv: float) -> str:
    number = f"{kv:g}"
    return rng.choice([f"{number}kV", f"{number}KV", f"{number}千伏", f"{number} kV"])


def _times(rng: random.Random) -> str:
    return rng.choice(("×", "×", "x", "*", "X"))


# family: (weight, model maker, nouns, unit, new price range per unit, details)
FAMILIES = {
    "oil": (22, lambda r: f"{r.choice(('S11', 'S13', 'S9', 'S20', 'S11', 'S13'))}-M-"
                          f"{r.choice(CAPACITIES[:14])}/10",
            ("油浸式变压器", "油浸式配电变压器", "配电变压器", "变压器"), "台",
            (15_000, 120_000),
            ("铜绕组，全密封，联结组别Dyn11", "分接范围10±5%，阻抗电压4%",
             "节能型，空载损耗低", "油色谱分析正常")),
    "dry": (8, lambda r: f"{r.choice(('SCB10', 'SCB11', 'SCB13'))}-"
                         f"{r.choice(CAPACITIES[6:])}/10",
            ("干式变压器", "环氧树脂干式变压器", "干变"), "台", (50_000, 250_000),
            ("环氧树脂浇注，F级绝缘，带温控器和风机", "含IP20外壳", "带温控箱")),
    "box": (7, lambda r: f"{r.choice(('ZGS11-Z', 'ZGS13-Z', 'ZGS11-H'))}-"
                         f"{r.choice(CAPACITIES[7:15])}/10",
            ("美式箱变", "箱式变电站", "箱变", "预装式变电站"), "台",
            (80_000, 250_000),
            ("终端型，低压出线4路", "环网型，带无功补偿", "高低压侧均带计量")),
    "kyn": (7, lambda r: r.choice(("KYN28A-12", "KYN28A-12/1250-31.5",
                                   "KYN28A-12/630-25", "KYN28A-24")),
            ("中置式高压开关柜", "高压开关柜", "中置柜"), "面", (30_000, 90_000),
            ("配VS1真空断路器，弹簧操作机构，含综保装置", "五防联锁完好",
             "含进线柜、出线柜、PT柜各一面")),
    "rmu": (5, lambda r: r.choice(("XGN15-12", "HXGN15-12/630-20", "XGN15-12/630-20",
                                   "SRM16-12")),
            ("环网柜", "空气绝缘环网柜", "环网箱", "SF6环网柜"), "面", (10_000, 40_000),
            ("负荷开关加熔断器组合", "2进4出配置，带带电显示器和故障指示器")),
    "lv": (5, lambda r: r.choice(("GGD", "GCS", "MNS", "GCK")),
           ("低压开关柜", "低压配电柜", "低压柜"), "面", (6_000, 20_000),
           ("固定式，含框架断路器和塑壳断路器", "抽出式，3C认证齐全")),
    "pole": (5, lambda r: r.choice(("ZW32-12/630-20", "ZW32-12F/630-20",
                                    "ZW32-12/1250-25", "ZW20-12/630-20")),
             ("柱上真空断路器", "分界断路器(看门狗)", "柱上开关"), "台",
             (5_000, 25_000),
             ("户外柱上安装，弹簧操作机构，带隔离刀闸", "带分界控制器")),
    "vcb": (5, lambda r: r.choice(("VS1-12/1250-31.5", "VS1-12/630-25",
                                   "ZN63A-12/1250-31.5")),
            ("户内真空断路器", "真空断路器", "手车断路器"), "台", (8_000, 25_000),
            ("手车式，配KYN28A柜使用", "分合闸次数少，机械特性试验合格")),
    "mvcable": (8, lambda r: f"YJV22-8.7/15 3{_times(r)}{r.choice(SECTIONS[2:])}",
                ("高压电力电缆", "高压电缆", "中压电缆"), "米", (120, 900),
                ("铜芯交联聚乙烯绝缘钢带铠装，整盘未开断", "出厂合格证齐全")),
    "lvcable": (4, lambda r: f"YJV-0.6/1 4{_times(r)}{r.choice(SECTIONS)}",
                ("低压电力电缆", "低压电缆"), "米", (60, 500),
                ("铜芯交联聚乙烯绝缘，国标足米足方",)),
    "conductor": (3, lambda r: f"JKLYJ-10/{r.choice(SECTIONS[3:])}",
                  ("架空绝缘导线", "绝缘导线"), "米", (15, 40),
                  ("铝芯交联聚乙烯绝缘，10kV架空线路用",)),
    "meter": (5, lambda r: r.choice(("DTZY1296", "DDZY208-Z", "DTSD1296", "DSZY1296")),
              ("三相智能电能表", "单相智能电能表", "电能表", "电表"), "只", (150, 900),
              ("轮换拆回表，需重新检定后方可用于贸易结算", "载波通信，费控型")),
    "arrester": (3, lambda r: r.choice(("HY5WS-17/50", "HY5WZ-17/45", "HY5WS-12.7/50")),
                 ("氧化锌避雷器", "避雷器"), "只", (80, 300),
                 ("复合外套，配电型，10kV线路用",)),
    "capacitor": (3, lambda r: f"BSMJ0.45-{r.choice((15, 20, 30, 40))}-3",
                  ("自愈式并联电容器", "电容器", "低压电容器"), "只", (300, 900),
                  ("低压补偿柜拆下，容量衰减在5%以内",)),
    "battery": (3, lambda r: f"6-GFM-{r.choice((65, 100, 150, 200))}",
                ("阀控密封铅酸蓄电池", "蓄电池"), "组", (8_000, 25_000),
                ("每组18只，直流屏配套，内阻测试正常",)),
    "genset": (3, lambda r: f"{r.choice((100, 150, 200, 300, 500))}GF",
               ("柴油发电机组", "柴发", "发电机组"), "台", (40_000, 200_000),
               ("带静音箱和ATS，运行时间不足3000小时",)),
    "ct": (3, lambda r: f"LZZBJ9-10 {r.choice((100, 150, 200, 300, 400, 600))}/5",
           ("电流互感器", "流变"), "只", (500, 2_000),
           ("0.5/10P10，环氧树脂浇注，开关柜拆下",)),
}  # fmt: skip
MAKERS = {
    "oil": TRANSFORMER_MAKERS, "dry": TRANSFORMER_MAKERS, "box": TRANSFORMER_MAKERS,
    "kyn": SWITCH_MAKERS, "rmu": SWITCH_MAKERS, "lv": SWITCH_MAKERS,
    "pole": SWITCH_MAKERS, "vcb": SWITCH_MAKERS, "mvcable": CABLE_MAKERS,
    "lvcable": CABLE_MAKERS, "conductor": CABLE_MAKERS, "meter": METER_MAKERS,
    "arrester": ("西电", "平高", "正泰电气", "抚顺电瓷", "金冠电气"),
    "capacitor": ("正泰电气", "许继", "西电", "思源电气", "德力西"),
    "battery": BATTERY_MAKERS, "genset": GENSET_MAKERS, "ct": SWITCH_MAKERS,
}  # fmt: skip
# Families whose models parse_model does not know: (category, specs).
FALLBACK = {
    "box": ("box_substation", {"voltage_kv": 10.0}),
    "rmu": ("ring_main_unit", {"voltage_kv": 10.0}),
    "pole": ("outdoor_vacuum_breaker", {"voltage_kv": 10.0}),
    "vcb": ("indoor_vacuum_breaker", {"voltage_kv": 10.0}),
    "kyn": ("mv_withdrawable_switchgear", {"voltage_kv": 10.0}),
    "meter": ("three_phase_meter", {}),
}
WANTED_SHARE = 0.15
TRADITIONAL_SHARE = 0.10


class Corpus:
    """Seeded posts; the first k posts of a run of N are those of a run of k."""

    def __init__(self, seed: int = SEED, today: date | None = None) -> None:
        import opencc

        from market.domain.model_numbers import parse_model
        from market.domain.regions import list_children

        self.rng = random.Random(seed)
        self.parse_model = parse_model
        self.s2t = opencc.OpenCC("s2t")
        self.today = today or date.today()
        self.now = datetime.now(timezone.utc)
        self.families = list(FAMILIES)
        self.weights = [FAMILIES[name][0] for name in self.families]
        self.places = []  # (province, city, district, place name, weight)
        for city in list_children("370000"):
            short_city = _short(city.name)
            for district in list_children(city.code) or [None]:
                if district is None:
                    name = short_city
                elif district.name.endswith("市"):
                    name = _short(district.name)
                else:
                    name = short_city + _short(district.name)
                weight = 12 if city.code == "370400" else 1
                self.places.append(
                    ("370000", city.code, district.code if district else None, name,
                     weight)
                )
        self.place_weights = [place[4] for place in self.places]
        self._parsed: dict[str, object] = {}

    def _parse(self, model: str):
        if model not in self._parsed:
            self._parsed[model] = self.parse_model(model)
        return self._parsed[model]

    def post(self, number: int) -> SimpleNamespace:
        rng = self.rng
        family = rng.choices(self.families, weights=self.weights)[0]
        _weight, make_model, nouns, unit, price_range, details = FAMILIES[family]
        model = make_model(rng)
        parsed = self._parse(model)
        if parsed is not None and parsed.category_slug:
            category = parsed.category_slug
            specs = dict(parsed.specs)
        else:
            category, specs = FALLBACK.get(family, ("other", {}))
            specs = dict(specs)
        province, city, district, place, _w = rng.choices(
            self.places, weights=self.place_weights
        )[0]
        noun = rng.choice(nouns)
        maker = rng.choice(MAKERS[family])
        grade = rng.choices(GRADES, weights=GRADE_WEIGHTS)[0]
        wanted = rng.random() < WANTED_SHARE
        kva = specs.get("capacity_kva")
        published = self.now - timedelta(minutes=rng.randint(0, 365 * 1440))
        quantity = rng.randint(1, 8) if unit != "米" else rng.randint(1, 80) * 10
        low, high = price_range
        price = None if rng.random() < 0.12 else rng.randint(low, high)
        if wanted:
            title, description, specs = self._wanted(rng, family, model, noun, unit,
                                                     quantity, grade, place, specs)
            model_raw = None
            maker_raw = None
            grade = grade if grade not in ("scrap", "needs_repair") else "grade_80"
        else:
            title = self._offer_title(
                rng, model, noun, unit, quantity, grade, place, kva
            )
            description = self._offer_description(rng, maker, details, grade, specs,
                                                  place, model)
            model_raw = model
            maker_raw = maker
        if rng.random() < TRADITIONAL_SHARE:
            title = self.s2t.convert(title)
            description = self.s2t.convert(description)
        if rng.random() < 0.01:
            end = self.today - timedelta(days=rng.randint(1, 3))  # not expired yet
        else:
            end = self.today + timedelta(days=rng.randint(1, 180))
        documents = []
        if not wanted and rng.random() < 0.3:
            documents.append(
                SimpleNamespace(
                    kind=SimpleNamespace(value="test_report"), pending=False
                )
            )
        return SimpleNamespace(
            id=number,
            kind=SimpleNamespace(value="wanted" if wanted else "offer"),
            category_slug=category,
            title=title,
            model_raw=model_raw,
            manufacturer=maker_raw,
            description=description,
            specs=specs,
            condition_grade=grade,
            price_cny=None if price is None else Decimal(price),
            province_code=province,
            city_code=city,
            district_code=district,
            published_at=published,
            updated_at=published,
            valid_until=None if wanted else end,
            wanted_by=end if wanted else None,
            documents=documents,
        )

    def _offer_title(self, rng, model, noun, unit, quantity, grade, place, kva) -> str:
        used = "" if grade == "new" else "二手"
        shape = rng.random()
        if grade == "scrap":
            return f"{place} 报废{model}{noun} {quantity}{unit} 按废料处理"
        if kva and shape < 0.3:
            return (f"{place} {used}{_capacity_text(rng, int(kva))} {noun} {model} "
                    f"{GRADE_NAMES[grade]}")
        if shape < 0.5:
            return f"出售{used}{noun} {model} {quantity}{unit}（{place}）"
        return f"{place} {used}{model}{noun} {quantity}{unit} {GRADE_NAMES[grade]}"

    def _offer_description(
        self, rng, maker, details, grade, specs, place, model
    ) -> str:
        year = self.today.year - rng.randint(0, 20)
        parts = [f"{year}年{maker}生产，{rng.choice(SOURCES)}。"]
        parts.append(rng.choice(details) + "。")
        if specs.get("capacity_kva"):
            parts.append(
                f"额定容量{_capacity_text(rng, int(specs['capacity_kva']))}，"
                f"电压等级{_voltage_text(rng, specs.get('voltage_kv', 10.0))}。"
            )
        elif specs.get("cross_section_mm2"):
            parts.append(f"截面{specs['cross_section_mm2']:g}平方，单盘长度足米。")
        elif specs.get("voltage_kv"):
            parts.append(f"适用于{_voltage_text(rng, specs['voltage_kv'])}配电系统。")
        if grade == "scrap":
            parts.append("整台出售，现场自提，需出具危废处置协议。")
        else:
            parts.append(rng.choice(CONDITION_TEXT))
        parts.append(rng.choice(LOGISTICS).format(city=place[:2]))
        if rng.random() < 0.3:
            parts.append(f"型号{model}，如需更多照片请联系。")
        return "".join(parts)

    def _wanted(self, rng, family, model, noun, unit, quantity, grade, place, specs):
        kva = specs.get("capacity_kva")
        if kva:
            index = CAPACITIES.index(int(kva)) if int(kva) in CAPACITIES else 8
            low = CAPACITIES[max(0, index - rng.randint(0, 2))]
            high = CAPACITIES[min(len(CAPACITIES) - 1, index + rng.randint(0, 2))]
            label = f"{low}-{high}kVA" if low != high else _capacity_text(rng, low)
            specs = {**specs, "capacity_kva": [float(low), float(high)]}
        else:
            label = model.split("-")[0].split(" ")[0]
        minimum = GRADE_NAMES.get(grade if grade not in ("scrap", "needs_repair")
                                  else "grade_80")
        title = f"求购 {label} {noun} {quantity}{unit} {minimum}以上（{place}）"
        volt = specs.get("voltage_kv")
        description = (
            (f"电压等级{_voltage_text(rng, volt)}，" if volt else "")
            + rng.choice(("需提供铭牌照片和近期试验报告。", "用于厂区临时用电，国产品牌均可。",
                          "线路改造急用。", "需带出厂资料，运行年限不超过五年。"))
            + rng.choice(("有货请电话联系，可上门看货。", "价格合适可长期合作。",
                          "需要尽快到货，现款结算。"))
        )
        return title, description, specs


def _short(name: str) -> str:
    for suffix in ("市", "区", "县"):
        if len(name) > 2 and name.endswith(suffix):
            return name[: -len(suffix)]
    return name


# --- the queries ----------------------------------------------------------------------


def query_mix() -> dict[str, list[dict]]:
    """The fixed queries, by kind: SearchParams keyword arguments."""
    single = [
        "变压器", "箱变", "箱式变电站", "环网柜", "开关柜", "断路器", "电缆", "电能表",
        "避雷器", "电容器", "互感器", "蓄电池", "发电机组", "干变", "油变", "真空开关",
        "看门狗", "柴发", "导线", "高压柜", "低压柜", "二手", "全新", "报废", "铜绕组",
        "枣庄", "滕州", "薛城", "济南", "青岛", "特变电工", "正泰", "许继", "平高", "西电",
        "ABB", "西门子", "施耐德", "试验报告", "闲置", "库存", "退役", "400kVA", "10kV",
        "630A", "3×240", "0.4kV", "1000千伏安", "环网箱", "温控",
    ]  # fmt: skip
    multi = [
        "S11 400kVA", "枣庄 变压器", "薛城 箱变", "10kV 环网柜", "干式变压器 1000kVA",
        "二手 开关柜", "正泰 断路器", "滕州 电缆", "高压 电缆 3×240", "油浸式 变压器 全新",
        "箱变 630kVA", "山亭 KYN28A-12", "济南 干变", "青岛 环网柜", "临沂 变压器 二手",
        "10千伏 油浸式变压器", "630安 环网柜", "真空断路器 1250A", "电能表 拆回表",
        "避雷器 10kV", "特变电工 S11", "西电 开关柜", "许继 电能表", "平高 断路器",
        "铜芯 电缆", "铝芯 导线", "柴油 发电机组 200kW", "蓄电池 12V 100Ah", "补偿 电容器",
        "互感器 200/5", "美式箱变 400kVA", "欧式 箱变", "低压 配电柜 GGD", "箱变 带计量",
        "S13 630kVA", "SCB10 1000kVA", "0.4MVA 变压器", "400 KVA 变压器", "3x240 电缆",
        "YJV22 3*240", "全密封 变压器", "节能型 变压器", "闲置 变压器 枣庄", "库存 电缆 全新",
        "退役 开关柜", "潍坊 箱变", "烟台 电缆", "淄博 变压器", "济宁 环网柜", "泰安 断路器",
    ]  # fmt: skip
    model = [
        "S11-M-400/10", "S13-M-630/10", "SCB10-1000/10", "SCB11-630/10",
        "ZGS11-Z-400/10", "KYN28A-12", "KYN28", "KYN28A-12/1250-31.5", "ZW32-12/630-20",
        "ZW32-12F", "VS1-12/1250-31.5", "VS1", "XGN15-12", "HXGN15-12/630-20", "GGD",
        "YJV22-8.7/15", "YJV22-8.7/15 3×240", "YJV-0.6/1", "JKLYJ-10/240", "DTZY1296",
        "DDZY208-Z", "HY5WS-17/50", "BSMJ0.45-30-3", "6-GFM-100", "200GF", "LZZBJ9-10",
        "200/5", "S11", "S11-M", "400/10", "630/10", "1000/10", "S9-M-315/10", "SCB13",
        "S20-M-200/10", "ZGS11", "s11-m-400/10", "ＫＹＮ２８Ａ－１２", "HY5WZ", "DTSD1296",
    ]  # fmt: skip
    filtered = [
        {"q": "", "category": "transformer", "sort": "newest"},
        {"q": "", "category": "oil_immersed_transformer", "sort": "newest"},
        {"q": "", "category": "switchgear", "sort": "newest"},
        {"q": "", "city": "370400", "sort": "newest"},
        {"q": "", "district": "370403", "sort": "newest"},
        {"q": "", "kind": "wanted", "sort": "newest"},
        {"q": "", "category": "transformer", "sort": "price_asc"},
        {"q": "", "category": "wire_cable", "sort": "price_desc"},
        {"q": "", "voltage_kv": 10.0, "sort": "newest"},
        {"q": "", "capacity_min": 315, "capacity_max": 630},
        {"q": "变压器", "kind": "wanted"},
        {"q": "变压器", "city": "370400"},
        {"q": "变压器", "district": "370405"},
        {"q": "变压器", "capacity_min": 400, "capacity_max": 630},
        {"q": "变压器", "price_max": 30000},
        {"q": "变压器", "condition": "grade_90"},
        {"q": "变压器", "has_report": True},
        {"q": "变压器", "within_days": 30},
        {"q": "变压器", "sort": "price_asc"},
        {"q": "变压器", "sort": "newest"},
        {"q": "箱变", "category": "transformer"},
        {"q": "开关柜", "category": "ring_main_unit"},
        {"q": "开关柜", "voltage_kv": 0.4},
        {"q": "电缆", "voltage_kv": 10.0},
        {"q": "电缆", "price_min": 100, "price_max": 500},
        {"q": "断路器", "city": "370100"},
        {"q": "S11-M-400/10", "condition": "like_new"},
        {"q": "S11-M-400/10", "sort": "price_asc"},
        {"q": "S11-M-400/10", "has_report": True},
        {"q": "KYN28A-12", "city": "370400", "sort": "newest"},
        {"q": "干式变压器", "capacity_min": 800},
        {"q": "电能表", "category": "metering"},
        {"q": "避雷器", "price_max": 200},
        {"q": "环网柜", "kind": "offer", "city": "370400"},
        {"q": "柴油发电机组", "within_days": 90},
        {"q": "", "kind": "offer", "category": "transformer", "voltage_kv": 10.0,
         "capacity_min": 400, "capacity_max": 400, "price_max": 40000,
         "condition": "grade_80", "city": "370400", "has_report": True},
        {"q": "", "category": "box_substation", "condition": "grade_80"},
        {"q": "", "province": "370000", "within_days": 7, "sort": "newest"},
        {"q": "二手", "city": "370200", "sort": "price_desc"},
        {"q": "400kVA", "kind": "wanted"},
    ]  # fmt: skip
    phrase = [
        '"油浸式变压器"', '"干式变压器"', '"二手 S11"', '"配网改造退役"', '"可现场看货"',
        '"铜绕组"', '"箱式变电站"', '"高压开关柜"', '"柱上真空断路器"', '"全密封"',
        '"试验数据正常"', '"按废料处理"', '"环氧树脂浇注"', '"整盘未开断"', '"轮换拆回表"',
        '"带静音箱"', '"联结组别Dyn11"', '"需重新检定"', '"库存积压"', '"求购 箱式变电站"',
    ]  # fmt: skip
    traditional = [
        "變壓器", "箱式變電站", "開關櫃", "環網櫃", "乾式變壓器", "真空斷路器", "電能表",
        "電纜", "棗莊 變壓器", "二手 開關櫃",
    ]  # fmt: skip
    typo = [
        "KYN82A-12", "SCB01", "ZW23-12", "DTZY1269", "HY5SW", "YJV33", "transfromer",
        "secret", "abcdefghijklmnop", "S11-M-400/01",
    ]  # fmt: skip
    mix = {
        "single": [{"q": q} for q in single],
        "multi": [{"q": q} for q in multi],
        "model": [{"q": q} for q in model],
        "filter": filtered,
        "phrase": [{"q": q} for q in phrase],
        "traditional": [{"q": q} for q in traditional],
        "typo": [{"q": q} for q in typo],
    }
    assert {k: len(v) for k, v in mix.items() if k in SHARES} == SHARES
    return mix


def select_queries(count: int) -> list[tuple[str, dict]]:
    """`count` queries in the proportions of the 210 (cycled past 210), then typos."""
    mix = query_mix()
    total = sum(SHARES.values())
    chosen = []
    for kind in KINDS:
        wanted = max(1, round(count * SHARES[kind] / total))
        items = mix[kind]
        chosen += [(kind, items[i % len(items)]) for i in range(wanted)]
    chosen += [(kind, item) for kind in EXTRA_KINDS for item in mix[kind]]
    return chosen


# --- phase 1: build -------------------------------------------------------------------


def dir_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def phase_build(n: int, root: Path, seed: int, procs=None) -> dict:
    from market.search import analysis
    from market.search.index import create_index_dir, swap_current
    from market.search.schema import listing_document
    from market.search.sync import rebuild_writer

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    analysis.load()
    load_s = time.perf_counter() - started
    corpus = Corpus(seed)
    path, index = create_index_dir(root)
    writer = rebuild_writer(index, n, procs)  # as sync._rebuild_locked
    generate_s = document_s = add_s = 0.0
    chars = 0
    report_every = max(1, n // 10)
    for number in range(1, n + 1):
        t0 = time.perf_counter()
        post = corpus.post(number)
        t1 = time.perf_counter()
        document = listing_document(post)
        t2 = time.perf_counter()
        writer.add_document(**document)
        t3 = time.perf_counter()
        generate_s += t1 - t0
        document_s += t2 - t1
        add_s += t3 - t2
        chars += len(post.title) + len(post.description)
        if number % report_every == 0:
            print(f"  build {n:,}: {number:,} added "
                  f"({document_s + add_s:.0f} s so far)", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    writer.commit()
    commit_s = time.perf_counter() - t0
    swap_current(root, path)
    build_s = document_s + add_s + commit_s
    return {
        "n": n,
        "analyzer_load_s": load_s,
        "generate_s": generate_s,
        "document_s": document_s,
        "add_s": add_s,
        "commit_s": commit_s,
        "build_s": build_s,
        "docs_per_s": n / build_s,
        "size_mb": dir_size_mb(path),
        "segments": _segments(path),
        "avg_chars": chars / n,
        "peak_rss_mb": peak_rss_mb(),
        "children_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        / 1024,
        "procs": getattr(writer, "procs", 1),
        "loadavg": [load_before, os.getloadavg()[0]],
    }


def _segments(path: Path) -> int:
    from whoosh import index as whoosh_index

    with whoosh_index.open_dir(str(path)).reader() as reader:
        return len(reader.leaf_readers())


# --- phase 2: query -------------------------------------------------------------------


class Breakdown:
    """Exclusive time per wrapped step: a step's time excludes wrapped steps inside
    it; a generator's time is counted while it is iterated."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self.stack: list[list] = []
        self.absorb = 0
        self.saved: list[tuple[object, str, object]] = []

    def _timed(self, name: str, call, absorbs: bool = False):
        if self.absorb:
            return call()
        frame = [name, 0.0]
        self.stack.append(frame)
        self.absorb += absorbs
        started = time.perf_counter()
        try:
            return call()
        finally:
            elapsed = time.perf_counter() - started
            self.absorb -= absorbs
            self.stack.pop()
            self.totals[name] = self.totals.get(name, 0.0) + elapsed - frame[1]
            if self.stack:
                self.stack[-1][1] += elapsed

    def _generator(self, name: str, generator):
        while True:
            try:
                item = self._timed(name, lambda: next(generator))
            except StopIteration:
                return
            yield item

    def wrap(self, owner, attribute: str, name: str, absorbs: bool = False) -> None:
        """Replace owner.attribute by a timed version (if it exists)."""
        function = getattr(owner, attribute, None)
        if function is None:
            return
        breakdown = self

        def wrapper(*args, **kwargs):
            result = breakdown._timed(name, lambda: function(*args, **kwargs), absorbs)
            if inspect.isgenerator(result):
                return breakdown._generator(name, result)
            return result

        self.saved.append((owner, attribute, function))
        setattr(owner, attribute, wrapper)

    def restore(self) -> None:
        for owner, attribute, function in reversed(self.saved):
            setattr(owner, attribute, function)
        self.saved.clear()


# (module attribute of market.search.query, label); missing ones are skipped, so the
# breakdown follows the query code as it changes.
QUERY_STEPS = (
    ("search", "other (params, page, top k, result)"),
    ("get_searcher", "get_searcher (reopen check)"),
    ("build_text_query", "analyse words, build query"),
    ("build_filter", "build filter"),
    ("_filter_docs", "filter sets"),
    ("_expired_docs", "expired set"),
    ("_sort_keys", "sort keys"),
    ("_snippet", "highlights (re-analyse hits)"),
    ("_facet_counts", "facet counts"),
)
SEARCHER_STEPS = (
    ("search_with_collector", "match + score + count (collector)"),
    ("search_page", "search_page (match, score, sort, groupedby)"),
    ("docs_for_query", "docs_for_query"),
)


def instrument(breakdown: Breakdown, searcher) -> None:
    """Time the steps of market.search.query._search (in this process only)."""
    from whoosh import searching

    from market.search import query

    for attribute, name in QUERY_STEPS:
        breakdown.wrap(query, attribute, name)
    breakdown.wrap(query, "_did_you_mean", "did you mean", absorbs=True)
    for attribute, name in SEARCHER_STEPS:
        breakdown.wrap(searching.Searcher, attribute, name)
    breakdown.wrap(searching.Results, "__len__", "exact count (len(results))")
    # A searcher copies its reader's stored_fields when made: wrap this one's.
    breakdown.wrap(searcher, "stored_fields", "stored fields")


def make_app(root: Path, scratch: Path):
    from market import create_app

    return create_app(
        {
            "TESTING": True,
            "MARKET_DATABASE_URL": f"sqlite:///{scratch / 'unused.sqlite'}",
            "MARKET_SECRET_KEY": "bench-secret-" + "k" * 40,
            "MARKET_UPLOAD_DIR": str(scratch / "uploads"),
            "MARKET_RATELIMIT_STORAGE_URI": "memory://",
            "MARKET_SEARCH_INDEX_DIR": str(root),
            "MARKET_SEARCH_WORKER": "off",
            "SERVER_NAME": None,
        },
        instance_path=str(scratch / "instance"),
    )


def phase_query(root: Path, count: int) -> dict:
    from market.search import SearchParams, search
    from market.search.index import get_searcher, index_root

    rss_start = rss_mb()
    load_before = os.getloadavg()[0]
    scratch = root.parent / "app"
    scratch.mkdir(exist_ok=True)
    app = make_app(root, scratch)
    queries = select_queries(count)
    samples = {False: [[] for _ in queries], True: [[] for _ in queries]}
    totals = [0] * len(queries)
    errors: list[str] = []

    def run(index: int, facets: bool, timed: bool) -> None:
        _kind, params = queries[index]
        started = time.perf_counter()
        try:
            result = search(SearchParams(**params, facets=facets))
        except Exception as error:  # counted and shown, the run goes on
            errors.append(f"{params}: {error!r}")
            return
        elapsed = (time.perf_counter() - started) * 1000
        if timed:
            samples[facets][index].append(elapsed)
        totals[index] = result.total

    with app.app_context():
        started = time.perf_counter()
        search(SearchParams(q="变压器", facets=False))
        first_ms = (time.perf_counter() - started) * 1000
        rss_open = rss_mb()
        for index in range(len(queries)):  # warm-up
            run(index, False, False)
            run(index, True, False)
        for number in range(TIMED_PASSES):
            for index in range(len(queries)):
                run(index, False, True)
                run(index, True, True)
            print(f"  queries: pass {number + 1}/{TIMED_PASSES} done",
                  file=sys.stderr, flush=True)
        rss_after = rss_mb()
        anon_after, file_after = rss_mb("RssAnon"), rss_mb("RssFile")
        breakdowns = {}
        from market.search import query as query_module

        for facets in (False, True):
            breakdown = Breakdown()
            instrument(breakdown, get_searcher(index_root()))
            try:
                for kind, params in queries:
                    if kind in KINDS:  # the misspelt words are not in the headline
                        query_module.search(SearchParams(**params, facets=facets))
            finally:
                breakdown.restore()
            counted = sum(1 for kind, _params in queries if kind in KINDS)
            breakdowns["on" if facets else "off"] = {
                name: seconds * 1000 / counted
                for name, seconds in breakdown.totals.items()
            }
    return {
        "queries": [
            {"kind": kind, "params": params, "total": totals[i],
             "off": samples[False][i], "on": samples[True][i]}
            for i, (kind, params) in enumerate(queries)
        ],
        "errors": errors,
        "first_query_ms": first_ms,
        "rss_start_mb": rss_start,
        "rss_open_mb": rss_open,
        "rss_after_mb": rss_after,
        "anon_after_mb": anon_after,
        "file_after_mb": file_after,
        "peak_rss_mb": peak_rss_mb(),
        "breakdown_ms_per_query": breakdowns,
        "loadavg": [load_before, os.getloadavg()[0]],
    }


# --- the report -----------------------------------------------------------------------


def latency(query_results: list[dict], mode: str, kinds=KINDS) -> dict:
    values = [v for q in query_results if q["kind"] in kinds for v in q[mode]]
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values) if values else float("nan"),
        "mean": sum(values) / len(values) if values else float("nan"),
        "samples": len(values),
    }


def report(results: list[dict], fingerprint: str = "") -> str:
    import whoosh

    out = []
    out.append(
        f"Search benchmark, {date.today().isoformat()}: "
        f"Python {platform.python_version()}, "
        f"Whoosh {'.'.join(map(str, whoosh.__version__))}, {os.cpu_count()} cores, "
        f"seed {SEED}; {fingerprint}"
    )
    out.append("")
    out.append(
        "Build (document building + add_document + commit; sync.rebuild_writer)"
    )
    rows = []
    for r in results:
        b = r["build"]
        rows.append([f"{b['n']:,}", fmt(b["build_s"]), f"{b['docs_per_s']:.0f}",
                     fmt(b["document_s"]), fmt(b["add_s"]), fmt(b["commit_s"]),
                     fmt(b["size_mb"]), f"{b['avg_chars']:.0f}",
                     f"{b.get('procs', 1)}/{b.get('segments', 1)}",
                     f"{b['peak_rss_mb']:.0f}",
                     f"{b.get('children_peak_rss_mb', 0):.0f}"])
    out.append(table(["N", "build s", "docs/s", "doc s", "add s", "commit s", "size MB",
                      "chars/post", "procs/segments", "peak RSS MB",
                      "writer child MB"], rows))
    out.append("")
    out.append(f"Latency, ms ({TIMED_PASSES} timed passes after 1 warm-up; "
               "per_page=20, "
               "exact total, highlights)")
    rows = []
    for r in results:
        q = r["query"]["queries"]
        count = sum(1 for x in q if x["kind"] in KINDS)
        for mode, label in (("off", "no facets"), ("on", "4 facets")):
            s = latency(q, mode)
            rows.append([f"{r['build']['n']:,}", f"{count}", label, fmt(s["p50"]),
                         fmt(s["p95"]), fmt(s["p99"]), fmt(s["max"]), fmt(s["mean"])])
    headers = ["N", "queries", "mode", "p50", "p95", "p99", "max", "mean"]
    out.append(table(headers, rows))
    out.append("")
    out.append("By kind: p50/p95 ms, without | with facets (typo: misspelt words, "
               "not in the figures above)")
    rows = []
    for kind in (*KINDS, *EXTRA_KINDS):
        row = [kind]
        for r in results:
            q = r["query"]["queries"]
            off = latency(q, "off", (kind,))
            on = latency(q, "on", (kind,))
            row.append(f"{fmt(off['p50'])}/{fmt(off['p95'])} | "
                       f"{fmt(on['p50'])}/{fmt(on['p95'])}")
        rows.append(row)
    out.append(table(["kind", *(f"{r['build']['n']:,} posts" for r in results)], rows))
    out.append("")
    out.append("Search worker (a fresh process, as a web worker): RSS MB at start, "
               "after the first query, after all queries (of which private / index "
               "files mapped), peak")
    rows = []
    for r in results:
        q = r["query"]
        rows.append([f"{r['build']['n']:,}", f"{q['rss_start_mb']:.0f}",
                     f"{q['rss_open_mb']:.0f}", f"{q['rss_after_mb']:.0f}",
                     f"{q.get('anon_after_mb', float('nan')):.0f} / "
                     f"{q.get('file_after_mb', float('nan')):.0f}",
                     f"{q['peak_rss_mb']:.0f}", fmt(q["first_query_ms"]),
                     str(len(q["errors"]))])
    out.append(table(["N", "start", "1st query", "after", "private / files", "peak",
                      "1st query ms", "errors"], rows))
    out.append("")
    out.append("Where the time goes: one instrumented pass, exclusive ms per query "
               "(mean over the headline queries)")
    names = []
    for r in results:
        for mode in ("off", "on"):
            for name in r["query"]["breakdown_ms_per_query"][mode]:
                if name not in names:
                    names.append(name)
    rows = []
    for name in names:
        row = [name]
        for r in results:
            for mode in ("off", "on"):
                steps = r["query"]["breakdown_ms_per_query"][mode]
                row.append(fmt(steps.get(name, 0.0)))
        rows.append(row)
    headers = ["step"] + [f"{r['build']['n']:,} {m}" for r in results
                          for m in ("off", "on")]
    out.append(table(headers, rows))
    out.append("")
    out.append("Targets")
    for r in results:
        n = r["build"]["n"]
        if n in TARGETS:
            p95 = latency(r["query"]["queries"], "on")["p95"]
            met = "MET" if p95 <= TARGETS[n] else "NOT MET"
            out.append(f"  p95 with facets at {n:,}: {fmt(p95)} ms, target <= "
                       f"{TARGETS[n]:g} ms: {met}")
        if n == 100_000:
            rate = r["build"]["docs_per_s"]
            met = "MET" if rate >= TARGET_BUILD_RATE else "NOT MET"
            out.append(f"  full rebuild of 100,000: {rate:.0f} posts/s, target >= "
                       f"{TARGET_BUILD_RATE:.0f}: {met}")
    for r in results:
        out.append(
            f"  1-minute load average at {r['build']['n']:,}: build "
            f"{r['build']['loadavg'][0]:.2f} -> {r['build']['loadavg'][1]:.2f}, "
            f"queries {r['query']['loadavg'][0]:.2f} -> {r['query']['loadavg'][1]:.2f}"
            " (this process alone adds about 1)"
        )
        for error in r["query"]["errors"][:5]:
            out.append(f"  error at {r['build']['n']:,}: {error}")
    return "\n".join(out)


# --- driver ---------------------------------------------------------------------------


def run_child(args: list[str]) -> dict:
    return benchkit.run_child(__file__, args, CHILD_TIMEOUT_S, ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, action="append",
                        help="posts to index (repeat for several sizes; "
                             "default 10000 and 100000)")
    parser.add_argument("--queries", type=int, default=210,
                        help="queries per pass (the 210-mix in proportion; "
                             "default 210)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", help="also write the raw results here")
    parser.add_argument("--procs", type=int,
                        help="writer processes for the build (default: as "
                             "sync.rebuild_writer chooses)")
    parser.add_argument("--keep", metavar="DIR",
                        help="keep each built index in DIR/<N>-<seed> and, when one "
                             "is there already, reuse it (and its build figures) "
                             "instead of building again; delete it to rebuild")
    parser.add_argument("--phase", choices=("build", "query"), help=argparse.SUPPRESS)
    parser.add_argument("--index-root", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:
        root = Path(args.index_root)
        if args.phase == "build":
            result = phase_build(args.n[0], root, args.seed, args.procs)
        else:
            result = phase_query(root, args.queries)
        Path(args.out).write_text(json.dumps(result))
        return 0

    sizes = args.n or list(DEFAULT_SIZES)
    fingerprint = code_fingerprint()
    results = []
    failures = []
    notes: list[str] = []
    for n in sizes:
        if args.keep:
            work = Path(args.keep) / f"{n}-{args.seed}"
            work.mkdir(parents=True, exist_ok=True)
        else:
            work = Path(tempfile.mkdtemp(prefix=f"bench-search-{n}-"))
        try:
            root = work / "search-index"
            saved = work / "build.json"
            if args.keep and saved.exists() and (root / "current").exists():
                build = json.loads(saved.read_text())
                print(f"[{n:,} posts] reusing the index in {root}, built by "
                      f"{build.get('code', '?')}", file=sys.stderr, flush=True)
                if build.get("code") != fingerprint:
                    notes.append(f"the {n:,} index was built by other code "
                                 f"({build.get('code', '?')}): its build figures "
                                 "are that code's")
            else:
                shutil.rmtree(root, ignore_errors=True)
                print(f"[{n:,} posts] building in {root}", file=sys.stderr,
                      flush=True)
                build = run_child(["--phase", "build", "--n", str(n), "--seed",
                                   str(args.seed), "--index-root", str(root),
                                   *(["--procs", str(args.procs)] if args.procs
                                     else [])])
                build["code"] = fingerprint
                if args.keep:
                    saved.write_text(json.dumps(build))
            print(f"[{n:,} posts] {build['docs_per_s']:.0f} docs/s; querying",
                  file=sys.stderr, flush=True)
            query = run_child(["--phase", "query", "--queries", str(args.queries),
                               "--index-root", str(root)])
            results.append({"build": build, "query": query})
        except (subprocess.SubprocessError, OSError, ValueError) as error:
            failures.append(f"{n:,} posts: {error}")  # the other sizes still run
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    if fingerprint != code_fingerprint():
        failures.append("market/search changed while the benchmark ran: the build "
                        "and the queries may have used different code")
    if results:
        print(report(results, fingerprint))
    for note in notes:
        print(f"NOTE: {note}")
    for failure in failures:
        print(f"FAILED: {failure}")
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"code": fingerprint, "results": results, "failures": failures},
            ensure_ascii=False, indent=1))
    return 1 if failures else 0


def code_fingerprint() -> str:
    """git HEAD and a hash of market/search as it is on disk (uncommitted included)."""
    files = [
        path
        for path in (ROOT / "market" / "search").rglob("*")
        if path.is_file() and path.suffix in (".py", ".txt")
    ]
    return benchkit.code_fingerprint(ROOT, files, "market/search")


if __name__ == "__main__":
    sys.exit(main())
