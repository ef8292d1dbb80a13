"""Why an import refuses a record: a code and the values its sentence needs.

Each code has one sentence in Vietnamese and one in English in the interface catalogue
(i18n/labels.py: ``import.reason.<code>``, and ``import.field.<column>`` for the column a
sentence names). The English sentence is the reason's one English text: the partner API's
answers, the command-line import and its error report give it, and they are a public contract
(docs/import-format.md, docs/api.md). It is made once, when the reason is (a reason is made
once per distinct bad value, not per row); the administration page shows the same reason in its
reader's language.
"""

from __future__ import annotations

from typing import NamedTuple

from i18n.labels import label


class Reason(NamedTuple):
    code: str  # import.reason.<code> in the catalogue
    values: dict[str, object]  # what its sentence names: field, value, limit, …
    english: str  # the sentence in English, as the API, the CLI and its error report give it

    def text(self, language: str) -> str:
        """The sentence in a language of the interface."""
        if language == "en":
            return self.english
        return reason_text(self.code, self.values, language)


def reason(code: str, **values: object) -> Reason:
    """The reason of that code with its values (a value named field is a column's name)."""
    return Reason(code, values, reason_text(code, values, "en"))


def reason_text(code: str, values: dict[str, object], language: str) -> str:
    """A reason's sentence from the catalogue; the column it names in that language too."""
    field = values.get("field")
    if field is not None:
        values = {**values, "field": label(f"import.field.{field}", language)}
    text = label(f"import.reason.{code}", language, **values)
    if language == "en":
        return text  # the API's text, in lower case as it always was
    return text[:1].upper() + text[1:]  # a sentence, even when it starts with the column


class Invalid(ValueError):
    """A value that cannot be imported: reason says why, and str() in English."""

    def __init__(self, code: str, **values: object) -> None:
        self.reason = reason(code, **values)
        super().__init__(self.reason.english)
