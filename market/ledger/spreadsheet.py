"""The ledger file: its columns, the template, reading uploads and writing exports.

The column headers are a file format, not interface text: they are Chinese in every
locale, because the reader matches them and sellers' own ledgers are Chinese. Each
header cell carries its English name and a hint as a comment, and the same hint pops
up (as the cell's input message) when a cell of the column is selected.

Nothing here touches the database; services.py turns rows into posts.
"""

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from market.domain.categories import SPEC_FIELDS, all_leaf_categories, get_category
from market.domain.conditions import (
    ASSET_SOURCES,
    CONDITION_GRADES,
    QUANTITY_UNITS,
    get_asset_source,
    get_grade,
    get_quantity_unit,
)
from market.domain.regions import get_region
from market.domain.units import format_number, normalize_text

MAX_ROWS = 2000
MAX_BYTES = 10 * 1024 * 1024
# A full 2,000-row ledger unpacks to a few MB; far more is a zip bomb.
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 200
# Rows read after the header, blank ones included: formatted but empty rows are
# cheap, an endless sheet of them is not.
MAX_SCANNED_ROWS = 50_000
MAX_COLUMNS = 100
HEADER_SEARCH_ROWS = 10

SHEET = "台账"
CATEGORY_SHEET = "类别"
GUIDE_SHEET = "填写说明"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and encrypted .xlsx
UTF8_BOM = b"\xef\xbb\xbf"

OFFER_WORD = "出售"
WANTED_WORD = "求购"
YES_WORD = "是"
NO_WORD = "否"
UNIT_DISPLAY = {"mm2": "mm²"}
AUTHOR = "电力二手设备供需平台"


class LedgerRejected(ValueError):
    """The file as a whole cannot be read; the message is shown to the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    """One column of the ledger: a ListingInput field, "until", or "spec:<key>"."""

    key: str
    header: str
    en: str
    hint: str = ""
    width: int = 12
    required: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def spec_key(self) -> str | None:
        return self.key.removeprefix("spec:") if self.key.startswith("spec:") else None


def _labels(items) -> str:
    return "/".join(item.zh for item in items)


BASE_COLUMNS: tuple[Column, ...] = (
    Column("kind", "类型(出售/求购)", "Kind: 出售 offer, 求购 wanted",
           "出售 = 我方出售设备；求购 = 我方求购设备", 10, True, ("类型", "供求类型")),
    Column("category_slug", "设备类别", "Equipment category",
           "从下拉列表选择具体类别", 22, True, ("类别", "设备分类")),
    Column("title", "标题", "Title", "最多120字，如：S11-M-400/10 油浸式变压器 九成新",
           30, True, ("名称", "设备名称")),
    Column("model_raw", "型号", "Model", "铭牌上的型号，如 S11-M-400/10", 18,
           aliases=("规格型号",)),
    Column("manufacturer", "生产厂家", "Manufacturer", "", 18, aliases=("厂家",)),
    Column("year_made", "出厂年份", "Year of manufacture", "四位年份，如 2018", 10),
    Column("service_years", "投运年限", "Years in service", "整数，0至80", 10),
    Column("asset_source", "设备来源", "Source of the equipment (offers)",
           "出售时选择：" + _labels(ASSET_SOURCES), 12, aliases=("来源",)),
    Column("condition_grade", "成色", "Condition (wanted: the minimum accepted)",
           "出售时必填；求购时为可接受的最低成色，可留空", 16, aliases=("新旧程度",)),
    Column("quantity", "数量", "Quantity", "大于0的数字", 8, True),
    Column("unit", "单位", "Unit of quantity", "可选：" + _labels(QUANTITY_UNITS), 8,
           True),
    Column("price_cny", "单价(元)", "Price per unit in CNY (wanted: budget ceiling)",
           "人民币元；求购时为预算上限；不填则须在“面议”填“是”", 12,
           aliases=("单价", "价格(元)", "价格")),
    Column("negotiable", "面议(是/否)", "Negotiable: 是 yes, 否 no",
           "是 或 否；留空即为“否”", 10, aliases=("面议",)),
    Column("province", "省", "Province", "如 山东省", 10, True, ("省份",)),
    Column("city", "市", "City", "如 枣庄市", 10, True, ("地市", "城市")),
    Column("district", "区县", "District or county", "如 薛城区（该市下设区县时必填）",
           10, aliases=("区/县", "县区")),
    Column("address", "存放地址", "Where the equipment is stored", "", 24,
           aliases=("地址", "存放地点")),
    Column("contact_name", "联系人", "Contact person", "", 10, True),
    Column("contact_mobile", "联系电话", "Contact mobile",
           "11位手机号，如 13800000000", 14, True, ("手机", "手机号", "联系手机")),
    Column("until", "有效期至/需求截止(YYYY-MM-DD)", "Valid until (offers) / wanted by",
           "格式 YYYY-MM-DD，一年以内；出售信息留空为90天", 16,
           aliases=("有效期至/需求截止", "有效期至", "需求截止", "有效期")),
    Column("description", "说明", "Description", "设备状况、试验报告、看货方式等，最多5000字",
           30, aliases=("描述", "备注")),
)  # fmt: skip

EXPORT_ONLY_COLUMNS: tuple[Column, ...] = (
    Column("status", "状态", "Status (ignored on import)", "导入时忽略", 10),
    Column("listing_id", "编号", "Post number (ignored on import)", "导入时忽略", 8),
)


def _spec_header(key: str) -> str:
    spec = SPEC_FIELDS[key]
    if not spec.unit:
        return spec.zh
    # "额定容量(安时)" carries its unit in words; the header shows the symbol only.
    base = re.sub(r"\(.*\)$", "", spec.zh)
    return f"{base}({UNIT_DISPLAY.get(spec.unit, spec.unit)})"


def _spec_hint(key: str) -> str:
    spec = SPEC_FIELDS[key]
    unit = UNIT_DISPLAY.get(spec.unit or "", spec.unit or "")
    if key == "voltage_kv":
        return "单位 kV，如 10；求购时可写多个电压等级，如 10/35"
    if spec.kind == "choice":
        return "可选：" + "/".join(choice.zh for choice in spec.choices)
    if spec.kind == "text":
        return "如 200/5"
    if unit:
        return f"单位 {unit}；求购时可写范围，如 315-630"
    return "整数；求购时可写范围，如 3-4"


def _spec_columns() -> tuple[Column, ...]:
    used = {key for category in all_leaf_categories() for key in category.spec_keys}
    return tuple(
        Column(f"spec:{key}", _spec_header(key), spec.en, _spec_hint(key), 12)
        for key, spec in SPEC_FIELDS.items()
        if key in used
    )


COLUMNS: tuple[Column, ...] = BASE_COLUMNS + _spec_columns()
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS + EXPORT_ONLY_COLUMNS}

EXAMPLE = {
    "kind": OFFER_WORD,
    "category_slug": "油浸式配电变压器",
    "title": "S11-M-400/10 油浸式变压器 九成新",
    "model_raw": "S11-M-400/10",
    "manufacturer": "示例变压器有限公司",
    "year_made": 2018,
    "service_years": 5,
    "asset_source": "企业闲置",
    "condition_grade": "九成新",
    "quantity": 1,
    "unit": "台",
    "price_cny": 58000,
    "negotiable": NO_WORD,
    "province": "山东省",
    "city": "枣庄市",
    "district": "薛城区",
    "address": "薛城区示例路1号仓库",
    "contact_name": "张工",
    "contact_mobile": "13800000000",
    "until": None,
    "description": "2018年出厂，2023年停运，试验报告齐全，可现场看货。（示例行，导入前请删除）",
    "spec:voltage_kv": 10,
    "spec:capacity_kva": 400,
    "spec:lv_kv": 0.4,
    "spec:winding_material": "铜",
}


def is_example_row(values: dict[str, str]) -> bool:
    """The template's example row, left in by mistake."""
    return all(
        values.get(key, "") == cell_text(EXAMPLE[key])
        for key in ("title", "model_raw", "contact_mobile")
    )


# --- reading ----------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    number: int  # the row number Excel shows
    values: dict[str, str]  # column key -> cell text


@dataclass(frozen=True)
class Ledger:
    header_row: int
    headers: dict[str, tuple[str, str]]  # column key -> (letter, header as written)
    rows: list[LedgerRow]

    def column_name(self, key: str) -> str:
        """The header as the file has it (the template's if the column is absent)."""
        if key in self.headers:
            return self.headers[key][1]
        column = COLUMNS_BY_KEY.get(key)
        return column.header if column else key

    def column_letter(self, key: str) -> str:
        return self.headers[key][0] if key in self.headers else ""


def _header_key(text: object) -> str:
    return "".join(normalize_text(str(text)).split()).casefold()


def _header_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    short: dict[str, set[str]] = {}
    for column in COLUMNS + EXPORT_ONLY_COLUMNS:
        for name in (column.header, *column.aliases):
            lookup[_header_key(name)] = column.key
        # "额定容量" alone would fit kVA and Ah alike: only unambiguous short forms.
        stripped = re.sub(r"\(.*\)$", "", column.header)
        short.setdefault(_header_key(stripped), set()).add(column.key)
    for name, keys in short.items():
        if len(keys) == 1:
            lookup.setdefault(name, keys.pop())
    return lookup


HEADER_LOOKUP = _header_lookup()


def cell_text(value: object) -> str:
    """A cell's value as the text a seller would have typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES_WORD if value else NO_WORD
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        # Excel stores 0.4 as 0.4; 15 digits drop binary noise such as ...0000001.
        return format(value, ".15g")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value).strip()


def read_ledger(filename: str, data: bytes) -> Ledger:
    """The rows of an uploaded .xlsx or .csv ledger, or LedgerRejected."""
    if not data:
        raise LedgerRejected(_l("The file is empty."))
    if len(data) > MAX_BYTES:
        raise LedgerRejected(
            _l("The file is larger than %(size)s MB.", size=MAX_BYTES // (1024 * 1024))
        )
    name = (filename or "").lower()
    if data.startswith(OLE_SIGNATURE):
        raise LedgerRejected(
            _l(
                "Old Excel files (.xls) and password-protected workbooks cannot be "
                "read. Save the sheet as .xlsx without a password, or as CSV."
            )
        )
    if data.startswith(XLSX_SIGNATURE):
        if not name.endswith(".xlsx"):
            raise LedgerRejected(
                _l("The file name's extension does not match the file's content.")
            )
        return _parse(_xlsx_rows(data))
    if name.endswith(".xlsx"):
        raise LedgerRejected(_not_xlsx())
    if not name.endswith(".csv"):
        raise LedgerRejected(_l("Upload an .xlsx or .csv file."))
    return _parse(_csv_rows(data))


def _parse(rows: Generator) -> Ledger:
    try:
        return _parse_grid(rows)
    finally:
        rows.close()  # closes the workbook even when reading stops early


def _not_xlsx():
    return _l(
        "This file is not a valid Excel workbook (.xlsx). Open it in Excel or WPS "
        "and save it again as .xlsx, or start from the template."
    )


def _check_archive(data: bytes) -> None:
    """Refuse zip bombs and XML with a DTD (entity expansion) before openpyxl parses.

    A workbook from Excel or WPS never declares a DTD; without defusedxml installed,
    openpyxl parses with the standard library, so this is checked here.
    """
    unpacked = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ARCHIVE_MEMBERS:
                raise LedgerRejected(_not_xlsx())
            for member in members:
                with archive.open(member) as stream:
                    head = b""
                    while chunk := stream.read(1024 * 1024):
                        unpacked += len(chunk)
                        if unpacked > MAX_UNPACKED_BYTES:
                            raise LedgerRejected(_not_xlsx())
                        window = (head + chunk).lower()
                        if b"<!doctype" in window or b"<!entity" in window:
                            raise LedgerRejected(_not_xlsx())
                        head = chunk[-16:]
    except LedgerRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError,
            OSError, EOFError, RuntimeError):
        # RuntimeError: encrypted members; NotImplementedError: unknown compression.
        raise LedgerRejected(_not_xlsx()) from None


def _xlsx_rows(data: bytes) -> Generator[tuple, None, None]:
    _check_archive(data)
    try:
        with warnings.catch_warnings():
            # Files from WPS and other tools make openpyxl warn about styles and
            # extensions it drops; only the values matter here.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for files that are not xlsx
        raise LedgerRejected(_not_xlsx()) from None
    try:
        names = workbook.sheetnames
        sheet = workbook[SHEET] if SHEET in names else workbook.worksheets[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield from sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
    except Exception:  # broken XML inside an otherwise valid zip
        raise LedgerRejected(_not_xlsx()) from None
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    if data.startswith(UTF8_BOM):
        encodings = ("utf-8-sig",)
    else:
        # Excel and WPS on Chinese Windows save "CSV" in the ANSI code page (GBK);
        # GB18030 is its superset.
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise LedgerRejected(_unreadable_csv())


def _unreadable_csv():
    return _l(
        "The CSV file could not be read as text. Save it as \"CSV UTF-8\" "
        "(or use the .xlsx template)."
    )


def _csv_rows(data: bytes) -> Generator[list[str], None, None]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error:
        raise LedgerRejected(_unreadable_csv()) from None


def _match_header(values: Iterable) -> dict[int, str]:
    found: dict[int, str] = {}
    for index, value in enumerate(values):
        if value is None or index >= MAX_COLUMNS:
            continue
        key = HEADER_LOOKUP.get(_header_key(value))
        if key is not None and key not in found.values():
            found[index] = key
    return found


def _parse_grid(grid: Iterable) -> Ledger:
    rows_iter = enumerate(grid, start=1)
    header_row, mapping, header_values = 0, {}, ()
    for number, values in rows_iter:
        found = _match_header(values)
        if "category_slug" in found.values() and len(found) >= 3:
            header_row, mapping, header_values = number, found, tuple(values)
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if not mapping:
        raise LedgerRejected(
            _l(
                "No header row was found. The first row must hold the template's "
                "column names (类型, 设备类别, 标题, …): start from the template."
            )
        )
    present = set(mapping.values())
    missing = [c.header for c in COLUMNS if c.required and c.key not in present]
    if missing:
        raise LedgerRejected(
            _l(
                "The header row lacks these columns: %(columns)s. Start from the "
                "template.",
                columns="、".join(missing),
            )
        )
    headers = {
        key: (get_column_letter(index + 1), cell_text(header_values[index]))
        for index, key in mapping.items()
    }
    rows: list[LedgerRow] = []
    scanned = 0
    for number, values in rows_iter:
        scanned += 1
        if scanned > MAX_SCANNED_ROWS:
            raise LedgerRejected(_too_many_rows())
        texts = {
            key: cell_text(values[index]) if index < len(values) else ""
            for index, key in mapping.items()
        }
        if not any(texts.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise LedgerRejected(_too_many_rows())
        rows.append(LedgerRow(number, texts))
    return Ledger(header_row, headers, rows)


def _too_many_rows():
    return _l(
        "The file has more than %(count)s rows. Nothing was imported: split it into "
        "several files.",
        count=f"{MAX_ROWS:,}",
    )


# --- writing ----------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
EXAMPLE_FONT = Font(italic=True, color="808080")


def _choice_list(values: Iterable[str]) -> str:
    return '"' + ",".join(values) + '"'


def _validation_lists() -> dict[str, str]:
    """Drop-down sources by column key (inline lists stay under Excel's 255 chars)."""
    lists = {
        "kind": _choice_list((OFFER_WORD, WANTED_WORD)),
        "asset_source": _choice_list(item.zh for item in ASSET_SOURCES),
        "condition_grade": _choice_list(item.zh for item in CONDITION_GRADES),
        "unit": _choice_list(item.zh for item in QUANTITY_UNITS),
        "negotiable": _choice_list((YES_WORD, NO_WORD)),
    }
    for column in COLUMNS:
        key = column.spec_key
        if key and key != "voltage_kv" and SPEC_FIELDS[key].kind == "choice":
            lists[column.key] = _choice_list(c.zh for c in SPEC_FIELDS[key].choices)
    return lists


def _prepare_sheet(workbook: Workbook, columns: tuple[Column, ...]):
    """The "台账" sheet with headers, hints and drop-downs; the hidden category list."""
    sheet = workbook.active
    sheet.title = SHEET
    categories = workbook.create_sheet(CATEGORY_SHEET)
    leaves = all_leaf_categories()
    for row, category in enumerate(leaves, start=1):
        categories.cell(row=row, column=1, value=category.zh)
    categories.sheet_state = "hidden"

    lists = _validation_lists()
    lists["category_slug"] = f"'{CATEGORY_SHEET}'!$A$1:$A${len(leaves)}"
    last_row = MAX_ROWS + 1
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = REQUIRED_FONT if column.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        note = column.en + (f"\n{column.hint}" if column.hint else "")
        cell.comment = Comment(note, AUTHOR, width=240, height=90)
        sheet.column_dimensions[letter].width = column.width
        if column.key in lists:
            validation = DataValidation(
                type="list",
                formula1=lists[column.key],
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="请从列表中选择",
                error="请从下拉列表中选择一个值。",
            )
        elif column.hint:
            validation = DataValidation(allow_blank=True)  # input message only
        else:
            continue
        if column.hint:
            validation.showInputMessage = True
            validation.promptTitle = column.header[:32]
            validation.prompt = column.hint[:255]
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 32
    return sheet


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _add_guide(workbook: Workbook) -> None:
    guide = workbook.create_sheet(GUIDE_SHEET)
    notes = (
        "每行一条信息；红色列名为必填。请勿修改第一行的列名。",
        "类型填“出售”或“求购”；设备类别、设备来源、成色、单位请从下拉列表选择。",
        "技术参数按列名中的单位填写；求购时可写范围（如 315-630 或 315~630），"
        "电压等级可写多个（如 10/35）。",
        "省、市、区县填中文名称，如 山东省 / 枣庄市 / 薛城区。",
        f"每个文件最多 {MAX_ROWS} 行、10 MB；也可上传另存为 CSV 的文件。",
        "导入时先检查全部行：任何一行有误则全部不导入，页面会按行列出问题；"
        "全部正确则一次导入，进入待审核状态。",
        "第2行是示例，导入前请删除。",
    )
    for row, note in enumerate(notes, start=1):
        guide.cell(row=row, column=1, value=note)
    start = len(notes) + 2
    for offset, values in enumerate(
        [("列名", "必填", "English", "说明")]
        + [
            (c.header, "是" if c.required else "", c.en, c.hint)
            for c in COLUMNS
        ]
    ):
        for col, value in enumerate(values, start=1):
            cell = guide.cell(row=start + offset, column=col, value=value)
            if offset == 0:
                cell.font = HEADER_FONT
    for letter, width in zip("ABCD", (28, 6, 40, 60), strict=True):
        guide.column_dimensions[letter].width = width


@cache
def build_template() -> bytes:
    """The empty ledger: headers, drop-downs, hints, an example row and a guide."""
    workbook = Workbook()
    sheet = _prepare_sheet(workbook, COLUMNS)
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=2, column=index, value=EXAMPLE.get(column.key))
        cell.font = EXAMPLE_FONT
    sheet.cell(row=2, column=1).comment = Comment(
        "示例行，导入前请删除 (example row: delete it before importing)", AUTHOR
    )
    _add_guide(workbook)
    return _save(workbook)


def _number(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _spec_cell(key: str, value, is_offer: bool) -> str | None:
    spec = SPEC_FIELDS[key]

    def one(item) -> str:
        if spec.kind == "choice" and key != "voltage_kv":
            choice = spec.choice(item)
            return choice.zh if choice else str(item)
        return format_number(item) if isinstance(item, int | float) else str(item)

    if value is None:
        return None
    if isinstance(value, list) and not is_offer:
        if key == "voltage_kv":
            return "/".join(one(level) for level in value)
        low, high = (list(value) + [None, None])[:2]
        if low is not None and high is not None:
            return one(low) if low == high else f"{one(low)}-{one(high)}"
        if low is not None:
            return f"≥{one(low)}"
        return f"≤{one(high)}" if high is not None else None
    return one(value)


def _region_name(code: str | None) -> str | None:
    region = get_region(code) if code else None
    return region.name if region else code


def listing_cells(listing, status_label: Callable[[str], str]) -> dict[str, object]:
    """One post as the values of the export's columns (the template's, plus two)."""
    is_offer = listing.kind.value == "offer"
    category = get_category(listing.category_slug)
    source = get_asset_source(listing.asset_source or "")
    grade = get_grade(listing.condition_grade or "")
    unit = get_quantity_unit(listing.unit or "")
    cells: dict[str, object] = {
        "kind": OFFER_WORD if is_offer else WANTED_WORD,
        "category_slug": category.zh if category else listing.category_slug,
        "title": listing.title,
        "model_raw": listing.model_raw,
        "manufacturer": listing.manufacturer,
        "year_made": listing.year_made,
        "service_years": listing.service_years,
        "asset_source": source.zh if source else listing.asset_source,
        "condition_grade": grade.zh if grade else listing.condition_grade,
        "quantity": _number(listing.quantity),
        "unit": unit.zh if unit else listing.unit,
        "price_cny": _number(listing.price_cny),
        "negotiable": YES_WORD if listing.negotiable else NO_WORD,
        "province": _region_name(listing.province_code),
        "city": _region_name(listing.city_code),
        "district": _region_name(listing.district_code),
        "address": listing.address,
        "contact_name": listing.contact_name,
        "contact_mobile": listing.contact_mobile,
        "until": listing.valid_until if is_offer else listing.wanted_by,
        "description": listing.description,
        "status": status_label(listing.status.value),
        "listing_id": listing.id,
    }
    for key, value in (listing.specs or {}).items():
        if f"spec:{key}" in COLUMNS_BY_KEY:
            cells[f"spec:{key}"] = _spec_cell(key, value, is_offer)
    return cells


def write_export(listings: Iterable, status_label: Callable[[str], str]) -> bytes:
    """The posts in the template's layout, so an export can be edited and imported."""
    workbook = Workbook()
    columns = COLUMNS + EXPORT_ONLY_COLUMNS
    sheet = _prepare_sheet(workbook, columns)
    for row, listing in enumerate(listings, start=2):
        cells = listing_cells(listing, status_label)
        for index, column in enumerate(columns, start=1):
            value = cells.get(column.key)
            if value is None or value == "":
                continue
            cell = sheet.cell(row=row, column=index, value=value)
            if isinstance(value, str) and value.startswith("="):
                # Text a seller typed is never a formula in the file we hand out.
                cell.data_type = "s"
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif column.key == "contact_mobile":
                cell.number_format = "@"
    return _save(workbook)
