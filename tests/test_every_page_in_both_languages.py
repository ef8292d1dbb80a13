"""Every page, for the role that uses it, in Vietnamese and in English (?lang=en): what a user
reads — table headers, table cells, list choices and their placeholders, segmented choices,
figure labels — is words of that language, never a code name (`venue_ref`, `risk_level`), a
stored code (supermarket, staff, contacted) or Python's 'None'.

The pages run under AppTest on a private copy of the small demo city (SQLite: the words do not
depend on the engine; opening pages writes audit rows)."""

from __future__ import annotations

import base64
import json
import re
import shutil
from dataclasses import dataclass, field

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from config.settings import SECTORS, VENUE_KINDS, get_settings
from db.engine import make_engine
from db.schema import case_record, checkin, venue, ward
from queries.area import wards_by_district
from queries.audit import ACTIONS
from rules.access import Scope
from rules.follow_up import STATUSES
from rules.risk import EXPOSURES, SYMPTOMS
from tests.page_runs import open_page as open_app_page
from tests.page_runs import point_app_at, read_in

GO_VAP = "764"
SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")
CODE_NAME = re.compile(r"[a-z_]+")  # a header such as 'sector' or 'kind': a column's code name
# Stored codes that must reach a user as words (in Vietnamese; some English words are the same).
CODES = {
    *VENUE_KINDS, *SECTORS, *STATUSES, *SYMPTOMS, *EXPOSURES, *ACTIONS,
    "self", "proxy", "staff", "advance", "import", "suspected", "confirmed",
}  # fmt: skip
NOT_A_VALUE = {"None", "nan", "NaN", "NaT", "<NA>"}
VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
PLOTLY_FIELD = re.compile(r"%\{[^}]*\}|<extra>.*?</extra>")  # '%{x}' in a hover template
STREAMLIT_PLACEHOLDERS = ("Choose an option", "No options to select")


@dataclass
class Shown:
    """What a page puts in front of its user, by where it shows."""

    headers: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


def shown_on(app: AppTest) -> Shown:
    shown = Shown()
    for table in app.dataframe:
        config = json.loads(table.proto.columns or "{}")
        labelled = {name: spec.get("label") for name, spec in config.items() if spec.get("label")}
        frame = table.value
        shown.headers += [labelled.get(str(c), str(c)) for c in frame.columns]
        for column in frame.columns:
            # A missing value shows as a grey 'None' in any column.
            shown.cells += ["None"] * int(frame[column].isna().sum())
            if frame[column].dtype == object:
                shown.cells += [str(v) for v in frame[column].dropna() if not isinstance(v, bytes)]
    for box in app.selectbox:
        shown.labels.append(box.proto.label)
        shown.choices += list(box.proto.options)
        if not box.proto.HasField("default") or not box.proto.options:  # index=None: empty
            shown.placeholders.append(box.proto.placeholder)
    for multi in app.multiselect:
        shown.labels.append(multi.proto.label)
        shown.choices += list(multi.proto.options)
        shown.placeholders.append(multi.proto.placeholder)
    for group in app.get("button_group"):
        shown.choices += [option.content for option in group.proto.options]
    shown.labels += [metric.label for metric in app.metric]
    for chart in app.get("plotly_chart"):  # legends, hover texts and axis titles
        spec = json.loads(chart.proto.spec)
        for trace in spec["data"]:
            shown.labels.append(str(trace.get("name") or ""))
            shown.labels.append(PLOTLY_FIELD.sub("", str(trace.get("hovertemplate") or "")))
        for axis in ("xaxis", "yaxis"):
            title = spec["layout"].get(axis, {}).get("title") or {}
            shown.labels.append(str(title.get("text") or "") if isinstance(title, dict) else title)
    return shown


def problems(shown: Shown, language: str) -> list[str]:
    """Each thing a user of that language should not have to read, with where it shows."""
    found = [
        f"header {h!r}" for h in shown.headers if SNAKE_CASE.search(h) or CODE_NAME.fullmatch(h)
    ]
    found += [f"label {text!r}" for text in shown.labels if SNAKE_CASE.search(text)]
    found += [f"cell {c!r}" for c in shown.cells if c in NOT_A_VALUE]
    found += [
        f"placeholder {p!r}"
        for p in shown.placeholders
        if not p.strip() or p in STREAMLIT_PLACEHOLDERS
    ]
    if language == "vi":
        found += [f"cell {c!r}" for c in shown.cells if c in CODES]
        found += [f"choice {c!r}" for c in shown.choices if c in CODES or SNAKE_CASE.fullmatch(c)]
    else:  # English stays English: no Vietnamese header, label or placeholder left behind
        found += [
            f"untranslated {text!r}"
            for text in [*shown.headers, *shown.labels, *shown.placeholders]
            if VIETNAMESE_LETTERS.search(text)
        ]
    return found


@pytest.fixture(scope="module")
def city(sqlite_demo_url, tmp_path_factory):
    """A private copy of the demo city, and the places and people the pages are opened on."""
    path = tmp_path_factory.mktemp("languages") / "demo.db"
    shutil.copy(make_url(sqlite_demo_url).database, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with engine.connect() as connection:
        busiest = (
            select(checkin.c.venue_id)
            .join(venue, venue.c.id == checkin.c.venue_id)
            .join(ward, ward.c.code == venue.c.ward_code)
            .where(ward.c.district_code == GO_VAP)
            .group_by(checkin.c.venue_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        venue_id = connection.scalar(busiest)
        case_id = connection.scalar(select(func.min(case_record.c.id)))
        market = connection.scalar(select(venue.c.id).where(venue.c.venue_ref == "CDM-BD"))
    engine.dispose()
    return {"url": url, "venue_id": venue_id, "case_id": case_id, "market": market}


def test_the_rules_catch_what_the_district_officer_saw():
    seen = Shown(
        headers=["venue_ref", "Tên", "sector"],
        cells=["supermarket", "office", "public", "None", "Tự khai (QR)"],
        choices=["staff", "Tại chốt"],
        placeholders=["Choose an option", ""],
    )
    assert problems(seen, "vi") == [
        "header 'venue_ref'", "header 'sector'", "cell 'None'", "placeholder 'Choose an option'",
        "placeholder ''", "cell 'supermarket'", "cell 'office'", "cell 'public'", "choice 'staff'",
    ]  # fmt: skip
    assert problems(Shown(headers=["Giờ vào"], labels=["Time in"]), "en") == [
        "untranslated 'Giờ vào'"
    ]


def officer() -> Scope:
    return Scope(
        "officer.govap", "district_officer", frozenset(wards_by_district()[GO_VAP]), None, GO_VAP
    )


# page: who uses it (and what they open on it)
PAGES = {
    "overview": lambda city: (Scope("lead", "leadership"), {}),
    "map": lambda city: (Scope("lead", "leadership"), {}),
    "wall": lambda city: (Scope("wall", "command_centre"), {}),
    "venues": lambda city: (officer(), {"venue_id": city["venue_id"]}),
    "risk": lambda city: (officer(), {}),
    "trace": lambda city: (Scope("epi", "epidemiologist"), {}),
    "kiosk": lambda city: (Scope("door", "venue_staff", None, frozenset({city["venue_id"]})), {}),
    "guide": lambda city: (Scope("lead", "leadership"), {}),
    "admin": lambda city: (Scope("admin", "admin"), {}),
}


@pytest.fixture
def open_page(monkeypatch, city):
    point_app_at(monkeypatch, city["url"])

    def open_(
        page: str, language: str, params: dict | None = None, who: tuple | None = None
    ) -> AppTest:
        scope, session = who or PAGES[page](city)
        language_param = read_in(monkeypatch, language)
        return open_app_page(
            page, scope, {**language_param, **(params or {})}, session, timeout=120
        )

    yield open_
    get_settings.cache_clear()


LANGUAGES = ("vi", "en")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_a_page_speaks_the_language_of_its_reader(open_page, page, language):
    app = open_page(page, language)
    assert app.title[0].value
    assert problems(shown_on(app), language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_trace_with_its_visits_people_present_and_contacts(open_page, city, language):
    app = open_page("trace", language, {"case": str(city["case_id"])})
    app.text_input(key="trace_purpose").input("Kiểm tra ngôn ngữ của bảng truy vết").run()
    app.button(key="trace_run").click().run()
    assert len(app.dataframe) >= 2  # the visits and the contacts
    assert problems(shown_on(app), language) == []
    place = next(box for box in app.selectbox if box.key and box.key.startswith("trace_place_"))
    place.select_index(1).run()
    assert not app.exception, app.exception
    # Who was present there (a list's placeholder is checked before a choice: after one, a
    # widget is sent without its default and would look empty here).
    shown = shown_on(app)
    shown.placeholders = []
    assert problems(shown, language) == []


def test_the_district_officers_venue_tables_in_words(open_page):
    """The district officer's complaint: codes for headers and values, a table five rows tall,
    'None' where nobody gave an ID number."""
    app = open_page("venues", "vi")
    search, checkins = app.dataframe[0], app.dataframe[-1]
    assert list(search.value.columns) == [
        "Mã địa điểm", "Tên", "Loại", "Khối", "Phường/Xã", "Quận/Huyện",
    ]  # fmt: skip
    assert set(search.value["Khối"]) <= {
        "Y tế",
        "Cơ quan nhà nước",
        "Doanh nghiệp",
        "Nơi công cộng",
    }
    assert "CCCD/CMND" in checkins.value.columns
    assert not checkins.value["CCCD/CMND"].isin(NOT_A_VALUE).any()
    assert set(checkins.value["Hình thức"]) <= {
        "Tự khai (QR)", "Khai hộ", "Tại chốt", "Khai trước", "Nhập từ hệ thống khác",
    }  # fmt: skip


def plotted(values: list | dict) -> np.ndarray:
    """A trace's values as Plotly received them (a list, or a typed array in base64)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_venue_timeline_marks_a_cases_visits_only_where_there_were_some(
    open_page, city, language
):
    """The market where the first demo case worked: its visits are marked, and no ✖ at 0."""
    epidemiologist = (Scope("epi", "epidemiologist"), {"venue_id": city["market"]})
    app = open_page("venues", language, who=epidemiologist)
    chart = json.loads(app.get("plotly_chart")[0].proto.spec)
    marks = [trace for trace in chart["data"] if trace["type"] == "scatter"]
    assert len(marks) == 1 and (plotted(marks[0]["y"]) > 0).all()
    assert chart["layout"]["separators"] == (",." if language == "vi" else ".,")
