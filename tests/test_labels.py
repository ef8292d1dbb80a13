"""Every interface text exists in Vietnamese and English, and every key the code asks for exists."""

import re

from i18n.labels import LABELS, label
from tests.conftest import REPO

LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_][a-z0-9_.:]*)["']""")


def test_every_label_has_both_languages():
    missing = [key for key, (vi, en) in LABELS.items() if not vi.strip() or not en.strip()]
    assert missing == []


def test_every_key_used_in_the_code_exists():
    used = set()
    for path in [*REPO.glob("app.py"), *REPO.glob("app_pages/*.py"), *REPO.glob("ui/**/*.py")]:
        used |= set(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    assert used, "the scan found the pages' keys"
    assert sorted(used - set(LABELS)) == []


def test_placeholders_agree_between_languages():
    fields = re.compile(r"\{(\w+)")
    differing = [
        key
        for key, (vi, en) in LABELS.items()
        if set(fields.findall(vi)) != set(fields.findall(en))
    ]
    assert differing == []


def test_a_missing_translation_falls_back_to_the_key_not_a_crash():
    assert label("no.such.key", "en") == "no.such.key"
    assert (
        label("page.overview", "en") == "Overview" and label("page.overview", "vi") == "Tổng quan"
    )
