"""Matching benchmark: time match_published() for posts as they are published.

    .venv/bin/python bench/matching.py             # 50,000 wanted, 100,000 offers
    .venv/bin/python bench/matching.py --wanted 5000 --offers 10000 --publishes 20
    .venv/bin/python bench/matching.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/bench_matching

1. build: a database made by the real migrations (a temporary SQLite file, or the
   PostgreSQL database given, whose tables are dropped before and after; its name
   must contain "bench"). Into it, with Core bulk inserts: 3,000 enterprises (97 %
   approved, 5 % with an unverified credit code), then seeded posts across every
   leaf category of market.domain, weighted as the pilot's demo data is
   (distribution transformers, switchgear and cables lead), with demo-like specs
   (voltage levels, kVA / A / mm² series, ranges on wanted posts, open ends and
   unstated ratings), prices, units, grades, places (Shandong 75 %, Zaozhuang
   weighted 12:1) and dates: --wanted open wanted posts and --offers offers.
   About 8 % of each are not public (pending, sold, expired, withdrawn, past
   their date), 30 % of offers carry a test report, 3 % of transformer offers are
   scrap-only eliminated models. Then 2 × (warm-up + --publishes) subjects,
   offers and wanted posts from the same generator, still pending.
2. measure (a child process, as a web worker would be): the app from create_app.
   Each subject in turn is set published, then timed with time.perf_counter:
   match_published(listing) (candidates in SQL, PostFacts, rank, Match rows,
   notifications, flush) and the commit. New offers meet the open wanted posts,
   new wanted posts meet the offers. A second, untimed-by-the-clock pass says
   where the time goes: the candidate query through a raw DB-API cursor
   (database + driver), and the same query through SQLAlchemy into PostFacts.
   A third pass re-runs match_published for 10 subjects under tracemalloc.

Prints median, p95 and peak memory per direction, and the target: a median of
at most 100 ms per publish at 50,000 wanted posts and 100,000 offers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import benchkit  # noqa: E402 (bench/ is the script's folder)
from benchkit import fmt, peak_rss_mb, percentile, rss_mb, table  # noqa: E402

SEED = 20261126
DEFAULT_SAVED_SEARCHES = 4_000
DEFAULT_WANTED = 50_000
DEFAULT_OFFERS = 100_000
DEFAULT_PUBLISHES = 50
WARM_UP = 3
MEMORY_PASS = 10
TARGET_MEDIAN_MS = 100.0
ENTERPRISES = 3_000
CHUNK = 5_000
CHILD_TIMEOUT_S = 3600
# The code a publication runs (the fingerprint in the report's first line).
CODE = ("matching", "notifications", "saved_searches")

# --- the synthetic posts ------------------------------------------------------------

# Share of posts by leaf category (every other leaf category weighs 1), after the
# pilot's demo catalogue: distribution transformers, switchgear and cables lead.
CATEGORY_WEIGHTS = {
    "oil_immersed_transformer": 20, "dry_type_transformer": 7,
    "amorphous_transformer": 2, "box_substation": 6, "power_transformer_hv": 2,
    "mv_withdrawable_switchgear": 7, "mv_fixed_switchgear": 2, "ring_main_unit": 5,
    "lv_switchgear": 4, "lv_distribution_box": 2, "indoor_vacuum_breaker": 3,
    "outdoor_vacuum_breaker": 4, "lv_breaker": 2, "current_transformer": 2,
    "mv_power_cable": 6, "lv_power_cable": 4, "overhead_conductor": 3,
    "three_phase_meter": 3, "single_phase_meter": 3, "surge_arrester": 2,
    "shunt_capacitor": 2, "lead_acid_battery": 2, "diesel_genset": 2,
    "pv_module": 2, "scrap_lot": 2,
}  # fmt: skip
# Voltage levels by category: (level, weight); the default is the 10 kV network.
VOLTAGES = {
    "default": ((10.0, 80), (20.0, 6), (35.0, 10), (6.0, 4)),
    "power_transformer_hv": ((35.0, 5), (110.0, 4), (220.0, 1)),
    "gis": ((110.0, 3), (220.0, 1)),
    "sf6_breaker": ((35.0, 3), (110.0, 2)),
    "lv_switchgear": ((0.4, 1),),
    "lv_distribution_box": ((0.4, 1),),
    "lv_power_cable": ((0.4, 1),),
    "shunt_capacitor": ((0.4, 4), (10.0, 1)),
    "svg": ((0.4, 2), (10.0, 1)),
    "active_filter": ((0.4, 1),),
    "metering_cabinet": ((10.0, 1),),
    "insulator": ((10.0, 3), (35.0, 2), (110.0, 1)),
}
DISTRIBUTION_KVA = (30, 50, 80, 100, 125, 160, 200, 250, 315, 400, 500, 630, 800,
                    1000, 1250, 1600, 2000, 2500)  # fmt: skip
SERIES = {
    "capacity_kva": DISTRIBUTION_KVA,
    "rated_current_a": (630, 1250, 1600, 2000, 2500, 3150),
    "breaking_current_ka": (20, 25, 31.5, 40),
    "short_time_current_ka": (20, 25, 31.5),
    "lv_kv": (0.4,),
    "cores": (1, 3, 4, 5),
    "cross_section_mm2": (35, 50, 70, 95, 120, 150, 185, 240, 300, 400),
    "length_m": (50, 100, 200, 300, 500, 800, 1000, 1500, 2000),
    "capacity_kvar": (10, 20, 30, 40, 50, 100, 200, 300, 500, 1000),
    "power_kw": (30, 50, 100, 150, 200, 300, 400, 500, 800, 1000),
    "energy_kwh": (50, 100, 200, 500, 1000, 2000, 4000),
    "capacity_ah": (65, 100, 150, 200, 300, 500),
    "nominal_voltage_v": (2, 12, 48, 220),
    "power_wp": (270, 330, 400, 450, 500, 550),
    "weight_kg": (500, 1000, 2000, 5000, 10000, 20000, 50000),
    "working_height_m": (12, 14, 16, 18, 20, 25),
}
SERIES_BY_CATEGORY = {
    ("power_transformer_hv", "capacity_kva"): (3150, 5000, 6300, 8000, 10000, 12500,
                                               16000, 20000, 31500, 40000, 63000),
    ("ups", "capacity_kva"): (6, 10, 20, 40, 60, 80, 100, 120, 160, 200),
    ("arc_suppression_coil", "capacity_kva"): (200, 315, 400, 500, 630, 800, 1000),
    ("lv_switchgear", "rated_current_a"): (400, 630, 800, 1000, 1250, 1600, 2000,
                                           2500, 3200, 4000),
    ("lv_breaker", "rated_current_a"): (100, 160, 250, 400, 630, 800, 1000, 1600),
    ("lv_distribution_box", "rated_current_a"): (63, 100, 160, 250, 400),
    ("ring_main_unit", "rated_current_a"): (630,),
    ("dropout_fuse", "rated_current_a"): (100, 200),
    ("control_cable", "cross_section_mm2"): (1.5, 2.5, 4),
    ("pole_tower", "length_m"): (10, 12, 15, 18),
    ("pv_inverter", "power_kw"): (5, 10, 20, 36, 50, 60, 100, 110, 136, 225),
    ("eps", "power_kw"): (5, 10, 20, 30, 50, 100),
}  # fmt: skip
CHOICES = {
    "winding_material": ("cu", "cu", "cu", "al"),
    "conductor": ("cu", "cu", "al", "al_alloy"),
    "phase": ("3", "3", "1"),
}
UNITS = {
    "transformer": "unit", "switchgear": "panel", "switching_device": "unit",
    "instrument_transformer": "piece", "wire_cable": "metre", "metering": "piece",
    "reactive_compensation": "piece", "arrester_insulator_fitting": "piece",
    "protection_automation": "set", "generator_set": "unit",
    "dc_ups_battery": "group", "construction_equipment": "unit",
    "pv_storage": "piece", "test_instrument": "set", "other": "lot",
}  # fmt: skip
# Price per unit, CNY, by family: (low, high); transformers scale with kVA.
PRICES = {
    "transformer": (60, 130), "switchgear": (8_000, 60_000),
    "switching_device": (2_000, 20_000), "instrument_transformer": (300, 2_000),
    "wire_cable": (20, 800), "metering": (100, 900),
    "reactive_compensation": (200, 20_000), "arrester_insulator_fitting": (50, 800),
    "protection_automation": (3_000, 40_000), "generator_set": (30_000, 300_000),
    "dc_ups_battery": (2_000, 30_000), "construction_equipment": (20_000, 400_000),
    "pv_storage": (300, 80_000), "test_instrument": (2_000, 50_000),
    "other": (3_000, 15_000),
}  # fmt: skip
GRADES = (("new", 6), ("like_new", 18), ("grade_90", 26), ("grade_80", 24),
          ("serviceable", 18), ("needs_repair", 8))  # fmt: skip
MINIMUMS = ((None, 25), ("serviceable", 25), ("grade_80", 30), ("grade_90", 15),
            ("like_new", 5))  # fmt: skip
STATES = (("published", 920), ("pending", 30), ("sold", 20), ("expired", 20),
          ("withdrawn", 10))  # fmt: skip
ZAOZHUANG = "370400"


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


class Generator:
    """Seeded enterprises and posts; the same seed gives the same database."""

    def __init__(self, seed: int):
        from market.domain.categories import all_leaf_categories, get_category
        from market.domain.regions import list_children, list_provinces

        self.rng = random.Random(seed)
        self.categories = [c for c in all_leaf_categories()]
        self.weights = [CATEGORY_WEIGHTS.get(c.slug, 1) for c in self.categories]
        self.family = {
            c.slug: get_category(c.parent_slug).slug for c in self.categories
        }
        shandong = list_children("370000")
        self.cities = [city.code for city in shandong]
        self.city_weights = [12 if code == ZAOZHUANG else 1 for code in self.cities]
        self.others = [
            (province.code, city.code)
            for province in list_provinces()
            if province.code != "370000"
            for city in list_children(province.code)[:3]
        ]
        self.districts = {
            code: [d.code for d in list_children(code)] or [None]
            for code in self.cities + [city for _p, city in self.others]
        }
        self.now = datetime.now(timezone.utc)

    # places, dates

    def place(self) -> tuple[str, str, str | None]:
        rng = self.rng
        if rng.random() < 0.75:
            province = "370000"
            city = rng.choices(self.cities, self.city_weights)[0]
        else:
            province, city = rng.choice(self.others)
        district = rng.choice(self.districts[city]) if rng.random() < 0.8 else None
        return province, city, district

    def published(self) -> datetime:
        # Newer posts are commoner: most are days or weeks old.
        days = min(self.rng.expovariate(1 / 25), 120)
        return self.now - timedelta(days=days, seconds=self.rng.randrange(86400))

    # enterprises

    def enterprises(self, count: int) -> list[dict]:
        from market.domain.credit_code import make_credit_code, make_org_code

        rows = []
        for number in range(1, count + 1):
            province, city, district = self.place()
            status = weighted(
                self.rng, (("approved", 97), ("suspended", 2), ("pending", 1))
            )
            rows.append({
                "id": number,
                "name": f"基准测试电力设备有限公司{number:05d}",
                "credit_code": make_credit_code(
                    "9", "1", "370402", make_org_code(f"{number:08d}")
                ),
                "credit_code_unverified": self.rng.random() < 0.05,
                "enterprise_type": "recycler",
                "province_code": province,
                "city_code": city,
                "district_code": district,
                "address": "光明大道1号",
                "contact_name": "张伟",
                "contact_mobile": f"139{number:08d}",
                "contact_email": f"bench{number}@example.com",
                "status": status,
                "created_at": self.now,
                "submitted_at": self.now,
            })  # fmt: skip
        return rows

    # users and saved searches

    def users(self, enterprises: list[dict]) -> list[dict]:
        """1-3 users per enterprise (1.65 on average); 92 % with an e-mail address,
        4 % inactive; most leave the language to the default."""
        rng = self.rng
        rows = []
        for enterprise in enterprises:
            for seat in range(1 + weighted(rng, ((0, 50), (1, 35), (2, 15)))):
                number = len(rows) + 1
                rows.append({
                    "id": number,
                    "enterprise_id": enterprise["id"],
                    "name": f"用户{number:05d}",
                    "mobile": f"137{number:08d}",
                    "email": (f"user{number}@bench{enterprise['id']}.example.com"
                              if rng.random() < 0.92 else None),
                    "password_hash": "!",
                    "role": "member",
                    "active": rng.random() >= 0.04,
                    "session_token": f"bench-{number:010d}",
                    "locale": weighted(rng, ((None, 60), ("zh_CN", 30), ("en", 10))),
                    "created_at": self.now,
                })  # fmt: skip
        return rows

    def saved_searches(self, users: list[dict], count: int) -> list[dict]:
        """Searches as users save them: a category or words, often a kind, a city,
        a voltage level or a capacity range; 10 % muted."""
        rng = self.rng
        rows = []
        for number in range(1, count + 1):
            user = rng.choice(users)
            category = rng.choices(self.categories, self.weights)[0]
            params: dict[str, str] = {}
            if rng.random() < 0.6:
                params["category"] = category.slug
            else:
                params["q"] = category.zh
            if rng.random() < 0.7:
                params["kind"] = rng.choice(("offer", "wanted"))
            if rng.random() < 0.35:
                _province, city, _district = self.place()
                params["city"] = city
            if rng.random() < 0.2:
                params["voltage_kv"] = "10"
            if "capacity_kva" in category.spec_keys and rng.random() < 0.3:
                params["capacity_min"] = "315"
                params["capacity_max"] = "1000"
            rows.append({
                "id": number,
                "user_id": user["id"],
                "enterprise_id": user["enterprise_id"],
                "name": params.get("q") or category.zh,
                "params": params,
                "muted": rng.random() < 0.1,
                "created_at": self.now,
            })  # fmt: skip
        return rows

    # posts

    def _value(self, slug: str, key: str):
        rng = self.rng
        if key == "voltage_kv":
            return weighted(rng, VOLTAGES.get(slug, VOLTAGES["default"]))
        if key in CHOICES:
            return rng.choice(CHOICES[key])
        if key == "ratio":
            return rng.choice(("100/5", "200/5", "400/5", "600/5"))
        series = SERIES_BY_CATEGORY.get((slug, key)) or SERIES[key]
        # The middle of a series is commoner than its ends.
        middle = rng.triangular(0, len(series), len(series) / 2)
        return float(series[min(len(series) - 1, int(middle))])

    def _series(self, slug: str, key: str):
        return SERIES_BY_CATEGORY.get((slug, key)) or SERIES.get(key)

    def offer_specs(self, category) -> dict:
        specs = {}
        for key in category.spec_keys:
            if self.rng.random() < 0.92:
                specs[key] = self._value(category.slug, key)
        return specs

    def wanted_specs(self, category) -> dict:
        from market.domain.categories import SPEC_FIELDS

        rng = self.rng
        specs: dict = {}
        for key in category.spec_keys:
            field = SPEC_FIELDS[key]
            if key == "voltage_kv":
                if rng.random() < 0.9:
                    levels = {self._value(category.slug, key)}
                    if rng.random() < 0.15:
                        levels.add(self._value(category.slug, key))
                    specs[key] = sorted(levels)
                continue
            if field.kind != "number":
                if key in CHOICES and rng.random() < 0.3:
                    specs[key] = rng.choice(CHOICES[key])
                continue
            series = self._series(category.slug, key)
            if series is None or rng.random() < 0.15:
                continue  # the buyer leaves this rating open
            low_index = rng.randrange(len(series))
            high_index = min(len(series) - 1, low_index + rng.choice((0, 1, 1, 2, 3)))
            low, high = float(series[low_index]), float(series[high_index])
            shape = rng.random()
            if shape < 0.08:
                low = None
            elif shape < 0.16:
                high = None
            specs[key] = [low, high]
        return specs

    def price(self, category, specs: dict, wanted: bool) -> float | None:
        rng = self.rng
        if rng.random() < (0.2 if wanted else 0.12):
            return None
        family = self.family[category.slug]
        low, high = PRICES[family]
        amount = rng.uniform(low, high)
        if family == "transformer":
            kva = specs.get("capacity_kva")
            if isinstance(kva, list):
                kva = next((v for v in kva if v is not None), None)
            amount *= kva or 400.0
        return round(amount, -1) if amount > 100 else round(amount, 2)

    def post(self, listing_id: int, kind: str, enterprise_id: int, state: str) -> dict:
        rng = self.rng
        category = rng.choices(self.categories, self.weights)[0]
        slug = category.slug
        family = self.family[slug]
        wanted = kind == "wanted"
        specs = self.wanted_specs(category) if wanted else self.offer_specs(category)
        scrap_only = False
        if wanted:
            grade = weighted(rng, MINIMUMS)
            if rng.random() < 0.02:
                grade = "scrap"
        else:
            grade = weighted(rng, GRADES)
            if family == "transformer" and rng.random() < 0.03:
                grade, scrap_only = "scrap", True
        unit = UNITS[family]
        if unit == "metre":
            quantity = float(rng.choice((100, 200, 300, 500, 800, 1000, 2000)))
        elif unit in ("piece", "group"):
            quantity = float(rng.randint(1, 60))
        else:
            quantity = float(rng.randint(1, 4))
        province, city, district = self.place()
        published = self.published() if state != "pending" else None
        valid_until = wanted_by = None
        today = self.now.date()
        if not wanted:
            start = (published or self.now).date()
            valid_until = start + timedelta(days=90)
            if state == "expired" or rng.random() < 0.01:
                valid_until = today - timedelta(days=rng.randint(1, 30))
        elif rng.random() < 0.5:
            wanted_by = today + timedelta(days=rng.randint(-5, 120))
        price = self.price(category, specs, wanted)
        return {
            "id": listing_id,
            "enterprise_id": enterprise_id,
            "kind": kind,
            "status": state,
            "category_slug": slug,
            "title": f"{'求购' if wanted else '出售'}{category.zh} {listing_id}",
            "condition_grade": grade,
            "quantity": quantity,
            "unit": unit,
            "price_cny": price,
            "negotiable": price is None or rng.random() < 0.25,
            "specs": specs,
            "scrap_only": scrap_only,
            "province_code": province,
            "city_code": city,
            "district_code": district,
            "valid_until": valid_until,
            "wanted_by": wanted_by,
            "contact_name": "李工",
            "contact_mobile": "13512345678",
            "alerts_muted": False,
            "created_at": published or self.now,
            "updated_at": published or self.now,
            "published_at": published,
        }


# --- build ----------------------------------------------------------------------------


def make_app(database_url: str, scratch: Path):
    from market import create_app

    return create_app(
        {
            "TESTING": True,
            "MARKET_DATABASE_URL": database_url,
            "MARKET_SECRET_KEY": "bench-secret-" + "k" * 40,
            "MARKET_UPLOAD_DIR": str(scratch / "uploads"),
            "MARKET_RATELIMIT_STORAGE_URI": "memory://",
            "MARKET_SEARCH_INDEX_DIR": str(scratch / "search-index"),
            "MARKET_SEARCH_WORKER": "off",
            "SERVER_NAME": None,
        },
        instance_path=str(scratch / "instance"),
    )


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def phase_build(url: str, scratch: Path, wanted: int, offers: int, publishes: int,
                seed: int, saved: int) -> dict:  # fmt: skip
    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select, text

    from market.accounts.models import User
    from market.enterprises.models import Enterprise
    from market.extensions import db
    from market.files.models import StoredFile
    from market.listings.models import Listing, ListingDocument
    from market.saved_searches.models import SavedSearch

    started = time.perf_counter()
    if url.startswith("postgresql"):
        reset_postgres(url)
    app = make_app(url, scratch)
    generator = Generator(seed)
    rng = generator.rng
    with app.app_context():
        upgrade()
        approved = []
        with db.engine.begin() as connection:
            rows = generator.enterprises(ENTERPRISES)
            connection.execute(insert(Enterprise.__table__), rows)
            approved = [row["id"] for row in rows if row["status"] == "approved"]
            users = generator.users(rows)
            connection.execute(insert(User.__table__), users)
            searches = generator.saved_searches(users, saved)
            if searches:
                connection.execute(insert(SavedSearch.__table__), searches)
            file_id = connection.execute(
                insert(StoredFile.__table__).returning(StoredFile.__table__.c.id),
                {"storage_key": "0" * 32, "display_name": "试验报告.pdf",
                 "content_type": "application/pdf", "size": 1000, "sha256": "0" * 64,
                 "created_at": generator.now},
            ).scalar_one()  # fmt: skip
        plan = [("wanted", wanted), ("offer", offers)]
        next_id = 1
        documents = []
        for kind, count in plan:
            for start in range(0, count, CHUNK):
                posts = []
                for _ in range(min(CHUNK, count - start)):
                    state = weighted(rng, STATES)
                    enterprise = rng.randint(1, ENTERPRISES)
                    posts.append(generator.post(next_id, kind, enterprise, state))
                    if kind == "offer" and rng.random() < 0.32:
                        documents.append({
                            "listing_id": next_id, "file_id": file_id,
                            "kind": "test_report", "report_kind": "periodic",
                            "pending": rng.random() < 0.06,
                            "created_at": generator.now,
                        })  # fmt: skip
                    next_id += 1
                with db.engine.begin() as connection:
                    connection.execute(insert(Listing.__table__), posts)
                print(f"  {kind}: {start + len(posts):,}/{count:,}", file=sys.stderr,
                      flush=True)  # fmt: skip
        subjects: dict[str, list[int]] = {"offer": [], "wanted": []}
        posts = []
        for kind in ("offer", "wanted"):
            for _ in range(WARM_UP + publishes):
                post = generator.post(next_id, kind, rng.choice(approved), "pending")
                posts.append(post)
                subjects[kind].append(next_id)
                next_id += 1
        with db.engine.begin() as connection:
            connection.execute(insert(Listing.__table__), posts)
            for start in range(0, len(documents), CHUNK):
                connection.execute(
                    insert(ListingDocument.__table__), documents[start : start + CHUNK]
                )
            if connection.dialect.name == "postgresql":
                for name in ("enterprises", "listings", "users", "saved_searches"):
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM {name}))"
                    ))  # fmt: skip
                connection.execute(text("ANALYZE"))
            else:
                connection.exec_driver_sql("ANALYZE")
        with db.engine.connect() as connection:
            counts = dict(connection.execute(
                select(Listing.kind, func.count())
                .where(Listing.status == "published")
                .group_by(Listing.kind)
            ).all())  # fmt: skip
        db.engine.dispose()
    return {
        "build_s": time.perf_counter() - started,
        "subjects": subjects,
        "published": {str(kind): count for kind, count in counts.items()},
        "documents": len(documents),
        "users": len(users),
        "users_mailed": sum(1 for u in users if u["email"] and u["active"]),
        "saved_searches": len(searches),
        "peak_rss_mb": peak_rss_mb(),
    }


# --- measure --------------------------------------------------------------------------


class Steps:
    """Times named functions of a module while installed. Steps may nest (the
    report subtracts inner from outer); an exception is counted, then re-raised."""

    def __init__(self):
        self.current: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.failures = 0
        self._saved: list[tuple[object, str, object]] = []

    def wrap(self, module, name: str, label: str, count=None) -> None:
        original = getattr(module, name, None)
        if original is None:
            return

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                result = original(*args, **kwargs)
            except Exception:
                self.failures += 1
                raise
            self.current[label] = self.current.get(label, 0.0) + (
                time.perf_counter() - started
            )
            if count is not None:
                self.counts[label] = self.counts.get(label, 0) + count(result)
            return result

        self._saved.append((module, name, original))
        setattr(module, name, timed)

    def restore(self) -> None:
        for module, name, original in reversed(self._saved):
            setattr(module, name, original)
        self._saved.clear()


def raw_query_ms(query) -> tuple[float, int]:
    """The candidate query through a raw DB-API cursor: database + driver only."""
    from market.extensions import db

    compiled = query.compile(
        dialect=db.engine.dialect,
        compile_kwargs={"literal_binds": True, "render_postcompile": True},
    )
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        started = time.perf_counter()
        cursor.execute(str(compiled))
        rows = cursor.fetchall()
        elapsed = (time.perf_counter() - started) * 1000
        cursor.close()
    finally:
        connection.close()
    return elapsed, len(rows)


def phase_measure(url: str, scratch: Path, subjects: dict[str, list[int]]) -> dict:
    from sqlalchemy import func, select

    from market.database import china_today, utcnow
    from market.extensions import db
    from market.listings.models import Listing, ListingStatus
    from market.listings.signals import listing_published
    from market.matching import services
    from market.matching.scoring import NOTIFY_THRESHOLD
    from market.notifications.models import MailMessage, Notification
    from market.saved_searches import alerts

    def publish(listing) -> None:
        # What publish_listing() sends: matching and saved-search alerts, each
        # receiver as the app runs it (matching in its own savepoint).
        listing_published.send(listing, listing=listing)

    def forget(listing_id: int) -> None:
        # Undone by the rollback that follows the publish.
        from sqlalchemy import delete, or_

        from market.matching.models import Match

        notes = select(Notification.id).where(
            or_(
                Notification.listing_id == listing_id,
                Notification.counterpart_listing_id == listing_id,
            )
        )
        db.session.execute(
            delete(MailMessage).where(MailMessage.notification_id.in_(notes))
        )
        db.session.execute(delete(Notification).where(Notification.id.in_(notes)))
        db.session.execute(
            delete(Match).where(
                or_(Match.offer_id == listing_id, Match.wanted_id == listing_id)
            )
        )

    def told() -> tuple[int, int]:
        return (
            db.session.scalar(select(func.count(Notification.id))) or 0,
            db.session.scalar(select(func.count(MailMessage.id))) or 0,
        )

    rss_start = rss_mb()
    app = make_app(url, scratch)
    results = {}
    with app.app_context():
        for kind, ids in subjects.items():
            steps = Steps()
            steps.wrap(services, "match_published", "matching")
            steps.wrap(services, "list_candidates", "candidates", count=len)
            steps.wrap(services, "rank", "rank", count=len)
            # Whichever the code has: notify() per side, or one batch per publish.
            steps.wrap(services, "notify", "notify")
            steps.wrap(services, "notify_many", "notify")
            steps.wrap(alerts, "alert_saved_searches", "alerts", count=len)
            samples, breakdown, counts = [], [], []
            notes_before, mails_before = told()
            try:
                for number, listing_id in enumerate(ids):
                    listing = db.session.get(Listing, listing_id)
                    _loaded = (listing.enterprise, listing.documents)  # not timed
                    listing.status = ListingStatus.PUBLISHED
                    listing.published_at = utcnow()
                    db.session.flush()
                    steps.current, steps.counts = {}, {}
                    started = time.perf_counter()
                    publish(listing)
                    published = time.perf_counter()
                    db.session.commit()
                    done = time.perf_counter()
                    if number < WARM_UP:
                        continue
                    samples.append((done - started) * 1000)
                    parts = {k: v * 1000 for k, v in steps.current.items()}
                    parts["store + flush"] = parts.get("matching", 0.0) - sum(
                        parts.get(k, 0.0) for k in ("candidates", "rank", "notify")
                    )
                    parts["signal"] = (published - started) * 1000 - parts.get(
                        "matching", 0.0
                    ) - parts.get("alerts", 0.0)
                    parts["commit"] = (done - published) * 1000
                    breakdown.append(parts)
                    counts.append(dict(steps.counts))
            finally:
                steps.restore()
            if steps.failures:
                raise SystemExit(f"{steps.failures} publishes failed (see the log)")
            notes_after, mails_after = told()
            # Where the candidate time goes: database + driver, then the rest.
            today = china_today()
            raw, family = [], []
            for listing_id in ids[WARM_UP:]:
                listing = db.session.get(Listing, listing_id)
                facts = services.facts_for(listing)
                query = services.candidate_query(
                    facts, listing.enterprise_id, today, NOTIFY_THRESHOLD
                )
                elapsed, _rows = raw_query_ms(query) if query is not None else (0.0, 0)
                raw.append(elapsed)
                family.append(len(services.list_candidates(
                    facts, listing.enterprise_id, today, 0.0
                )))  # fmt: skip
            db.session.commit()
            # Memory: the publication's receivers again, each subject's first
            # publication undone: the pairs are new, notified and mailed again.
            peaks = []
            for listing_id in ids[WARM_UP : WARM_UP + MEMORY_PASS]:
                listing = db.session.get(Listing, listing_id)
                _loaded = (listing.enterprise, listing.documents)
                forget(listing_id)
                tracemalloc.start()
                publish(listing)
                peaks.append(tracemalloc.get_traced_memory()[1] / 1024)
                tracemalloc.stop()
                db.session.rollback()
            results[kind] = {
                "samples_ms": samples,
                "breakdown_ms": breakdown,
                "counts": counts,
                "raw_sql_ms": raw,
                "family_candidates": family,
                "tracemalloc_peak_kib": peaks,
                "notifications": notes_after - notes_before,
                "mails": mails_after - mails_before,
            }
        db.engine.dispose()
    results["rss_start_mb"] = rss_start
    results["peak_rss_mb"] = peak_rss_mb()
    results["database"] = database_version(app)
    return results


def database_version(app) -> str:
    from sqlalchemy import text

    from market.extensions import db

    with app.app_context():
        with db.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                version = connection.execute(text("select sqlite_version()")).scalar()
                return f"SQLite {version}"
            version = connection.execute(text("show server_version")).scalar()
        db.engine.dispose()
    return f"PostgreSQL {version}"


# --- report ---------------------------------------------------------------------------


LABELS = {
    "offer": "new offer → open wanted posts",
    "wanted": "new wanted post → offers",
}


def report(args, build: dict, measured: dict, fingerprint: str) -> str:
    out = [
        f"Matching benchmark, {date.today().isoformat()}: Python "
        f"{platform.python_version()}, {measured['database']}, {os.cpu_count()} cores, "
        f"seed {args.seed}; {fingerprint}",
        f"Database: {args.wanted:,} wanted posts and {args.offers:,} offers generated "
        f"({build['published'].get('wanted', 0):,} and "
        f"{build['published'].get('offer', 0):,} of them published, some past their "
        f"date), {build['documents']:,} test reports; built in "
        f"{build['build_s']:.0f} s",
        f"Users: {build['users']:,} ({build['users_mailed']:,} active with an e-mail "
        f"address); {build['saved_searches']:,} saved searches",
        "",
        f"Per publish, ms: listing_published (match_published() and the saved-search "
        f"alerts) + commit, {args.publishes} publishes per direction after {WARM_UP} "
        "warm-up",
    ]
    rows = []
    for kind in ("offer", "wanted"):
        r = measured[kind]
        s = r["samples_ms"]
        quiet = [total - b.get("notify", 0.0) for total, b in zip(s, r["breakdown_ms"])]
        candidates = [c.get("candidates", 0) for c in r["counts"]]
        stored = [c.get("rank", 0) for c in r["counts"]]
        hits = [c.get("alerts", 0) for c in r["counts"]]
        count = len(s) + WARM_UP
        rows.append([LABELS[kind], fmt(statistics.median(s)), fmt(percentile(s, 95)),
                     fmt(max(s)), fmt(statistics.fmean(s)),
                     fmt(statistics.median(quiet)), fmt(percentile(quiet, 95)),
                     f"{statistics.median(r['family_candidates']):,.0f}",
                     f"{statistics.median(candidates):,.0f}",
                     f"{statistics.median(stored):,.0f}",
                     f"{statistics.median(hits):,.0f}",
                     f"{r['notifications'] / count:,.0f}",
                     f"{r['mails'] / count:,.0f}"])  # fmt: skip
    out.append(table(["direction", "median", "p95", "max", "mean",
                      "median w/o notify", "p95 w/o notify", "family",
                      "candidates", "matches ≥80", "alerts", "entries",
                      "mails"], rows))  # fmt: skip
    out.append("(family, candidates, matches, alerts: medians; entries, mails: "
               "inbox entries and queued e-mails, mean per publish. Family: the "
               "category family's public counterparts; candidates: what SQL returns "
               "above 75 points; alerts: saved-search entries; w/o notify: less the "
               "time inside the match notifications)")
    out.append("")
    out.append("Where the time goes, mean ms per publish")
    names = ["candidates: database + driver (raw cursor)",
             "candidates: rows → PostFacts (SQLAlchemy, specs cache)",
             "rank (scoring)", "store Match rows, re-score, flush",
             "match notifications (both sides, with mail)",
             "saved-search alerts (with notifications, mail)",
             "signal, savepoint", "commit"]  # fmt: skip
    rows = []
    for name in names:
        row = [name]
        for kind in ("offer", "wanted"):
            r = measured[kind]

            def mean(key: str, r=r) -> float:
                return statistics.fmean(b.get(key, 0.0) for b in r["breakdown_ms"])

            raw = statistics.fmean(r["raw_sql_ms"])
            value = {
                names[0]: raw,
                names[1]: mean("candidates") - raw,
                names[2]: mean("rank"),
                names[3]: mean("store + flush"),
                names[4]: mean("notify"),
                names[5]: mean("alerts"),
                names[6]: mean("signal"),
                names[7]: mean("commit"),
            }[name]
            row.append(fmt(value))
        rows.append(row)
    out.append(table(["step", "offer → wanted", "wanted → offers"], rows))
    out.append("")
    out.append("Memory: the measuring process (a fresh one, as a web worker)")
    rows = []
    for kind in ("offer", "wanted"):
        peaks = measured[kind]["tracemalloc_peak_kib"]
        rows.append([LABELS[kind], f"{statistics.median(peaks) / 1024:.1f}",
                     f"{max(peaks) / 1024:.1f}"])  # fmt: skip
    out.append(table(["direction", "tracemalloc peak per publish MiB (median)", "max"],
                     rows))  # fmt: skip
    out.append(f"RSS at start {measured['rss_start_mb']:.0f} MB, peak RSS of the "
               f"process {measured['peak_rss_mb']:.0f} MB (build: "
               f"{build['peak_rss_mb']:.0f} MB)")  # fmt: skip
    out.append("")
    out.append("Target: median <= 100 ms per publish")
    for kind in ("offer", "wanted"):
        median = statistics.median(measured[kind]["samples_ms"])
        met = "MET" if median <= TARGET_MEDIAN_MS else "NOT MET"
        out.append(f"  {LABELS[kind]}: {fmt(median)} ms: {met}")
    out.append(f"  1-minute load average after the run: {os.getloadavg()[0]:.2f}")
    return "\n".join(out)


# --- driver ---------------------------------------------------------------------------


def run_child(args: list[str]) -> dict:
    return benchkit.run_child(__file__, args, CHILD_TIMEOUT_S, ROOT)


def code_fingerprint() -> str:
    """git HEAD and a hash of the code a publication runs, as on disk (uncommitted
    included): market/matching, market/notifications, market/saved_searches."""
    files = [path for package in CODE for path in (ROOT / "market" / package).rglob("*.py")]
    return benchkit.code_fingerprint(ROOT, files, "+".join(CODE))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wanted", type=int, default=DEFAULT_WANTED,
                        help="wanted posts in the database (default 50000)")
    parser.add_argument("--offers", type=int, default=DEFAULT_OFFERS,
                        help="offers in the database (default 100000)")
    parser.add_argument("--publishes", type=int, default=DEFAULT_PUBLISHES,
                        help="timed publishes per direction (default 50)")
    parser.add_argument("--saved-searches", type=int, default=DEFAULT_SAVED_SEARCHES,
                        help="saved searches of the users (default 4000)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--database-url",
                        help="a PostgreSQL database for the benchmark only (its name "
                             "must contain 'bench'; its tables are dropped); default: "
                             "a temporary SQLite file")
    parser.add_argument("--json", help="also write the raw results here")
    parser.add_argument("--phase", choices=("build", "measure"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    parser.add_argument("--subjects", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase:
        scratch = Path(args.scratch)
        if args.phase == "build":
            result = phase_build(args.url, scratch, args.wanted, args.offers,
                                 args.publishes, args.seed,
                                 args.saved_searches)  # fmt: skip
        else:
            result = phase_measure(args.url, scratch, json.loads(args.subjects))
        Path(args.out).write_text(json.dumps(result))
        return 0

    url = args.database_url
    if url:
        name = urlsplit(url).path.lstrip("/")
        if not url.startswith("postgresql://") or "bench" not in name:
            parser.error("--database-url: postgresql://…/<a name containing bench>")
    fingerprint = code_fingerprint()
    work = Path(tempfile.mkdtemp(prefix="bench-matching-"))
    try:
        url = url or f"sqlite:///{work / 'bench.sqlite'}"
        common = ["--url", url, "--scratch", str(work)]
        print(f"building {args.wanted:,} wanted posts and {args.offers:,} offers",
              file=sys.stderr, flush=True)  # fmt: skip
        build = run_child(["--phase", "build", "--wanted", str(args.wanted), "--offers",
                           str(args.offers), "--publishes", str(args.publishes),
                           "--saved-searches", str(args.saved_searches),
                           "--seed", str(args.seed), *common])  # fmt: skip
        print(f"built in {build['build_s']:.0f} s; measuring", file=sys.stderr,
              flush=True)  # fmt: skip
        measured = run_child(["--phase", "measure", "--subjects",
                              json.dumps(build["subjects"]), *common])  # fmt: skip
    finally:
        if args.database_url:
            reset_postgres(args.database_url)
        shutil.rmtree(work, ignore_errors=True)
    print(report(args, build, measured, fingerprint))
    if fingerprint != code_fingerprint():
        print("FAILED: the code changed while the benchmark ran")
        return 1
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"code": fingerprint, "build": build, "measured": measured}, indent=1
        ))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
