"""The load benchmark's report in Markdown: a row per flow against the goals, the rows-stored
check, where the CPU went, and the Streamlit session's price beside the form's."""

from __future__ import annotations

import os
from typing import Any

from bench.app_server import RATE_LIMITS
from bench.declare_data import SOURCE
from bench.load_summary import PERCENTILES

OLD_SESSION_CPU_S = 2.1
GOALS = {
    "postgresql": {"rate": 200.0, "p95_ms": 250.0},
    "sqlite": {"rate": 100.0},
}


def goal_text(engine_name: str, flow: dict[str, Any], rows_ok: bool) -> str:
    goal = GOALS[engine_name]
    errors = sum(flow["errors"].values())
    parts = [
        f"≥ {goal['rate']:,.0f}/s {'✓' if flow['declarations_per_s'] >= goal['rate'] else '✗'}"
    ]
    if "p95_ms" in goal:
        p95 = flow["latency_ms"]["p95"]
        parts.append(
            f"p95 < {goal['p95_ms']:,.0f} ms {'✓' if p95 and p95 < goal['p95_ms'] else '✗'}"
        )
        parts.append(f"0 errors {'✓' if errors == 0 else '✗'}")
        parts.append(f"rows = successes {'✓' if rows_ok else '✗'}")
    else:
        parts.append(f"0 'database is locked' {'✓' if flow['database_is_locked'] == 0 else '✗'}")
    return "; ".join(parts)


def _ms(values: dict[str, float | None]) -> str:
    return " / ".join("—" if values[k] is None else f"{values[k]:,.0f}" for k in PERCENTILES)


def markdown(result: dict[str, Any]) -> str:
    db = result["database"]
    lines = [
        f"{db['engine']}, {db['checkins_before']:,} check-ins before the run, "
        f"{db['venues']:,} active venues (chosen {db.get('venue_choice', 'uniform')}); "
        f"code {result['code']}; {result['machine']}; "
        f"{result['date']}; "
        f"load average {result['load_average_before']} before, "
        f"{result['load_average_after']} after",
        "",
        f"Server: `{result['server']['command']}` (one process, uvicorn); "
        + ", ".join(f"{k}={v}" for k, v in RATE_LIMITS.items())
        + f" (all load comes from 127.0.0.1); idle, the server used "
        f"{result['server']['idle_cpu_cores']:.3f} cores; {result['concurrency']} clients "
        f"(aiohttp, keep-alive), {result['seconds']} s measured after {result['warmup_s']} s "
        "warm-up.",
        "",
        "| flow | declarations/s | declaration ms (p50 / p95 / p99) | POST ms (p50 / p95 / p99) "
        "| ok | errors (whole run) | server CPU ms / decl | PostgreSQL CPU ms / decl "
        "| load generator CPU ms / decl | machine busy | goal |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows_ok = result["rows"]["stored"] == result["rows"]["successes"]
    for flow in result["flows"]:
        goal = goal_text(result["engine"], flow, rows_ok) if flow["flow"].startswith("GET") else ""
        pg = flow["postgresql_cpu_ms_per_declaration"] if result["engine"] == "postgresql" else "—"
        busy = flow["machine_busy_share"]
        lines.append(
            f"| {flow['flow']} | {flow['declarations_per_s']:,.1f} | {_ms(flow['latency_ms'])} | "
            f"{_ms(flow['post_latency_ms'])} | {flow['declarations']:,} | "
            f"{sum(flow['errors'].values()):,} | "
            f"{flow['server_cpu_ms_per_declaration']:,.2f} | {pg} | "
            f"{flow['load_generator_cpu_ms_per_declaration']:,.2f} | "
            f"{'—' if busy is None else f'{busy:.0%}'} | {goal} |"
        )
    st_result = result.get("streamlit")
    if st_result and "cpu_s_per_session" in st_result:
        lines.append(
            f"| Streamlit session at /sign_in ({st_result['sessions']} sessions, headless "
            "Chromium) | "
            f"{1 / st_result['cpu_s_per_session']:,.2f} sessions per server CPU-s | "
            f"session s: {' / '.join(f'{v:,.1f}' for v in st_result['session_seconds'].values())} "
            f"| | | | {st_result['cpu_s_per_session'] * 1000:,.0f} | | | | |"
        )
    lines.append("")
    rows = result["rows"]
    lines.append(
        f"Rows stored (check-ins with source '{SOURCE}', after − before): {rows['stored']:,}; "
        f"successes (warm-up and tail included): {rows['successes']:,} "
        f"{'✓' if rows_ok else '✗ MISMATCH'}"
    )
    for flow in result["flows"]:
        errors = flow["errors"]
        shown = ", ".join(f"{k}: {v:,}" for k, v in sorted(errors.items())) or "none"
        lines.append(
            f"{flow['flow']}: errors {shown}; bodies with 'database is locked': "
            f"{flow['database_is_locked']}, with 'Traceback': {flow['traceback_bodies']}; "
            f"CPU cores busy: server {flow['cores_busy']['server']}, PostgreSQL backends "
            f"{flow['cores_busy']['postgresql_backends']}, load generator "
            f"{flow['cores_busy']['load_generator']}, interrupts (loopback network) "
            f"{flow['cores_busy']['interrupts']}, other processes "
            f"{flow['cores_busy']['other_processes']} "
            f"(machine {flow['cores_busy']['machine']} of {os.cpu_count()})"
        )
        if flow.get("postgresql_sessions_opened") is not None:
            lines.append(
                f"  PostgreSQL sessions opened during the flow (warm-up included): "
                f"{flow['postgresql_sessions_opened']:,}; backends born in the window and seen: "
                f"{flow['postgresql_backends_born_in_window']:,}"
            )
        for kind, body in flow["error_bodies"].items():
            lines.append(f"  first {kind}: {body[:300]}")
    if st_result and "cpu_s_per_session" in st_result:
        form_rate = 1000 / result["flows"][0]["server_cpu_ms_per_declaration"]
        session_rate = 1 / st_result["cpu_s_per_session"]
        lines += [
            "",
            f"Streamlit session path ({st_result['first_session']['page']} at /sign_in): "
            f"{st_result['cpu_s_per_session']:.2f} CPU-s per session "
            f"(the old declaration needed one session and ~{OLD_SESSION_CPU_S} CPU-s); the first, "
            f"uncounted session took {st_result['first_session']['cpu_s']:.2f} CPU-s.",
            f"Form: {form_rate:,.0f} declarations per server CPU-second (GET + POST) against "
            f"{session_rate:,.2f} Streamlit sessions per server CPU-second: "
            f"{form_rate / session_rate:,.0f}× (the cost of one Streamlit session at /sign_in, "
            "not of the old kiosk page; the old QR flow needed one session per declaration).",
        ]
    elif st_result:
        lines += ["", f"Streamlit session path: {st_result.get('skipped') or st_result}"]
    if result["server"]["log_excerpt"]:
        lines += ["", "Server log lines that look like trouble:"]
        lines += [f"  {line}" for line in result["server"]["log_excerpt"]]
    return "\n".join(lines)
