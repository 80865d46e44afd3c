"""Report of `python -m loadtests compare`: report.md, a self-contained report.html (charts as
base64 PNGs) and the PNG charts, in the run's report folder.

Both documents are rendered from one list of blocks (headings, paragraphs, tables, lists,
images), so they always say the same thing.
"""

import argparse
import base64
import csv
import html
import math
import re
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from loadtests import ceilings

if TYPE_CHECKING:
    from loadtests.compare import Run

COLORS = {"flask": "#1f77b4", "fastapi": "#2ca02c"}
LINESTYLES = {"default": "-", "granian": "--"}
HATCHES = {"default": "", "granian": "//"}
SATURATED_CPU = 90.0  # server CPU % from which the one server CPU counts as the limit
KNEE = 0.8  # a sweep's knee: the fewest users reaching this share of the peak throughput
READER_P99_MS = 100.0
TAGS_SHARE = 0.8
ARTICLES_RATE = {"flask": 350.0, "fastapi": 1000.0}
LINKS_USERS = 50
LINKS_THINK_S = 0.3  # mean think time of a links user at --think-time 1 (0.1-0.5 s)
LINKS_RATIO = 5.0
LINKS_P99_LATENCIES = 3.0


# Blocks

_NUMERIC = re.compile(r"-|[-+\d.,]+ ?(%|x|ms|req/s)?")


@dataclass
class Block:
    kind: str  # "h1", "h2", "h3", "p", "table", "list", "image"
    text: str = ""
    header: list[str] | None = None
    rows: list[list[str]] | None = None
    items: list[str] | None = None
    path: Path | None = None


def _h(level: int, text: str) -> Block:
    return Block(f"h{level}", text)


def _p(text: str) -> Block:
    return Block("p", text)


def _table(header: list[str], rows: list[list[str]]) -> Block:
    return Block("table", header=header, rows=rows)


def _list(items: list[str]) -> Block:
    return Block("list", items=items)


def _markdown(blocks: list[Block]) -> str:
    lines: list[str] = []
    for block in blocks:
        if block.kind.startswith("h"):
            lines += ["#" * int(block.kind[1]) + " " + block.text, ""]
        elif block.kind == "p":
            lines += [block.text, ""]
        elif block.kind == "table" and block.header is not None and block.rows is not None:
            lines.append("| " + " | ".join(block.header) + " |")
            numeric = [_numeric([row[n] for row in block.rows]) for n in range(len(block.header))]
            lines.append("|" + "|".join("---:" if right else "---" for right in numeric) + "|")
            lines += ["| " + " | ".join(row) + " |" for row in block.rows]
            lines.append("")
        elif block.kind == "list" and block.items:
            lines += [f"- {item}" for item in block.items] + [""]
        elif block.kind == "image" and block.path is not None:
            lines += [f"![{block.path.stem}]({block.path.name})", ""]
    return "\n".join(lines)


def _numeric(cells: list[str]) -> bool:
    """A column to align right: numbers, with validity marks and blanks among them."""
    cells = [cell.strip("*()") for cell in cells]
    cells = [cell for cell in cells if cell not in ("", "valid", "INVALID")]
    return bool(cells) and all(_NUMERIC.fullmatch(cell) for cell in cells)


def _html(title: str, blocks: list[Block]) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:0.5em 0 1.5em}"
        "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
        "td:first-child,th:first-child{text-align:left}.bad{color:#b00;font-weight:bold}"
        "img{max-width:100%}</style></head><body>",
    ]
    for block in blocks:
        if block.kind.startswith("h"):
            parts.append(f"<{block.kind}>{html.escape(block.text)}</{block.kind}>")
        elif block.kind == "p":
            parts.append(f"<p>{_inline(block.text)}</p>")
        elif block.kind == "table" and block.header is not None and block.rows is not None:
            head = "".join(f"<th>{html.escape(cell)}</th>" for cell in block.header)
            body = "".join(
                "<tr>"
                + "".join(
                    f"<td{_cell_class(cell)}>{html.escape(cell.strip('*'))}</td>" for cell in row
                )
                + "</tr>"
                for row in block.rows
            )
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif block.kind == "list" and block.items:
            parts.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in block.items) + "</ul>")
        elif block.kind == "image" and block.path is not None:
            encoded = base64.b64encode(block.path.read_bytes()).decode()
            parts.append(
                f"<p><img alt='{block.path.stem}' src='data:image/png;base64,{encoded}'></p>"
            )
    parts.append("</body></html>")
    return "\n".join(parts)


def _inline(text: str) -> str:
    """Markdown's **bold** and `code`, escaped, for HTML."""
    escaped = html.escape(text)
    for mark, tag in (("**", "b"), ("`", "code")):
        pieces = escaped.split(mark)
        if len(pieces) % 2 == 1:
            escaped = "".join(
                piece if n % 2 == 0 else f"<{tag}>{piece}</{tag}>" for n, piece in enumerate(pieces)
            )
    return escaped


def _cell_class(cell: str) -> str:
    bad = cell in ("INVALID", "**INVALID**") or cell.startswith(("**NOT met", "NOT met"))
    return " class=bad" if bad else ""


# Numbers


def _fmt(value: float, digits: int = 1) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def _ratio(after: float, before: float) -> str:
    if math.isnan(after) or math.isnan(before) or before == 0:
        return "-"
    return f"{after / before:.2f}x"


def variants(arguments: argparse.Namespace) -> list[tuple[str, str]]:
    """(app, server) of each column: every app on each server of the Locust runs."""
    return [(app, server) for server in arguments.locust_servers for app in arguments.apps]


def _label(app: str, server: str) -> str:
    return app if server == "default" else f"{app} on {server}"


def _tried(runs: "list[Run]", app: str, server: str, scenario: str, users: int) -> "list[Run]":
    """Every run of one cell: several when Flask tried several configurations (links)."""
    return [
        run
        for run in runs
        if (run.app, run.server, run.scenario, run.users) == (app, server, scenario, users)
    ]


def _find(runs: "list[Run]", app: str, server: str, scenario: str, users: int) -> "Run | None":
    """The run of one cell; of several configurations, the best: valid first, then req/s."""
    tried = _tried(runs, app, server, scenario, users)
    return max(tried, key=lambda run: (run.valid, run.rate)) if tried else None


_METRICS = [
    ("requests/s", 1),
    ("p50 ms", 0),
    ("p95 ms", 0),
    ("p99 ms", 0),
    ("requests", 0),
    ("failures", 0),
    ("server CPU %", 0),
    ("server CPU ms per request", 2),
    ("server peak RSS MiB", 0),
    ("generator CPU %", 0),
]


def _metrics(run: "Run | None") -> list[float]:
    nan = float("nan")
    if run is None:
        return [nan] * len(_METRICS)
    per_request = run.server_cpu_seconds / run.requests * 1000 if run.requests else nan
    return [
        run.rate,
        run.p50,
        run.p95,
        run.p99,
        float(run.requests),
        float(run.failures),
        run.server_cpu_percent,
        per_request,
        run.server_peak_rss_mb,
        run.generator_cpu_percent,
    ]


def _ratio_columns(arguments: argparse.Namespace) -> list[tuple[str, int, int]]:
    """(title, numerator column, denominator column): the second app over the first, per
    server, when both apps ran."""
    if len(arguments.apps) != 2:
        return []
    columns = variants(arguments)
    first, second = arguments.apps
    result = []
    for server in arguments.locust_servers:
        suffix = "" if server == "default" else f" on {server}"
        result.append(
            (
                f"ratio {second}/{first}{suffix}",
                columns.index((second, server)),
                columns.index((first, server)),
            )
        )
    return result


def summary_tables(
    runs: "list[Run]", arguments: argparse.Namespace
) -> list[tuple[str, list[str], list[list[str]], list[str]]]:
    """Per scenario and user count: (title, header, rows, notes)."""
    columns = variants(arguments)
    ratios = _ratio_columns(arguments)
    tables = []
    for scenario in arguments.scenarios:
        for users in arguments.user_counts:
            found = [_find(runs, app, server, scenario, users) for app, server in columns]
            values = [_metrics(run) for run in found]
            header = ["metric", *(_label(*column) for column in columns)]
            header += [title for title, _, _ in ratios]
            quotable = [run is not None and run.valid for run in found]
            rows = []
            for index, (name, digits) in enumerate(_METRICS):
                row = [name]
                for value, ok in zip(values, quotable, strict=True):
                    cell = _fmt(value[index], digits)
                    row.append(cell if ok or cell == "-" else f"({cell})")
                row += [
                    _ratio(values[a][index], values[b][index])
                    if quotable[a] and quotable[b]
                    else "-"
                    for _, a, b in ratios
                ]
                rows.append(row)
            validity = ["valid" if run and run.valid else "INVALID" for run in found]
            rows.append(["valid", *validity, *([""] * len(ratios))])
            notes = []
            for app, server in columns:
                tried = _tried(runs, app, server, scenario, users)
                if len(tried) > 1:
                    notes.append(
                        f"{_label(app, server)}: best of {len(tried)} configurations, "
                        + ", ".join(
                            f"{run.config} {run.rate:.1f} req/s, p99 {_fmt(run.p99, 0)} ms"
                            + ("" if run.valid else " (INVALID)")
                            for run in tried
                        )
                    )
            for run in found:
                if run is None:
                    continue
                if run.problem:
                    notes.append(f"{run.variant}: {run.problem}")
                if run.generator_cpu_percent > 90:
                    notes.append(
                        f"{run.variant}: INVALID, the load generator used "
                        f"{run.generator_cpu_percent:.0f}% CPU (> 90%): it, not the server, may "
                        "be the limit (fewer users, or --locust-processes N where N spare CPUs "
                        "exist)"
                    )
                notes.extend(f"{run.variant} failure: {kind}" for kind in run.failure_kinds)
            tables.append((f"{scenario}, {users} users", header, rows, notes))
    return tables


# Sweeps


@dataclass
class Knee:
    """A sweep of one variant and scenario: the peak and the fewest users reaching 80 % of it."""

    peak: "Run"
    knee: "Run"
    failures: int
    invalid: int


def knee(runs: "list[Run]", app: str, server: str, scenario: str, counts: list[int]) -> Knee | None:
    """The sweep's peak and knee over its valid runs (None when it has none)."""
    points = [run for users in sorted(counts) if (run := _find(runs, app, server, scenario, users))]
    valid = [run for run in points if run.valid]
    if not valid:
        return None
    peak = max(valid, key=lambda run: run.rate)
    first = next(run for run in valid if run.rate >= KNEE * peak.rate)
    return Knee(peak, first, sum(run.failures for run in points), len(points) - len(valid))


def sweep_table(
    runs: "list[Run]", arguments: argparse.Namespace, scenario: str
) -> tuple[list[str], list[list[str]]]:
    header = [
        "app",
        "peak req/s",
        "at users",
        "users at 80% of peak",
        "req/s there",
        "p50 ms there",
        "p99 ms there",
        "server CPU % at peak",
        "failures (whole sweep)",
        "invalid runs",
    ]
    rows = []
    for app, server in variants(arguments):
        found = knee(runs, app, server, scenario, arguments.user_counts)
        if found is None:
            continue
        rows.append(
            [
                _label(app, server),
                _fmt(found.peak.rate),
                str(found.peak.users),
                str(found.knee.users),
                _fmt(found.knee.rate),
                _fmt(found.knee.p50, 0),
                _fmt(found.knee.p99, 0),
                _fmt(found.peak.server_cpu_percent, 0),
                str(found.failures),
                str(found.invalid),
            ]
        )
    return header, rows


# Targets (issue 5)


def _row(
    rows: list[ceilings.Row], app: str, kind: str, path: str, server: str = "default"
) -> ceilings.Row | None:
    for row in rows:
        target = row.target
        on_server = (target.server.name == "granian") == (server == "granian")
        if target.stack == app and target.app == kind and row.path == path and on_server:
            return row
    return None


def _verdict(met: bool, caveat: str = "") -> str:
    return ("met" if met else "**NOT met**") + (f" ({caveat})" if caveat else "")


def targets(
    runs: "list[Run]", rows: list[ceilings.Row], arguments: argparse.Namespace
) -> list[list[str]]:
    """[target, measured, verdict] for each target of issue 5 this run can speak to."""
    postgres = bool(arguments.database_url)
    on_sqlite = "" if postgres else "measured on SQLite; the target is for PostgreSQL"
    lines: list[list[str]] = []
    for app in arguments.apps:
        goal = ARTICLES_RATE[app]
        name = f"{app}: GET {ceilings.ARTICLES}, one worker, >= {goal:,.0f} req/s"
        row = _row(rows, app, "real", ceilings.ARTICLES)
        if row is None:
            lines.append([name, "not measured (needs the ceilings phase)", "-"])
            continue
        granian = _row(rows, app, "real", ceilings.ARTICLES, "granian")
        extra = f"; on granian {granian.result.rate:,.0f} req/s" if granian else ""
        lines.append(
            [
                name,
                f"{row.result.rate:,.0f} req/s, p99 {row.result.p99_ms:.0f} ms "
                f"({row.target.server.describe()}, wrk); server CPU "
                f"{row.server_cpu_percent:.0f}%, {row.cpu_ms_per_request:.2f} ms CPU per request"
                f"{extra}",
                _verdict(row.result.rate >= goal, on_sqlite),
            ]
        )
    for app in arguments.apps:
        for server in arguments.servers:
            real = _row(rows, app, "real", ceilings.TAGS, server)
            bare = _row(rows, app, "bare", ceilings.TAGS, server)
            raw = _row(rows, app, "raw", ceilings.TAGS, server)
            if real is None or bare is None:
                continue
            share = real.result.rate / bare.result.rate
            raw_share = (
                f", {real.result.rate / raw.result.rate:.0%} of {raw.target.label}" if raw else ""
            )
            lines.append(
                [
                    f"{app}: GET {ceilings.TAGS} >= {TAGS_SHARE:.0%} of bare "
                    f"{'Flask' if app == 'flask' else 'FastAPI'} ({real.target.server.describe()})",
                    f"{real.result.rate:,.0f} req/s = {share:.0%} of bare "
                    f"({bare.result.rate:,.0f}){raw_share} ({raw.result.rate:,.0f})"
                    if raw
                    else f"{real.result.rate:,.0f} req/s = {share:.0%} of bare",
                    _verdict(share >= TAGS_SHARE),
                ]
            )
    lines += _links_targets(runs, arguments)
    lines += _reader_targets(runs, arguments, on_sqlite)
    return lines


def _links_targets(runs: "list[Run]", arguments: argparse.Namespace) -> list[list[str]]:
    name = f"links, {LINKS_USERS} users: FastAPI >= {LINKS_RATIO:g}x Flask"
    flask = _find(runs, "flask", "default", "links", LINKS_USERS)
    fastapi = _find(runs, "fastapi", "default", "links", LINKS_USERS)
    if flask is None or fastapi is None:
        return [[name, f"not measured (needs --scenario links with {LINKS_USERS} users)", "-"]]
    latency = arguments.upstream_latency_ms
    invalid = "" if flask.valid and fastapi.valid else "a run is INVALID: not to be quoted"
    ratio = fastapi.rate / flask.rate if flask.rate else float("nan")
    from loadtests.compare import LINKS
    from loadtests.compare import link_concurrency

    concurrency = link_concurrency(arguments)
    configurations = len(_tried(runs, "flask", "default", "links", LINKS_USERS))
    # a closed loop with think time: each user sends at most one request per think + answer
    offered = LINKS_USERS / (LINKS_THINK_S * arguments.think_time + latency / 1000)
    # each answer holds LINKS upstream calls for about one upstream latency
    bulkhead_cap = concurrency / (LINKS * latency / 1000)
    return [
        [
            name,
            f"FastAPI {fastapi.rate:.1f} req/s (server CPU {fastapi.server_cpu_percent:.0f}%) vs "
            f"Flask {flask.rate:.1f} req/s ({flask.server_description}, server CPU "
            f"{flask.server_cpu_percent:.0f}%) = {ratio:.2f}x; the link-preview bulkhead "
            f"({concurrency} upstream calls in flight per process, {LINKS} links per answer, "
            f"{latency} ms each) caps each app near {bulkhead_cap:.0f} answers/s; "
            f"{LINKS_USERS} users thinking {LINKS_THINK_S * arguments.think_time:g} s on average "
            f"offer at most ~{offered:.0f} req/s"
            + (" (--think-time 0 removes that cap); " if arguments.think_time else "; ")
            + (
                f"Flask's best of {configurations} configurations"
                if configurations > 1
                else "Flask ran in one configuration (try others: --flask-links-threads 32,64,128)"
            ),
            _verdict(ratio >= LINKS_RATIO, invalid),
        ],
        [
            f"links, {LINKS_USERS} users: FastAPI p99 < {LINKS_P99_LATENCIES:g}x the upstream "
            f"latency ({latency} ms)",
            f"p99 {fastapi.p99:.0f} ms = {fastapi.p99 / latency:.1f}x the upstream latency "
            f"(Flask: {flask.p99:.0f} ms = {flask.p99 / latency:.1f}x)",
            _verdict(fastapi.p99 < LINKS_P99_LATENCIES * latency, invalid),
        ],
    ]


def _reader_targets(
    runs: "list[Run]", arguments: argparse.Namespace, on_sqlite: str
) -> list[list[str]]:
    lines = []
    for app in arguments.apps:
        name = (
            f"{app}: reader, no failures and p99 < {READER_P99_MS:.0f} ms at the users reaching "
            f"{KNEE:.0%} of peak throughput"
        )
        if "reader" not in arguments.scenarios:
            lines.append([name, "not measured (needs --scenario reader)", "-"])
            continue
        if len(arguments.user_counts) < 2:
            lines.append([name, "not measured (needs a sweep: --sweep 1,10,50,100)", "-"])
            continue
        found = knee(runs, app, "default", "reader", arguments.user_counts)
        if found is None:
            continue
        lines.append(
            [
                name,
                f"peak {found.peak.rate:.0f} req/s at {found.peak.users} users; "
                f"{found.knee.rate:.0f} req/s at {found.knee.users} users, p99 "
                f"{found.knee.p99:.0f} ms; {found.failures} failures",
                _verdict(
                    found.failures == 0 and found.knee.p99 < READER_P99_MS,
                    "; ".join(
                        part
                        for part in (
                            on_sqlite,
                            f"{found.invalid} INVALID run(s) left out" if found.invalid else "",
                            f"the sweep may not have saturated the server: peak at its largest "
                            f"user count with server CPU {found.peak.server_cpu_percent:.0f}%"
                            if found.peak.users == max(arguments.user_counts)
                            and found.peak.server_cpu_percent < SATURATED_CPU
                            else "",
                        )
                        if part
                    ),
                ),
            ]
        )
    return lines


# Charts


def _save(figure: Any, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def _bars(
    axes: Any, runs: "list[Run]", arguments: argparse.Namespace, groups: list[str], value: Any
) -> None:
    """Grouped bars: one group per entry of `groups`, one bar per variant."""
    columns = variants(arguments)
    width = 0.8 / len(columns)
    for index, (app, server) in enumerate(columns):
        values = [value(app, server, group) for group in groups]
        values = [0.0 if math.isnan(number) else number for number in values]
        positions = [n + index * width for n in range(len(groups))]
        bars = axes.bar(
            positions,
            values,
            width,
            label=_label(app, server),
            color=COLORS.get(app),
            hatch=HATCHES.get(server, ""),
            edgecolor="white",
        )
        axes.bar_label(bars, fmt="%.0f", fontsize=7)
    axes.set_xticks([n + width * (len(columns) - 1) / 2 for n in range(len(groups))], groups)
    axes.legend(fontsize=8)


def chart_throughput(runs: "list[Run]", arguments: argparse.Namespace, folder: Path) -> Path:
    users = max(arguments.user_counts)
    figure, axes = plt.subplots(figsize=(8, 4))

    def rate(app: str, server: str, scenario: str) -> float:
        run = _find(runs, app, server, scenario, users)
        return run.rate if run else float("nan")

    _bars(axes, runs, arguments, arguments.scenarios, rate)
    axes.set_ylabel("requests/s")
    axes.set_title(f"Throughput per scenario ({users} users)")
    return _save(figure, folder / "throughput.png")


def chart_latency(runs: "list[Run]", arguments: argparse.Namespace, folder: Path) -> Path:
    users = max(arguments.user_counts)
    count = len(arguments.scenarios)
    figure, all_axes = plt.subplots(1, count, figsize=(4.5 * count, 4), squeeze=False)
    for axes, scenario in zip(all_axes[0], arguments.scenarios, strict=True):

        def percentile(app: str, server: str, name: str, scenario: str = scenario) -> float:
            run = _find(runs, app, server, scenario, users)
            return float(getattr(run, name)) if run else float("nan")

        _bars(axes, runs, arguments, ["p50", "p95", "p99"], percentile)
        axes.set_title(scenario)
        axes.set_ylabel("ms")
    figure.suptitle(f"Latency percentiles ({users} users)")
    return _save(figure, folder / "latency.png")


def chart_ceilings(rows: list[ceilings.Row], folder: Path) -> Path:
    figure, axes = plt.subplots(figsize=(10, 4.5))
    labels = [
        f"{row.target.label}\n{row.path.removeprefix('/api/')}\n{row.target.server.name}"
        for row in rows
    ]
    colors = [COLORS.get(row.target.stack) for row in rows]
    hatches = ["//" if row.target.server.name == "granian" else "" for row in rows]
    bars = axes.bar(range(len(rows)), [row.result.rate for row in rows], color=colors)
    for bar, hatch in zip(bars, hatches, strict=True):
        bar.set_hatch(hatch)
        bar.set_edgecolor("white")
    axes.bar_label(bars, fmt="%.0f", fontsize=7)
    axes.set_yscale("log")
    axes.set_xticks(range(len(rows)), labels, fontsize=6)
    axes.set_ylabel("requests/s (log scale)")
    axes.set_title("Ceilings (wrk, one endpoint): floors, bare frameworks, real apps")
    return _save(figure, folder / "ceilings.png")


def _history(path: Path) -> list[tuple[float, float, float, float]]:
    """(unix time, current req/s, p50 ms, p95 ms) of the Aggregated rows."""
    if not path.exists():
        return []
    points = []
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("Name") != "Aggregated":
                continue
            try:
                values = [float(row[key]) for key in ("Timestamp", "Requests/s", "50%", "95%")]
            except (KeyError, ValueError):
                continue
            points.append((values[0], values[1], values[2], values[3]))
    return points


def chart_over_time(
    runs: "list[Run]", arguments: argparse.Namespace, scenario: str, folder: Path
) -> Path:
    users = max(arguments.user_counts)
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    for app, server in variants(arguments):
        run = _find(runs, app, server, scenario, users)
        if run is None:
            continue
        points = _history(folder / "csv" / f"{run.prefix}_stats_history.csv")
        if not points:
            continue
        start = points[0][0]
        seconds = [point[0] - start for point in points]
        color = COLORS.get(app)
        style = LINESTYLES.get(server, "-")
        label = _label(app, server)
        top.plot(seconds, [point[1] for point in points], style, label=label, color=color)
        # log scale: sign-up latencies in the warm-up dwarf the steady state; 0 = no data yet
        p50 = [p[2] or float("nan") for p in points]
        p95 = [p[3] or float("nan") for p in points]
        bottom.plot(seconds, p50, style, label=f"{label} p50", color=color)
        bottom.plot(seconds, p95, style, label=f"{label} p95", color=color, alpha=0.5)
        if run.warmup_done_at is not None:
            for axes in (top, bottom):
                axes.axvline(run.warmup_done_at - start, color=color, linestyle=":", alpha=0.6)
    top.set_ylabel("requests/s (current)")
    bottom.set_ylabel("latency ms (current, log scale)")
    bottom.set_yscale("log")
    bottom.set_xlabel("seconds since start (dotted line: end of warm-up)")
    top.legend(fontsize=8)
    bottom.legend(fontsize=7)
    top.set_title(f"{scenario}, {users} users, over time (Locust stats history)")
    return _save(figure, folder / f"over-time-{scenario}.png")


def chart_sweep(
    runs: "list[Run]", arguments: argparse.Namespace, scenario: str, folder: Path
) -> Path:
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for app, server in variants(arguments):
        points = [
            run
            for users in arguments.user_counts
            if (run := _find(runs, app, server, scenario, users))
        ]
        xs = [run.users for run in points]
        color = COLORS.get(app)
        style = LINESTYLES.get(server, "-")
        label = _label(app, server)
        left.plot(xs, [run.rate for run in points], "o" + style, label=label, color=color)
        right.plot(xs, [run.p50 for run in points], "o" + style, label=f"{label} p50", color=color)
        right.plot(
            xs, [run.p99 for run in points], "s" + style, label=f"{label} p99", color=color,
            alpha=0.5,
        )  # fmt: skip
        found = knee(runs, app, server, scenario, arguments.user_counts)
        if found is not None:
            left.plot([found.knee.users], [found.knee.rate], "*", markersize=14, color=color)
    left.set_xlabel("users (star: 80% of the peak)")
    left.set_ylabel("requests/s")
    right.set_xlabel("users")
    right.set_ylabel("latency ms")
    right.set_yscale("log")
    left.legend(fontsize=8)
    right.legend(fontsize=7)
    figure.suptitle(f"{scenario}: throughput and latency against users")
    return _save(figure, folder / f"sweep-{scenario}.png")


# The documents


def _key_values(values: dict[str, str]) -> Block:
    return _list([f"{key}: {value}" for key, value in values.items()])


def blocks(
    folder: Path,
    runs: "list[Run]",
    rows: list[ceilings.Row],
    arguments: argparse.Namespace,
    info: dict[str, str],
    machine: dict[str, str],
    versions: dict[str, str],
) -> list[Block]:
    from loadtests.compare import FLASK_SETTINGS_WHY

    apps = arguments.apps
    invalid = [run for run in runs if not run.valid]
    document = [
        _h(1, f"Load comparison: {' vs '.join(apps)}"),
        _p(
            f"Generated {datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S UTC')}; command "
            f"`{info.get('command', '')}`; commit {info.get('git commit', '?')}; database "
            f"{info.get('database', '?')}; {info.get('seeded data', '')}."
        ),
    ]
    if invalid:
        document.append(
            _p(
                f"**{len(invalid)} Locust run(s) INVALID** (generator above 90% CPU or no "
                "stats): "
                + ", ".join(f"{run.variant} {run.scenario} {run.users} users" for run in invalid)
            )
        )
    document += [
        _h(2, "Targets"),
        _p(
            "The targets of issue 5 this run measured, each with its figures. `NOT met` is "
            "reported, never hidden: the figures beside it (server CPU near 100% = the one "
            "server CPU is the limit; the link-preview bulkhead; the users' think time, which "
            "caps the load they offer; SQLite instead of PostgreSQL) "
            "say why."
        ),
        _table(["target", "measured", "verdict"], targets(runs, rows, arguments)),
    ]
    charts: list[Path] = []
    if rows:
        charts.append(chart_ceilings(rows, folder))
        document += [
            _h(2, "Ceilings (wrk, one endpoint at a time)"),
            _p(
                ceilings.explanation(
                    ceilings.WrkSettings(
                        arguments.ceiling_seconds,
                        arguments.ceiling_warmup,
                        arguments.ceiling_connections,
                    ),
                    "taskset" in info.get("CPU pinning", ""),
                )
                + " Same seeded database as the Locust runs, before them. raw = a minimal "
                "WSGI/ASGI callable answering the cached GET /api/tags body (the server's "
                "floor); bare = the framework with one view returning the same body; the "
                "difference between the raw rows of two servers is the server's cost, between "
                "raw and bare the framework's, between bare and the real app the app's."
            ),
            _table(ceilings.HEADER, ceilings.table_rows(rows)),
            Block("image", path=charts[-1]),
        ]
    document += [
        _h(2, "Locust runs"),
        _p(
            f"Ratio is {apps[-1]} divided by {apps[0]} on the same server (for requests/s above "
            "1 is better for the second app; for latency, CPU and memory below 1 is). "
            "Percentiles are Locust's over the measured part; server CPU % is the server process "
            "tree's user+system time over the measured part (100% = the one pinned CPU is "
            "busy); peak RSS is the largest sum of the tree's RSS sampled every 0.25 s; a run is "
            "INVALID when Locust itself used more than 90% of a CPU (it, not the server, may "
            "have been the limit): its figures are in brackets and must not be quoted, and no "
            "ratio is drawn from it."
        ),
    ]
    for title, header, table_rows, notes in summary_tables(runs, arguments):
        document += [_h(3, title), _table(header, table_rows)]
        if notes:
            document.append(_list(notes))
    if len(arguments.user_counts) > 1:
        document += [
            _h(2, "Sweeps"),
            _p(
                f"Per scenario and app: the peak throughput over the user counts, the fewest "
                f"users reaching {KNEE:.0%} of that peak (the knee: more users mostly add "
                "queueing), and the latency there; INVALID runs are left out of both. Each "
                "simulated user waits 0.1-0.5 s between requests (authors 0.2-1 s), so throughput "
                "grows with users "
                "until the server saturates: a peak at the largest user count with server CPU "
                "well below 100% means the sweep stopped short of it (add larger counts)."
            ),
        ]
        for scenario in arguments.scenarios:
            header, table_rows = sweep_table(runs, arguments, scenario)
            document += [_h(3, scenario), _table(header, table_rows)]
    charts_before = len(charts)
    charts += [chart_throughput(runs, arguments, folder), chart_latency(runs, arguments, folder)]
    charts += [chart_over_time(runs, arguments, name, folder) for name in arguments.scenarios]
    if len(arguments.user_counts) > 1:
        charts += [chart_sweep(runs, arguments, name, folder) for name in arguments.scenarios]
    document.append(_h(2, "Charts"))
    document += [Block("image", path=chart) for chart in charts[charts_before:]]
    document += [
        _h(2, "Server settings"),
        _p(FLASK_SETTINGS_WHY),
        _h(2, "Reproduction"),
        _key_values(info),
        _h(2, "Machine"),
        _key_values(machine),
        _h(2, "Package versions"),
        _key_values(versions),
        _h(2, "Files"),
        _list(
            [
                "csv/: Locust's `<app>[-<server>]-<scenario>-u<users>_stats.csv`, "
                "`_stats_history.csv` (full history, warm-up included), `_failures.csv`, "
                "`_exceptions.csv`",
                "logs/: server, Locust and stand-in logs",
                "*.png: the charts (embedded in report.html)",
            ]
        ),
    ]
    return document


def write(
    folder: Path,
    runs: "list[Run]",
    rows: list[ceilings.Row],
    arguments: argparse.Namespace,
    info: dict[str, str],
    machine: dict[str, str],
    versions: dict[str, str],
) -> Path:
    document = blocks(folder, runs, rows, arguments, info, machine, versions)
    (folder / "report.md").write_text(_markdown(document))
    (folder / "report.html").write_text(_html(document[0].text, document))
    return folder / "report.md"


def summary_markdown(
    runs: "list[Run]", rows: list[ceilings.Row], arguments: argparse.Namespace
) -> str:
    """The targets and, per scenario, the summary tables: what the terminal shows at the end."""
    document = [
        _h(3, "Targets"),
        _table(["target", "measured", "verdict"], targets(runs, rows, arguments)),
    ]
    if rows:
        document += [_h(3, "Ceilings"), _table(ceilings.HEADER, ceilings.table_rows(rows))]
    for title, header, table_rows, notes in summary_tables(runs, arguments):
        document += [_h(3, title), _table(header, table_rows)]
        if notes:
            document.append(_list(notes))
    return _markdown(document)
