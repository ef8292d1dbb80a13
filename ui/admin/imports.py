"""Bulk import from other systems, from the admin page, with a progress bar and the rejected
rows (line and reason) on screen and as a download, both in the reader's language. The work is
ingest.imports'; this is its form. The downloadable report is kept private and for a while only
(ingest.error_reports); the page never shows where it is stored."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from config.settings import get_settings
from ingest.error_reports import delete_old_reports, new_report_file
from ingest.imports import import_checkins, import_venues
from ingest.report import ImportFileError, ImportInterrupted, ImportReport
from queries.audit import about, record
from rules.access import Scope
from rules.markdown import plain
from ui.formatting import headers, table_height
from ui.progress import on_bar
from ui.runtime import engine, language, maintenance_engine, t

MAX_UPLOAD_MB = 200


def imports_tab(scope: Scope) -> None:
    settings = get_settings()
    delete_old_reports(settings.import_reports_keep_hours)
    st.caption(t("admin.import.help"))
    kind = (
        st.segmented_control(
            t("admin.import.kind"),
            ("checkins", "venues"),
            default="checkins",
            format_func=lambda k: t(f"admin.import.kind.{k}"),
            key="import_kind",
        )
        or "checkins"
    )
    upload = st.file_uploader(
        t("admin.import.file"), type=["csv", "jsonl", "json", "txt"], key="import_file"
    )
    source = "import"
    if kind == "checkins":
        source = st.text_input(
            t("admin.import.source"), "import", max_chars=40, key="import_source"
        )
    if upload is None or not st.button(t("admin.import.run"), type="primary", key="import_run"):
        return
    bar = st.progress(0.0)
    errors_file = new_report_file()
    try:
        if kind == "checkins":
            report = import_checkins(
                maintenance_engine(),  # an import is not held to the dashboard's time limit
                upload,
                source=source.strip() or "import",
                error_report=errors_file,
                progress=on_bar(bar),
                max_bytes=MAX_UPLOAD_MB * 1024 * 1024,
                zone=settings.zone,
                high_risk_symptoms=settings.risk.high_risk_symptoms,
                error_language=language(),
            )
        else:
            report = import_venues(
                maintenance_engine(),  # an import is not held to the dashboard's time limit
                upload,
                error_report=errors_file,
                progress=on_bar(bar),
                max_bytes=MAX_UPLOAD_MB * 1024 * 1024,
                dwell_minutes=settings.dwell_minutes,
                error_language=language(),
            )
    except ImportFileError as error:
        errors_file.unlink(missing_ok=True)
        st.error(plain(error.text(language())))
        return
    except ImportInterrupted as error:
        st.error(t("admin.import.stopped", reason=plain(str(error))))
        report = error.report
    if not report.rejected:
        errors_file.unlink(missing_ok=True)
    # The log's summary without the report's place on disk: the page offers the file instead.
    summary = dataclasses.replace(report, error_report=None).summary()
    with engine().begin() as connection:
        record(
            connection,
            scope.username,
            "import",
            about(f"upload_{kind}", file=upload.name),
            row_count=report.imported,
            detail=summary,
        )
    bar.empty()
    st.success(plain(_summary(report)))
    if report.errors:
        st.markdown(f"**{t('admin.import.errors')}**")
        reader = language()
        st.dataframe(
            headers(
                pd.DataFrame(
                    [(e.line, e.reason_in(reader), e.raw) for e in report.errors],
                    columns=["line", "reason", "raw"],
                )
            ),
            hide_index=True,
            height=table_height(len(report.errors)),
        )
        if errors_file.is_file():
            st.download_button(
                t("admin.import.report"),
                errors_file.read_bytes(),
                f"{t('admin.import.report_file')}.csv",
                "text/csv",
                on_click="ignore",  # a rerun would clear the results it belongs to
                key="import_report",
            )


def _summary(report: ImportReport) -> str:
    """What the import did, in the reader's language (the audit log keeps report.summary())."""
    return t(
        f"admin.import.summary.{report.kind}",
        read=report.read,
        imported=report.imported,
        already_present=report.already_present,
        created=report.created,
        updated=report.updated,
        rejected=report.rejected,
    )
