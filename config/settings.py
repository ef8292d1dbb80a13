"""The one typed settings object, loaded once and validated at start-up.

Sources, later ones winning: the defaults below, a TOML file (``config/kbyt.toml`` or the file
named by ``KBYT_CONFIG_FILE``), then environment variables. Every setting has an environment
name: ``KBYT_`` plus the field name, nested groups joined by ``__`` (for example
``KBYT_TRACE__BUFFER_MINUTES=20``). ``DATABASE_URL`` is accepted as well as
``KBYT_DATABASE_URL`` because hosting platforms set it.

The settings name things the rules define, and take them from there rather than copying them:
the symptom vocabulary (``rules.risk.SYMPTOMS``, which ``risk.high_risk_symptoms`` is checked
against) and the city's zone (``rules.local_time.CITY_ZONE``, the default of ``timezone``).
So ``config`` sits one row above ``rules`` (docs/architecture.md); ``rules`` imports nothing
of ours and takes settings as arguments.
"""

from __future__ import annotations

import difflib
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from rules.local_time import CITY_ZONE
from rules.risk import SYMPTOMS

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = REPO_ROOT / "config" / "kbyt.toml"
DEFAULT_SQLITE_PATH = REPO_ROOT / "data" / "kbyt.db"

VENUE_KINDS: tuple[str, ...] = (
    "hospital",
    "clinic",
    "pharmacy",
    "office",
    "factory",
    "industrial_zone",
    "market",
    "supermarket",
    "mall",
    "shop",
    "restaurant",
    "school",
    "apartment",
    "station",
    "bus",
    "other",
)
SECTORS: tuple[str, ...] = ("health", "government", "enterprise", "public")
DEFAULT_DWELL_MINUTES: dict[str, int] = {
    "hospital": 120,
    "clinic": 60,
    "pharmacy": 15,
    "office": 480,
    "factory": 480,
    "industrial_zone": 480,
    "market": 60,
    "supermarket": 45,
    "mall": 90,
    "shop": 20,
    "restaurant": 60,
    "school": 360,
    "apartment": 720,
    "station": 30,
    "bus": 45,
    "other": 60,
}


def normalise_database_url(url: str) -> str:
    """The URL with the common ``postgres://`` scheme (Heroku, Render, many guides) read as
    SQLAlchemy's ``postgresql://``; any other URL is returned as it is. The settings read URLs
    through it, and so does db.engine.make_engine (the command line, the app, the benchmarks)."""
    scheme, separator, rest = url.partition("://")
    if separator and (scheme == "postgres" or scheme.startswith("postgres+")):
        return "postgresql" + scheme.removeprefix("postgres") + separator + rest
    return url


class ConfigError(Exception):
    """A setting is invalid; the message names it and says what is expected."""


class _Group(BaseModel):
    """A group of settings (``[trace]`` in the file, ``KBYT_TRACE__…``): a key it does not
    know is refused, as at the top level, rather than ignored."""

    model_config = ConfigDict(extra="forbid")


# The lowest and highest value of each trace rule: the settings, the trace engine's rules
# (queries.trace.TraceRules) and the trace page's inputs all take them from here.
TRACE_LIMITS: dict[str, tuple[int, int]] = {
    "buffer_minutes": (0, 24 * 60),
    "min_overlap_minutes": (1, 24 * 60),
    "lookback_days": (1, 60),
    "max_presence_hours": (1, 24),
}


def _trace_rule(name: str, default: int, description: str) -> Any:
    low, high = TRACE_LIMITS[name]
    return Field(default, ge=low, le=high, description=description)


class TraceRules(_Group):
    """Exposure rules of DESIGN §5; every trace may override them (queries.trace.TraceRules takes
    its defaults from here)."""

    buffer_minutes: int = _trace_rule("buffer_minutes", 15, "Widening of the case's visits")
    min_overlap_minutes: int = _trace_rule("min_overlap_minutes", 1, "Shortest overlap that counts")
    lookback_days: int = _trace_rule("lookback_days", 14, "Days before onset/test that count")
    max_presence_hours: int = _trace_rule(
        "max_presence_hours", 24, "Presence is cut to this length"
    )


class RiskRules(_Group):
    """Which symptoms alone make a declaration high risk (DESIGN §5)."""

    high_risk_symptoms: list[str] = Field(
        default_factory=lambda: ["shortness_of_breath"],
        description="Symptoms that alone make a declaration high risk",
    )

    @field_validator("high_risk_symptoms")
    @classmethod
    def _known_symptoms(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(SYMPTOMS))
        if unknown:
            raise ValueError(f"unknown symptoms {unknown}; known: {list(SYMPTOMS)}")
        return value


class MapSettings(_Group):
    """Basemap and map assets. Offline is the default: command-centre networks are closed."""

    tiles: str | None = Field(
        None, description="Tile URL template (or a folium tile name); empty means no basemap"
    )
    tiles_attribution: str = Field("", description="Attribution shown with the basemap's tiles")
    assets: Literal["local", "cdn"] = Field(
        "local", description="Leaflet from the app itself (local) or from public CDNs (cdn)"
    )


def _rate(value: str) -> str:
    """A rate limit in the `limits` notation ("30/minute", "5 per second; 100/hour")."""
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError as error:
        raise ValueError(f"not a rate limit like '30/minute': {error}") from None
    return value


class PublicSettings(_Group):
    """Limits of the public declaration form and the partner API (per server process)."""

    rate_per_address: str = Field(
        "30/minute",
        description="Declarations sent from one client address (phones behind one carrier "
        "address share it, so keep it generous)",
    )
    rate_per_venue: str = Field(
        "600/minute", description="Declarations sent to one venue's QR code"
    )
    api_rate_per_key: str = Field("600/minute", description="Requests of one partner API key")
    api_max_body_bytes: int = Field(
        16 * 1024 * 1024, ge=1024, le=512 * 1024 * 1024, description="Largest partner API request"
    )

    @field_validator("rate_per_address", "rate_per_venue", "api_rate_per_key")
    @classmethod
    def _known_rate(cls, value: str) -> str:
        return _rate(value)


class SessionSettings(_Group):
    """How long a sign-in lasts, and the limit on password guessing from one address."""

    idle_minutes: int = Field(
        30, ge=5, le=24 * 60, description="A session unused this long ends (wall screens excepted)"
    )
    lifetime_hours: int = Field(
        12, ge=1, le=24 * 30, description="A session ends this long after signing in, used or not"
    )
    wall_screen_days: int = Field(
        90, ge=1, le=3650, description="A wall screen's device session lasts this long"
    )
    failures_per_address: str = Field(
        "20 per 15 minutes",
        description="Failed sign-ins from one client address, across accounts, before it waits",
    )

    @field_validator("failures_per_address")
    @classmethod
    def _known_rate(cls, value: str) -> str:
        return _rate(value)


class DemoSettings(_Group):
    """The demo city created on first start of the embedded default."""

    seed_on_first_start: bool = Field(
        True, description="Build the demo city and accounts in an empty SQLite database"
    )
    checkins: int = Field(
        100_000, ge=1_000, le=50_000_000, description="Check-ins of the demo city"
    )
    days: int = Field(14, ge=1, le=60, description="Days the demo city's check-ins span")
    seed: int = Field(2021, description="Random seed of the demo city (same seed, same city)")


class HotSpotSettings(_Group):
    """Ward hot spots of at-risk declarations (local Getis-Ord Gi*; docs/early-warning.md)."""

    alpha: float = Field(
        0.05,
        gt=0,
        lt=1,
        description="False-discovery rate: a ward is hot (or cold) when its Benjamini-Hochberg "
        "q-value is below this",
    )
    # 999 draws give p no smaller than 0.002 (two-sided), and Benjamini-Hochberg over the
    # city's 273 wards then needs at least 11 wards at that p before one has q < 0.05: a
    # cluster of a few wards could never be found. 9,999 take about 0.3 s for the city.
    permutations: int = Field(
        9_999,
        ge=99,
        le=99_999,
        description="Conditional permutations behind each ward's p-value (the smallest "
        "p is 2 / (permutations + 1))",
    )
    seed: int = Field(
        1992,
        ge=0,
        le=2**32 - 1,
        description="Random seed of the permutations (same data, same result)",
    )


class CrowdingRules(_Group):
    """When a venue counts as crowded now (rules.crowding says why each threshold exists): its
    last hour's check-ins against its own usual level for that weekday and hour, or against a
    share of its declared capacity."""

    factor: float = Field(
        2.0,
        ge=1.0,
        le=20.0,
        description="Crowded when the last hour's check-ins are at least "
        "this many times the venue's usual for that weekday and hour",
    )
    margin: int = Field(
        20,
        ge=1,
        le=10_000,
        description="… and at least this many check-ins above its usual "
        "(a few people more at a small venue are no crowd)",
    )
    spread_multiple: float = Field(
        3.0,
        ge=0.0,
        le=20.0,
        description="… and at least this many times the usual's week-to-"
        "week spread above it (median absolute deviation): a venue that swings is judged by it",
    )
    capacity_share: float = Field(
        0.8,
        ge=0.1,
        le=2.0,
        description="Crowded when the last hour's check-ins, or the last "
        "15 minutes' times four, reach this share of the venue's declared capacity",
    )
    baseline_weeks: int = Field(
        4, ge=1, le=12, description="Weeks back whose same weekday and hour make a venue's usual"
    )
    min_weeks: int = Field(
        2,
        ge=1,
        le=12,
        description="Fewest of those weeks with the venue open that give a usual "
        "(fewer: no usual, only the capacity test applies)",
    )

    @model_validator(mode="after")
    def _enough_weeks(self) -> CrowdingRules:
        if self.min_weeks > self.baseline_weeks:
            raise ValueError(
                f"min_weeks ({self.min_weeks}) is more than baseline_weeks ({self.baseline_weeks})"
            )
        return self


class ClusterSettings(_Group):
    """The early warning's prospective space-time permutation scan (docs/early-warning.md,
    "Space-time clusters")."""

    window_days: int = Field(
        28, ge=7, le=365, description="Days of the scan's study window, ending on the day analysed"
    )
    max_days: int = Field(
        7, ge=1, le=28, description="Longest cluster, in days ending on the day analysed"
    )
    max_share: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Largest circle of wards, as a share of the window's declarations",
    )
    replicates: int = Field(
        999, ge=9, le=99_999, description="Monte-Carlo replicates behind the p-values"
    )
    seed: int = Field(2005, description="Seed of the replicates (same data and seed, same answer)")
    max_clusters: int = Field(
        10, ge=1, le=50, description="Clusters reported at most (the primary and secondaries)"
    )
    signal_p: float = Field(
        0.05,
        gt=0,
        le=1,
        description="The map and the wall list clusters with a p-value below this",
    )

    @field_validator("max_days")
    @classmethod
    def _shorter_than_the_window(cls, value: int, info: Any) -> int:
        window = info.data.get("window_days")
        if window is not None and value >= window:
            raise ValueError(f"must be shorter than clusters.window_days ({window})")
        return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KBYT_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
        validation_alias=AliasChoices("KBYT_DATABASE_URL", "DATABASE_URL", "database_url"),
        description="SQLAlchemy URL: sqlite:///path or postgresql://user:pw@host:port/db "
        "(postgres:// is read as postgresql://; postgresql+psycopg2:// too); also DATABASE_URL",
    )
    boundary_file: Path | None = Field(
        None,
        description="District polygons (GeoJSON, GeoPackage or Shapefile) with a district_code "
        "column; without it maps use Voronoi cells around the official ward centres and say so",
    )
    timezone: str = Field(
        CITY_ZONE.key, description="Zone in which times are shown (stored in UTC)"
    )
    retention_days: int = Field(
        28, ge=1, le=3650, description="Check-ins older than this are purged (README: Data at rest)"
    )
    public_base_url: str = Field(
        "http://localhost:8501", description="Base of the QR URLs printed on venue posters"
    )
    dwell_minutes: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_DWELL_MINUTES),
        description="Presence assumed after a check-in without check-out, per venue kind "
        "(1–1440 minutes; kinds not given keep their default)",
    )
    trace: TraceRules = Field(default_factory=TraceRules)
    risk: RiskRules = Field(default_factory=RiskRules)
    map: MapSettings = Field(default_factory=MapSettings)
    demo: DemoSettings = Field(default_factory=DemoSettings)
    public: PublicSettings = Field(default_factory=PublicSettings)
    sessions: SessionSettings = Field(default_factory=SessionSettings)
    hot_spots: HotSpotSettings = Field(default_factory=HotSpotSettings)
    crowding: CrowdingRules = Field(default_factory=CrowdingRules)
    clusters: ClusterSettings = Field(default_factory=ClusterSettings)
    secret_key: str = Field(
        "",
        description="Key for check-out codes; empty: generated once into data/secret.key "
        "(set it explicitly when several app servers share one database)",
    )
    sso_enabled: bool = Field(
        False,
        description="Offer the city's OpenID Connect sign-in (st.login; [auth] in secrets.toml)",
    )
    import_reports_keep_hours: int = Field(
        24,
        ge=1,
        le=24 * 28,
        description="Hours an import's error report (rejected rows as read, personal data) "
        "is kept under data/import-reports/ for download",
    )
    purge_on_start: bool = Field(
        False, description="Delete check-ins past the retention period when the app starts"
    )
    default_procedure: str = Field(
        "Mời người khai báo đeo khẩu trang, đưa đến khu vực cách ly tạm thời của đơn vị, "
        "báo ngay cho trạm y tế phường và không cho vào khu vực chung.",
        description="What staff do when a risky person arrives (a venue may set its own)",
    )
    wall_refresh_seconds: int = Field(
        60, ge=10, le=3600, description="How often the command-centre wall screen refreshes"
    )
    # The busiest F1+F2 trace of the 20-million-check-in benchmark (1.2 million F2) takes about
    # 16 s on two cores; 60 s lets it finish on a loaded server and still stops a runaway query
    # (years of dates, a whole-city export) before it holds a connection and a core for good.
    query_timeout_s: float = Field(
        60,
        ge=1,
        le=3600,
        description="Longest a dashboard query may run, in seconds, before it is stopped and "
        "the page says so (the command line, imports and the public form have no limit)",
    )
    small_count_threshold: int = Field(
        5,
        ge=1,
        le=100,
        description="Counts below this are shown as '<N' to the command centre and leadership",
    )

    @field_validator("database_url", mode="before")
    @classmethod
    def _common_postgres_scheme(cls, value: object) -> object:
        return normalise_database_url(value) if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg2://")):
            raise ValueError(
                "must start with sqlite:// or postgresql:// (postgres://, postgresql+psycopg2://)"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("boundary_file")
    @classmethod
    def _boundary_exists(cls, value: Path | None) -> Path | None:
        if value is None or str(value) == "":
            return None
        path = value if value.is_absolute() else (REPO_ROOT / value)
        if not path.is_file():
            raise ValueError(f"file not found: {path}")
        return path

    @field_validator("dwell_minutes")
    @classmethod
    def _dwell_per_known_kind(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(VENUE_KINDS))
        if unknown:
            raise ValueError(f"unknown venue kinds {unknown}; known: {list(VENUE_KINDS)}")
        bad = {kind: minutes for kind, minutes in value.items() if not 1 <= minutes <= 24 * 60}
        if bad:
            raise ValueError(f"dwell must be 1..1440 minutes, got {bad}")
        return {**DEFAULT_DWELL_MINUTES, **value}

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config_file = Path(os.environ.get("KBYT_CONFIG_FILE", DEFAULT_CONFIG_FILE))
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if config_file.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)


# KBYT_ variables that are not settings: the settings file's name, and the test suite's own.
NOT_SETTINGS = frozenset({"KBYT_CONFIG_FILE", "KBYT_TEST_POSTGRES_URL", "KBYT_SHARED_GEO_DIR"})


def setting_names() -> list[str]:
    """Every setting's dotted name, in declaration order ('trace.buffer_minutes')."""
    names: list[str] = []
    for name, field in Settings.model_fields.items():
        group = field.annotation
        if isinstance(group, type) and issubclass(group, BaseModel):
            names.extend(f"{name}.{inner}" for inner in group.model_fields)
        else:
            names.append(name)
    return names


def env_name(setting: str) -> str:
    """The environment variable of a dotted setting name: 'KBYT_TRACE__BUFFER_MINUTES'."""
    return "KBYT_" + "__".join(part.upper() for part in setting.split("."))


def _nearest(name: str, known: list[str], prefix: str = "") -> str:
    """'; did you mean X?' for the closest known name (compared without the prefix), or ''."""
    bare = {candidate.removeprefix(prefix): candidate for candidate in known}
    close = difflib.get_close_matches(name.removeprefix(prefix), list(bare), n=1, cutoff=0.75)
    return f"; did you mean {bare[close[0]]}?" if close else ""


def _unknown_environment(environ: dict[str, str]) -> list[str]:
    """A line per KBYT_ variable that names no setting (a misspelling would otherwise be
    ignored and the default silently used), with the nearest valid name."""
    settings = setting_names()
    known = {env_name(name) for name in settings}
    known |= {env_name(name.split(".")[0]) for name in settings}  # a group as JSON
    valid = sorted(known | NOT_SETTINGS)
    return [
        f"Unknown setting {variable}: no setting has this name"
        f"{_nearest(variable.upper(), valid, 'KBYT_')}"
        for variable in sorted(environ)
        if variable.upper().startswith("KBYT_") and variable.upper() not in known | NOT_SETTINGS
    ]


def _readable(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        parts = [str(part).lower().removeprefix("kbyt_") for part in problem["loc"]]
        name = ".".join(parts) or "settings"
        env_name = "KBYT_" + "__".join(part.upper() for part in parts)
        if problem["type"] == "extra_forbidden":  # a key of the settings file
            siblings = [n for n in setting_names() if n.count(".") == name.count(".")]
            siblings += [n.split(".")[0] for n in setting_names() if "." in n and "." not in name]
            lines.append(f"Unknown setting '{name}': no setting has this name"
                         f"{_nearest(name, sorted(set(siblings)))}")  # fmt: skip
            continue
        message = problem["msg"].removeprefix("Value error, ")
        given = problem.get("input")
        shown = "" if isinstance(given, dict) else f" (got {given!r})"
        lines.append(f"Invalid setting '{name}' ({env_name}): {message}{shown}")
    return "\n".join(lines)


def load_settings(**overrides: Any) -> Settings:
    """Read and validate settings; raise ConfigError with one readable line per problem."""
    config_file = os.environ.get("KBYT_CONFIG_FILE")
    if config_file and not Path(config_file).is_file():
        raise ConfigError(f"Invalid setting KBYT_CONFIG_FILE: file not found: {config_file}")
    unknown = _unknown_environment(dict(os.environ))
    if unknown:
        raise ConfigError("\n".join(unknown))
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise ConfigError(_readable(error)) from None
    except ValueError as error:  # a malformed TOML file or env JSON
        raise ConfigError(f"Invalid configuration: {error}") from None


def secret_key(settings: Settings) -> bytes:
    """The configured secret, or one generated on first use and kept in data/secret.key."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = DEFAULT_SQLITE_PATH.parent / "secret.key"
    if not path.is_file():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip().encode()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
