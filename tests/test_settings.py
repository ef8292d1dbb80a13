"""Settings: defaults, sources and their order, and one readable message per bad value."""

import os
from pathlib import Path

import pytest

from config.settings import ConfigError, load_settings, normalise_database_url
from db.engine import driver_url


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("KBYT_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    # An empty config file unless a test writes its own: a developer's config/kbyt.toml must
    # not leak into these expectations.
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    monkeypatch.setenv("KBYT_CONFIG_FILE", str(empty))


def test_defaults_follow_the_brief():
    settings = load_settings()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("data/kbyt.db")
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.retention_days == 28
    assert settings.trace.buffer_minutes == 15
    assert settings.trace.min_overlap_minutes == 1
    assert settings.trace.lookback_days == 14
    assert settings.trace.max_presence_hours == 24
    assert settings.dwell_minutes["market"] == 60
    assert settings.dwell_minutes["supermarket"] == 45
    assert settings.dwell_minutes["hospital"] == 120
    assert settings.dwell_minutes["office"] == 480
    assert settings.dwell_minutes["factory"] == 480
    assert settings.dwell_minutes["school"] == 360
    assert settings.dwell_minutes["station"] == 30
    assert settings.dwell_minutes["bus"] == 45
    assert settings.map.tiles is None and settings.map.assets == "local"
    assert settings.boundary_file is None


def test_environment_overrides_the_file(monkeypatch, tmp_path):
    config = tmp_path / "kbyt.toml"
    config.write_text('retention_days = 21\ntimezone = "UTC"\n[trace]\nbuffer_minutes = 30\n')
    monkeypatch.setenv("KBYT_CONFIG_FILE", str(config))
    monkeypatch.setenv("KBYT_RETENTION_DAYS", "14")
    settings = load_settings()
    assert settings.retention_days == 14  # environment wins
    assert settings.timezone == "UTC"  # from the file
    assert settings.trace.buffer_minutes == 30  # nested, from the file
    assert settings.trace.min_overlap_minutes == 1  # default kept beside it


def test_database_url_alias_and_nested_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://kbyt:kbyt@127.0.0.1/kbyt")
    monkeypatch.setenv("KBYT_TRACE__BUFFER_MINUTES", "20")
    monkeypatch.setenv("KBYT_DWELL_MINUTES", '{"market": 90}')
    settings = load_settings()
    assert settings.database_url == "postgresql://kbyt:kbyt@127.0.0.1/kbyt"
    assert settings.trace.buffer_minutes == 20
    assert settings.dwell_minutes["market"] == 90
    assert settings.dwell_minutes["school"] == 360  # other kinds keep their defaults


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("KBYT_DATABASE_URL", "mysql://x/y", "Invalid setting 'database_url' (KBYT_DATABASE_URL): must start with sqlite://"),
        ("KBYT_TIMEZONE", "Mars/Olympus", "Invalid setting 'timezone' (KBYT_TIMEZONE): unknown time zone 'Mars/Olympus'"),
        ("KBYT_RETENTION_DAYS", "0", "Invalid setting 'retention_days' (KBYT_RETENTION_DAYS): Input should be greater than or equal to 1"),
        ("KBYT_RETENTION_DAYS", "four weeks", "Invalid setting 'retention_days' (KBYT_RETENTION_DAYS): Input should be a valid integer"),
        ("KBYT_TRACE__BUFFER_MINUTES", "-5", "Invalid setting 'trace.buffer_minutes' (KBYT_TRACE__BUFFER_MINUTES): Input should be greater than or equal to 0"),
        ("KBYT_TRACE__MIN_OVERLAP_MINUTES", "0", "Invalid setting 'trace.min_overlap_minutes' (KBYT_TRACE__MIN_OVERLAP_MINUTES)"),
        ("KBYT_TRACE__MAX_PRESENCE_HOURS", "48", "Invalid setting 'trace.max_presence_hours' (KBYT_TRACE__MAX_PRESENCE_HOURS): Input should be less than or equal to 24"),
        ("KBYT_DWELL_MINUTES", '{"boat": 30}', "Invalid setting 'dwell_minutes' (KBYT_DWELL_MINUTES): unknown venue kinds ['boat']"),
        ("KBYT_DWELL_MINUTES", '{"market": 0}', "Invalid setting 'dwell_minutes' (KBYT_DWELL_MINUTES): dwell must be 1..1440 minutes"),
        ("KBYT_RISK__HIGH_RISK_SYMPTOMS", '["sneezing"]', "Invalid setting 'risk.high_risk_symptoms' (KBYT_RISK__HIGH_RISK_SYMPTOMS): unknown symptoms ['sneezing']"),
        ("KBYT_MAP__ASSETS", "internet", "Invalid setting 'map.assets' (KBYT_MAP__ASSETS)"),
        ("KBYT_BOUNDARY_FILE", "/nowhere/districts.geojson", "Invalid setting 'boundary_file' (KBYT_BOUNDARY_FILE): file not found: /nowhere/districts.geojson"),
        ("KBYT_NO_SUCH_SETTING", "1", "Unknown setting KBYT_NO_SUCH_SETTING: no setting has this name"),
        ("KBYT_DATABSE_URL", "sqlite://", "Unknown setting KBYT_DATABSE_URL: no setting has this name; did you mean KBYT_DATABASE_URL?"),
        ("KBYT_TRACE__BUFER_MINUTES", "5", "Unknown setting KBYT_TRACE__BUFER_MINUTES: no setting has this name; did you mean KBYT_TRACE__BUFFER_MINUTES?"),
        ("kbyt_query_timeout", "5", "Unknown setting kbyt_query_timeout: no setting has this name; did you mean KBYT_QUERY_TIMEOUT_S?"),
        ("KBYT_QUERY_TIMEOUT_S", "0", "Invalid setting 'query_timeout_s' (KBYT_QUERY_TIMEOUT_S): Input should be greater than or equal to 1"),
    ],
)  # fmt: skip
def test_a_bad_value_names_the_setting(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value).startswith(message), str(raised.value)
    assert "\n" not in str(raised.value)  # one problem, one line


def test_a_bad_config_file_is_reported(monkeypatch, tmp_path):
    config = tmp_path / "kbyt.toml"
    config.write_text("retention_days = [\n")
    monkeypatch.setenv("KBYT_CONFIG_FILE", str(config))
    with pytest.raises(ConfigError, match="Invalid configuration"):
        load_settings()
    monkeypatch.setenv("KBYT_CONFIG_FILE", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="KBYT_CONFIG_FILE: file not found"):
        load_settings()


def test_an_unknown_key_in_the_file_is_refused(monkeypatch, tmp_path):
    config = tmp_path / "kbyt.toml"
    config.write_text("retention_dayz = 10\n")
    monkeypatch.setenv("KBYT_CONFIG_FILE", str(config))
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value) == (
        "Unknown setting 'retention_dayz': no setting has this name; did you mean retention_days?"
    )
    config.write_text("[trace]\nbufer_minutes = 10\n")  # a group's key, not only the top's
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value) == (
        "Unknown setting 'trace.bufer_minutes': no setting has this name; "
        "did you mean trace.buffer_minutes?"
    )


def test_the_tools_own_kbyt_variables_are_not_settings(monkeypatch):
    monkeypatch.setenv("KBYT_TEST_POSTGRES_URL", "postgresql://x/y")
    monkeypatch.setenv("KBYT_SHARED_GEO_DIR", "/tmp")
    monkeypatch.setenv("KBYT_TRACE", '{"buffer_minutes": 20}')  # a whole group as JSON
    assert load_settings().trace.buffer_minutes == 20


@pytest.mark.parametrize(
    ("given", "read"),
    [
        ("postgres://kbyt:kbyt@127.0.0.1:5432/kbyt", "postgresql://kbyt:kbyt@127.0.0.1:5432/kbyt"),
        ("postgres+psycopg2://u@h/d", "postgresql+psycopg2://u@h/d"),
        ("postgresql://u@h/d", "postgresql://u@h/d"),
        ("sqlite:///postgres://x", "sqlite:///postgres://x"),
        ("sqlite:///data/kbyt.db", "sqlite:///data/kbyt.db"),
    ],
)
def test_the_common_postgres_scheme_is_read_as_postgresql(monkeypatch, given, read):
    assert normalise_database_url(given) == read
    monkeypatch.setenv("DATABASE_URL", given)
    assert load_settings().database_url == read


def test_boundary_file_relative_to_the_repository(monkeypatch, tmp_path):
    shapes = tmp_path / "d.geojson"
    shapes.write_text('{"type": "FeatureCollection", "features": []}')
    monkeypatch.setenv("KBYT_BOUNDARY_FILE", str(shapes))
    assert load_settings().boundary_file == Path(shapes)


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgres://kbyt:pw@db:5432/kbyt", "postgresql+psycopg2"),
        ("postgresql://kbyt:pw@db:5432/kbyt", "postgresql+psycopg2"),
        ("postgresql+psycopg2://kbyt:pw@db:5432/kbyt", "postgresql+psycopg2"),
        ("sqlite:///data/kbyt.db", "sqlite"),
    ],
)
def test_an_engine_reaches_postgresql_through_the_installed_driver(given, driver):
    """SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3, which is not installed."""
    url = driver_url(given)
    assert url.drivername == driver
    assert url.render_as_string(hide_password=False).split("://")[1] == given.split("://")[1]
