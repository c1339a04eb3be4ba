"""Asset-ledger import and export: the template, all-or-nothing imports, exports."""

import csv
import io
import re
import time
import zipfile
from decimal import Decimal
from urllib.parse import unquote

import pytest
from markupsafe import escape
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from market.extensions import db
from market.ledger import spreadsheet
from market.ledger.services import find_region, resolve_region, spec_range
from market.listings.models import Listing, ListingStatus
from market.listings.presentation import LISTING_STATUS_LABELS
from tests.conftest import csrf_token, login, png_bytes

IMPORT_URL = "/ledger/import"
XLSX = spreadsheet.XLSX_MIMETYPE


def offer_row(number: int = 1, **overrides) -> dict:
    """A valid offer as the template's headers spell it."""
    row = {
        "类型(出售/求购)": "出售",
        "设备类别": "油浸式配电变压器",
        "标题": f"S11-M-400/10 油浸式变压器 {number}号",
        "型号": "S11-M-400/10",
        "生产厂家": "枣庄电力设备厂",
        "出厂年份": 2018,
        "投运年限": 5,
        "设备来源": "企业闲置",
        "成色": "九成新",
        "数量": 1,
        "单位": "台",
        "单价(元)": 58000,
        "面议(是/否)": "否",
        "省": "山东省",
        "市": "枣庄市",
        "区县": "薛城区",
        "存放地址": "光明大道1号仓库",
        "联系人": "张伟",
        "联系电话": "13900000001",
        "电压等级(kV)": 10,
        "额定容量(kVA)": "400kVA",
        "低压侧额定电压(kV)": 0.4,
        "绕组材质": "铜",
    }
    row.update(overrides)
    return row


def wanted_row(**overrides) -> dict:
    row = {
        "类型(出售/求购)": "求购",
        "设备类别": "箱变",  # an alias of 箱式变电站
        "标题": "求购10kV箱式变电站",
        "数量": 2,
        "单位": "台",
        "单价(元)": "",
        "面议(是/否)": "是",
        "成色": "八成新",
        "省": "山东",
        "市": "枣庄",
        "区县": "滕州市",
        "联系人": "李娜",
        "联系电话": "139-0000-0002",
        "电压等级(kV)": "10/35",
        "额定容量(kVA)": "315~630",
    }
    row.update(overrides)
    return row


def headers_of(rows: list[dict]) -> list[str]:
    headers: list[str] = []
    for row in rows:
        headers.extend(h for h in row if h not in headers)
    return headers


def xlsx_bytes(rows: list[dict], title_rows: int = 0) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "台账"
    for _ in range(title_rows):
        sheet.append(["我公司设备台账"])
    headers = headers_of(rows)
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers] if row else [])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[dict], encoding: str) -> bytes:
    headers = headers_of(rows)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else row.get(h) for h in headers])
    return buffer.getvalue().encode(encoding)


def sign_in(client, factory, **overrides) -> dict:
    enterprise = factory.enterprise(**overrides)
    login(client, enterprise["email"])
    return enterprise


def upload(client, filename: str, data: bytes, xhr: bool = False):
    token = csrf_token(client.get(IMPORT_URL).get_data(as_text=True))
    headers = {"X-Requested-With": "XMLHttpRequest"} if xhr else {}
    response = client.post(
        IMPORT_URL,
        data={"csrf_token": token, "ledger": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        headers=headers,
    )
    # The test client spools a large body to a temporary file it never closes.
    response.request.environ["wsgi.input"].close()
    return response


def listing_count(app, enterprise_id: int | None = None) -> int:
    with app.app_context():
        query = select(func.count(Listing.id))
        if enterprise_id is not None:
            query = query.where(Listing.enterprise_id == enterprise_id)
        return db.session.scalar(query)


def own_listings(app, enterprise_id: int) -> list[Listing]:
    with app.app_context():
        listings = db.session.scalars(
            select(Listing)
            .where(Listing.enterprise_id == enterprise_id)
            .order_by(Listing.id)
        ).all()
        db.session.expunge_all()
        return listings


def error_rows(html: str) -> dict[int, str]:
    """The error table: row number -> the text of its table rows."""
    found: dict[int, str] = {}
    for number, body in re.findall(r'<tr data-row="(\d+)">(.*?)</tr>', html, re.S):
        found[int(number)] = found.get(int(number), "") + body
    return found


def shown(app, message) -> str:
    """A lazy message as the page shows it (zh_CN, HTML-escaped)."""
    with app.test_request_context():
        return str(escape(str(message)))


# --- the template --------------------------------------------------------------


def test_template_downloads_as_xlsx_with_drop_downs_and_example(client, factory):
    sign_in(client, factory)
    response = client.get("/ledger/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "设备台账模板.xlsx" in unquote(disposition)

    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["台账"]
    headers = [cell.value for cell in sheet[1]]
    for header in ("类型(出售/求购)", "设备类别", "单价(元)", "省", "市", "区县",
                   "额定容量(kVA)", "电压等级(kV)", "截面(mm²)"):  # fmt: skip
        assert header in headers
    assert sheet.cell(row=1, column=1).comment is not None  # the English name
    categories = workbook["类别"]
    assert categories.sheet_state == "hidden"
    names = [row[0] for row in categories.iter_rows(values_only=True)]
    assert "油浸式配电变压器" in names and "箱式变电站" in names
    assert "变压器" not in names  # a group, not a leaf

    lists = {
        str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation
        if dv.type == "list"
    }
    category_letter = spreadsheet.get_column_letter(headers.index("设备类别") + 1)
    assert lists[f"{category_letter}2:{category_letter}2001"] == (
        f"'类别'!$A$1:$A${len(names)}"
    )
    assert any("企业闲置" in formula for formula in lists.values())
    assert any("九成新" in formula for formula in lists.values())

    example = dict(zip(headers, (cell.value for cell in sheet[2]), strict=True))
    assert example["型号"] == "S11-M-400/10"
    assert (example["省"], example["市"], example["区县"]) == ("山东省", "枣庄市", "薛城区")
    assert example["额定容量(kVA)"] == 400


def test_template_left_unchanged_is_refused_as_example(app, client, factory):
    enterprise = sign_in(client, factory)
    template = client.get("/ledger/template.xlsx").data
    response = upload(client, "设备台账模板.xlsx", template)
    assert response.status_code == 200
    rows = error_rows(response.get_data(as_text=True))
    assert list(rows) == [2]
    assert "标题" in rows[2]
    assert listing_count(app, enterprise["id"]) == 0


# --- importing -------------------------------------------------------------------


def test_three_row_xlsx_creates_three_pending_posts(app, client, factory):
    enterprise = sign_in(client, factory)
    rows = [
        offer_row(1),
        offer_row(2, **{"额定容量(kVA)": "0.4MVA", "绕组材质": "铝", "区县": "薛城"}),
        wanted_row(),
    ]
    response = upload(client, "台账.xlsx", xlsx_bytes(rows))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/ledger/import/done")

    page = client.get("/ledger/import/done").get_data(as_text=True)
    assert 'data-imported="3"' in page
    assert "/listings/mine?status=pending" in page

    listings = own_listings(app, enterprise["id"])
    assert len(listings) == 3
    assert {listing.status for listing in listings} == {ListingStatus.PENDING}
    first, second, wanted = listings
    assert first.specs == {
        "voltage_kv": 10.0,
        "capacity_kva": 400.0,
        "lv_kv": 0.4,
        "winding_material": "cu",
    }
    assert second.specs["capacity_kva"] == 400.0
    assert second.specs["winding_material"] == "al"
    assert (first.province_code, first.city_code, first.district_code) == (
        "370000", "370400", "370403",
    )  # fmt: skip
    assert second.district_code == "370403"
    assert first.price_cny == Decimal("58000.00")
    assert (first.asset_source, first.condition_grade, first.unit) == (
        "idle", "grade_90", "unit",
    )  # fmt: skip
    assert wanted.kind.value == "wanted"
    assert wanted.category_slug == "box_substation"
    assert wanted.specs == {"voltage_kv": [10.0, 35.0], "capacity_kva": [315.0, 630.0]}
    assert wanted.negotiable and wanted.price_cny is None
    assert wanted.contact_mobile == "13900000002"
    assert wanted.city_code == "370400" and wanted.district_code == "370481"

    # The result is shown once; a reload goes to the pending posts.
    again = client.get("/ledger/import/done")
    assert again.status_code == 302
    assert again.headers["Location"].endswith("/listings/mine?status=pending")


def test_two_thousand_rows_import_whole(app, client, factory):
    enterprise = sign_in(client, factory)
    data = xlsx_bytes([offer_row(n) for n in range(1, 2001)])
    started = time.perf_counter()
    response = upload(client, "台账.xlsx", data)
    elapsed = time.perf_counter() - started
    print(f"\n2,000-row import: {elapsed:.2f} s ({len(data) / 1024:.0f} KB xlsx)")
    assert response.status_code == 302
    assert listing_count(app, enterprise["id"]) == 2000
    with app.app_context():
        statuses = db.session.scalars(
            select(Listing.status)
            .where(Listing.enterprise_id == enterprise["id"])
            .distinct()
        ).all()
    assert statuses == [ListingStatus.PENDING]
    assert elapsed < 30


def test_broken_rows_import_nothing_and_are_listed_by_row_and_column(
    app, client, factory, translate
):
    enterprise = sign_in(client, factory)
    rows = [offer_row(n) for n in range(1, 12)]  # Excel rows 2 to 12
    rows[5 - 2]["设备类别"] = "变压器X"
    rows[9 - 2]["单价(元)"] = "abc"
    response = upload(client, "台账.xlsx", xlsx_bytes(rows))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    errors = error_rows(html)
    assert sorted(errors) == [5, 9]
    assert "设备类别" in errors[5] and "变压器X" in errors[5]
    assert "单价(元)" in errors[9]
    assert translate("Enter a price in yuan, from 0 to 1,000,000,000.") in errors[9]
    assert 'data-error-count="2"' in html
    assert listing_count(app) == 0


def test_rows_keep_excel_numbers_past_title_and_blank_rows(app, client, factory):
    enterprise = sign_in(client, factory)
    # Row 1 a title, row 2 the header, row 3 good, row 4 blank, row 5 wrong.
    rows = [offer_row(1), {}, offer_row(2, **{"联系电话": "12345"})]
    response = upload(client, "台账.xlsx", xlsx_bytes(rows, title_rows=1))
    errors = error_rows(response.get_data(as_text=True))
    assert list(errors) == [5]
    assert "联系电话" in errors[5]
    assert listing_count(app, enterprise["id"]) == 0


def test_unknown_region_names_are_reported_in_their_column(app, client, factory):
    sign_in(client, factory)
    rows = [
        offer_row(1, **{"省": "山东省", "市": "枣庄市", "区县": "东城区"}),
        offer_row(2, **{"省": "火星省"}),
    ]
    response = upload(client, "台账.xlsx", xlsx_bytes(rows))
    errors = error_rows(response.get_data(as_text=True))
    assert "区县" in errors[2] and "东城区" in errors[2]
    assert "省" in errors[3] and "火星省" in errors[3]
    assert listing_count(app) == 0


def test_more_than_two_thousand_rows_are_refused(app, client, factory):
    sign_in(client, factory)
    data = xlsx_bytes([offer_row(n) for n in range(1, 2002)])
    response = upload(client, "台账.xlsx", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert shown(app, spreadsheet._too_many_rows()) in html
    assert listing_count(app) == 0


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_csv_in_gbk_or_utf8_with_bom_imports(app, client, factory, encoding):
    enterprise = sign_in(client, factory)
    data = csv_bytes([offer_row(1), wanted_row()], encoding)
    assert data.startswith(spreadsheet.UTF8_BOM) == (encoding == "utf-8-sig")
    response = upload(client, "台账.csv", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    listings = own_listings(app, enterprise["id"])
    assert [listing.title for listing in listings] == [
        "S11-M-400/10 油浸式变压器 1号", "求购10kV箱式变电站",
    ]  # fmt: skip
    assert listings[0].specs["capacity_kva"] == 400.0
    assert listings[1].specs["capacity_kva"] == [315.0, 630.0]


def _plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "filename, data, message",
    [
        ("台账.xlsx", png_bytes(), spreadsheet._not_xlsx()),
        ("台账.xlsx", b"just,some,text\n1,2,3\n", spreadsheet._not_xlsx()),
        ("台账.xlsx", _plain_zip(), spreadsheet._not_xlsx()),
        ("台账.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, None),
        ("台账.csv", xlsx_bytes([offer_row()]), None),
        ("台账.csv", png_bytes(), None),
        ("台账.txt", b"a,b\n", None),
        ("台账.xlsx", b"", None),
    ],
    ids=["png", "text", "zip", "xls", "xlsx-as-csv", "png-as-csv", "txt", "empty"],
)
def test_files_that_are_not_ledgers_are_refused_clearly(
    app, client, factory, filename, data, message
):
    sign_in(client, factory)
    response = upload(client, filename, data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="field-error"' in html
    if message is not None:
        assert shown(app, message) in html
    assert listing_count(app) == 0


def test_a_ledger_without_the_required_columns_is_refused(app, client, factory):
    sign_in(client, factory)
    row = offer_row()
    del row["联系电话"]
    response = upload(client, "台账.xlsx", xlsx_bytes([row]))
    html = response.get_data(as_text=True)
    assert 'class="field-error"' in html and "联系电话" in html
    no_header = upload(client, "台账.csv", "a,b,c\n1,2,3\n".encode())
    assert 'class="field-error"' in no_header.get_data(as_text=True)
    assert listing_count(app) == 0


def test_a_workbook_with_a_dtd_is_refused(app, client, factory):
    sign_in(client, factory)
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([offer_row()])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>' + content
            archive.writestr(item, content)
    response = upload(client, "台账.xlsx", buffer.getvalue())
    assert shown(app, spreadsheet._not_xlsx()) in response.get_data(as_text=True)
    assert listing_count(app) == 0


def test_upload_over_ten_megabytes_is_refused(app, client, factory):
    sign_in(client, factory)
    data = b"\xef\xbb\xbf" + b"x" * (10 * 1024 * 1024)
    response = upload(client, "台账.csv", data)
    assert response.status_code == 200
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert listing_count(app) == 0


def test_xhr_upload_gets_the_same_full_page(app, client, factory):
    sign_in(client, factory)
    rows = [offer_row(1, **{"单价(元)": "abc"})]
    response = upload(client, "台账.xlsx", xlsx_bytes(rows), xhr=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<main class="container">' in html and "</html>" in html
    assert list(error_rows(html)) == [2]
    ok = upload(client, "台账.xlsx", xlsx_bytes([offer_row(1)]), xhr=True)
    assert ok.status_code == 302


# --- who may import ------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [IMPORT_URL, "/ledger/template.xlsx", "/ledger/export.xlsx"]
)
def test_anonymous_users_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login" in response.headers["Location"]


def test_a_pending_enterprise_cannot_import(app, client, factory):
    from market.enterprises.models import EnterpriseStatus

    sign_in(client, factory, status=EnterpriseStatus.PENDING)
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/enterprises/mine")
    token = csrf_token(client.get("/enterprises/mine").get_data(as_text=True))
    posted = client.post(
        IMPORT_URL,
        data={
            "csrf_token": token,
            "ledger": (io.BytesIO(xlsx_bytes([offer_row()])), "a.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert posted.status_code == 302
    assert posted.headers["Location"].endswith("/enterprises/mine")
    assert listing_count(app) == 0


# --- exporting -----------------------------------------------------------------


def test_export_holds_only_own_posts_and_round_trips(app, client, factory):
    other = factory.enterprise()
    other_client = app.test_client()
    login(other_client, other["email"])
    upload(other_client, "别家.xlsx", xlsx_bytes([offer_row(99, **{"标题": "别家的变压器"})]))

    mine = sign_in(client, factory)
    rows = [
        offer_row(1),
        wanted_row(),
        offer_row(3, **{"设备类别": "中压电力电缆", "标题": "YJV22-8.7/15 3×240 电缆",
                        "型号": "YJV22-8.7/15 3×240", "单位": "米", "数量": 500,
                        "单价(元)": "", "面议(是/否)": "是", "电压等级(kV)": 10,
                        "额定容量(kVA)": "", "低压侧额定电压(kV)": "", "绕组材质": "",
                        "芯数": 3, "截面(mm²)": "240平方", "导体材质": "铜",
                        "长度(m)": "0.5km", "有效期至/需求截止(YYYY-MM-DD)": ""}),
    ]  # fmt: skip
    assert upload(client, "台账.xlsx", xlsx_bytes(rows)).status_code == 302
    first = own_listings(app, mine["id"])
    page = client.get("/listings/mine?status=pending").get_data(as_text=True)
    withdrawn = client.post(
        f"/listings/{first[0].id}/withdraw", data={"csrf_token": csrf_token(page)}
    )
    assert withdrawn.status_code == 302

    response = client.get("/ledger/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "我的设备信息.xlsx" in unquote(response.headers["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(response.data))["台账"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[-2:] == ["状态", "编号"]
    exported = [
        dict(zip(headers, values, strict=True))
        for values in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert [row["编号"] for row in exported] == [listing.id for listing in first]
    assert "别家的变压器" not in {row["标题"] for row in exported}
    with app.test_request_context():
        assert exported[0]["状态"] == str(LISTING_STATUS_LABELS["withdrawn"])
        assert exported[1]["状态"] == str(LISTING_STATUS_LABELS["pending"])
    assert exported[1]["额定容量(kVA)"] == "315-630"
    assert exported[1]["电压等级(kV)"] == "10/35"

    # The export goes back in unchanged: the same posts again, as new pending posts.
    assert upload(client, "我的设备信息.xlsx", response.data).status_code == 302
    everything = own_listings(app, mine["id"])
    assert len(everything) == 6
    fields = (
        "kind", "category_slug", "title", "model_raw", "manufacturer", "year_made",
        "service_years", "asset_source", "condition_grade", "quantity", "unit",
        "price_cny", "negotiable", "specs", "province_code", "city_code",
        "district_code", "address", "description", "valid_until", "wanted_by",
        "contact_name", "contact_mobile",
    )  # fmt: skip
    for before, after in zip(everything[:3], everything[3:], strict=True):
        assert after.status is ListingStatus.PENDING
        for name in fields:
            assert getattr(after, name) == getattr(before, name), name


def test_export_with_no_posts_is_an_empty_ledger(client, factory):
    sign_in(client, factory)
    response = client.get("/ledger/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data))["台账"]
    assert sheet.max_row == 1


def test_export_never_writes_a_formula(client, factory):
    sign_in(client, factory)
    formula = '=HYPERLINK("http://example.com","点击")'
    rows = [offer_row(1, **{"标题": formula})]
    assert upload(client, "台账.csv", csv_bytes(rows, "utf-8")).status_code == 302
    response = client.get("/ledger/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data))["台账"]
    headers = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=headers.index("标题") + 1)
    assert cell.value == formula
    assert cell.data_type == "s"


# --- the pieces ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("315-630", ("315", "630")),
        ("315~630", ("315", "630")),
        ("315～630", ("315", "630")),
        ("315至630", ("315", "630")),
        ("0.4-10kV", ("0.4", "10kV")),
        ("≥315", ("315", "")),
        ("630kVA以下", ("", "630kVA")),
        ("400", ("400", "400")),
        ("", ("", "")),
    ],
)
def test_spec_range(text, expected):
    assert spec_range(text) == expected


def test_region_names_match_with_or_without_suffix():
    assert find_region("山东省", None) == find_region("山东", None) == "370000"
    assert find_region("广西", None) == "450000"
    assert find_region("枣庄", "370000") == "370400"
    assert find_region("薛城区", "370400") == find_region("薛城", "370400") == "370403"
    assert find_region("薛城区", "370000") is None
    # A municipality's districts sit on the city level, however the ledger puts them.
    assert resolve_region("北京市", "北京市", "东城区") == (("110000", "110101", ""), {})
    assert resolve_region("北京", "东城区", "") == (("110000", "110101", ""), {})
