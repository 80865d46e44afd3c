"""Report of `python -m loadtests compare`: report.md, a self-contained report.html (charts as
base64 PNGs) and the PNG charts, in the run's report folder."""

import argparse
import base64
import csv
import html
import math
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

if TYPE_CHECKING:
    from loadtests.compare import Run

COLORS = {"flask": "#1f77b4", "fastapi": "#2ca02c"}


def _fmt(value: float, digits: int = 1) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _ratio(after: float, before: float) -> str:
    if math.isnan(after) or math.isnan(before) or before == 0:
        return "-"
    return f"{after / before:.2f}x"


def _find(runs: "list[Run]", app: str, scenario: str, users: int) -> "Run | None":
    for run in runs:
        if (run.app, run.scenario, run.users) == (app, scenario, users):
            return run
    return None


def _metrics(run: "Run | None") -> list[tuple[str, float, int]]:
    """(name, value, digits); NaN when the run is missing."""
    nan = float("nan")
    if run is None:
        return [(name, nan, 0) for name, _ in _METRIC_NAMES]
    per_thousand = run.server_cpu_seconds / run.requests * 1000 if run.requests else nan
    values = {
        "requests/s": (run.rate, 1),
        "p50 ms": (run.p50, 0),
        "p95 ms": (run.p95, 0),
        "p99 ms": (run.p99, 0),
        "requests": (float(run.requests), 0),
        "failures": (float(run.failures), 0),
        "server CPU s": (run.server_cpu_seconds, 1),
        "server CPU s per 1000 requests": (per_thousand, 2),
        "server peak RSS MiB": (run.server_peak_rss_mb, 0),
        "generator CPU %": (run.generator_cpu_percent, 0),
    }
    return [(name, *values[name]) for name, _ in _METRIC_NAMES]


_METRIC_NAMES = [
    ("requests/s", "higher is better"),
    ("p50 ms", ""),
    ("p95 ms", ""),
    ("p99 ms", ""),
    ("requests", ""),
    ("failures", ""),
    ("server CPU s", ""),
    ("server CPU s per 1000 requests", ""),
    ("server peak RSS MiB", ""),
    ("generator CPU %", ""),
]


def summary_tables(
    runs: "list[Run]", arguments: argparse.Namespace
) -> list[tuple[str, list[str], list[list[str]], list[str]]]:
    """Per scenario and user count: (title, header, rows, notes)."""
    apps = arguments.apps
    tables = []
    for scenario in arguments.scenarios:
        for users in arguments.user_counts:
            found = [_find(runs, app, scenario, users) for app in apps]
            metrics = [_metrics(run) for run in found]
            header = ["metric", *apps]
            if len(apps) == 2:
                header.append(f"ratio {apps[1]}/{apps[0]}")
            rows = []
            for index, (name, _hint) in enumerate(_METRIC_NAMES):
                cells = [_fmt(metric[index][1], metric[index][2]) for metric in metrics]
                row = [name, *cells]
                if len(apps) == 2:
                    row.append(_ratio(metrics[1][index][1], metrics[0][index][1]))
                rows.append(row)
            validity = ["valid" if run and run.valid else "INVALID" for run in found]
            rows.append(["valid", *validity, *([""] if len(apps) == 2 else [])])
            notes = []
            for run in found:
                if run is None:
                    continue
                if run.problem:
                    notes.append(f"{run.app}: {run.problem}")
                if run.generator_cpu_percent > 90:
                    notes.append(
                        f"{run.app}: INVALID, the load generator used "
                        f"{run.generator_cpu_percent:.0f}% CPU (> 90%): it, not the server, may "
                        "be the limit"
                    )
                notes.extend(f"{run.app} failure: {kind}" for kind in run.failure_kinds)
            tables.append((f"{scenario}, {users} users", header, rows, notes))
    return tables


def _markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def summary_markdown(runs: "list[Run]", arguments: argparse.Namespace) -> str:
    lines: list[str] = []
    for title, header, rows, notes in summary_tables(runs, arguments):
        lines += [f"### {title}", "", *_markdown_table(header, rows), ""]
        lines += [f"- {note}" for note in notes]
        if notes:
            lines.append("")
    return "\n".join(lines)


# Charts


def _save(figure: Any, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def chart_throughput(runs: "list[Run]", arguments: argparse.Namespace, folder: Path) -> Path:
    users = max(arguments.user_counts)
    figure, axes = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(arguments.apps)
    for index, app in enumerate(arguments.apps):
        values = []
        for scenario in arguments.scenarios:
            run = _find(runs, app, scenario, users)
            values.append(run.rate if run else 0.0)
        positions = [n + index * width for n in range(len(arguments.scenarios))]
        bars = axes.bar(positions, values, width, label=app, color=COLORS.get(app))
        axes.bar_label(bars, fmt="%.0f", fontsize=8)
    axes.set_xticks(
        [n + width * (len(arguments.apps) - 1) / 2 for n in range(len(arguments.scenarios))],
        arguments.scenarios,
    )
    axes.set_ylabel("requests/s")
    axes.set_title(f"Throughput per scenario ({users} users)")
    axes.legend()
    return _save(figure, folder / "throughput.png")


def chart_latency(runs: "list[Run]", arguments: argparse.Namespace, folder: Path) -> Path:
    users = max(arguments.user_counts)
    count = len(arguments.scenarios)
    figure, all_axes = plt.subplots(1, count, figsize=(4 * count, 4), squeeze=False)
    percentiles = ("p50", "p95", "p99")
    width = 0.8 / len(arguments.apps)
    for axes, scenario in zip(all_axes[0], arguments.scenarios, strict=True):
        for index, app in enumerate(arguments.apps):
            run = _find(runs, app, scenario, users)
            values = [getattr(run, name) if run else 0.0 for name in percentiles]
            values = [0.0 if math.isnan(value) else value for value in values]
            positions = [n + index * width for n in range(len(percentiles))]
            axes.bar(positions, values, width, label=app, color=COLORS.get(app))
        axes.set_xticks(
            [n + width * (len(arguments.apps) - 1) / 2 for n in range(len(percentiles))],
            percentiles,
        )
        axes.set_title(scenario)
        axes.set_ylabel("ms")
        axes.legend(fontsize=8)
    figure.suptitle(f"Latency percentiles ({users} users)")
    return _save(figure, folder / "latency.png")


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
    for app in arguments.apps:
        run = _find(runs, app, scenario, users)
        if run is None:
            continue
        points = _history(folder / "csv" / f"{run.prefix}_stats_history.csv")
        if not points:
            continue
        start = points[0][0]
        seconds = [point[0] - start for point in points]
        color = COLORS.get(app)
        top.plot(seconds, [point[1] for point in points], label=app, color=color)
        bottom.plot(seconds, [point[2] for point in points], label=f"{app} p50", color=color)
        bottom.plot(seconds, [point[3] for point in points], "--", label=f"{app} p95", color=color)
        if run.warmup_done_at is not None:
            for axes in (top, bottom):
                axes.axvline(run.warmup_done_at - start, color=color, linestyle=":", alpha=0.6)
    top.set_ylabel("requests/s (current)")
    bottom.set_ylabel("latency ms (current)")
    bottom.set_xlabel("seconds since start (dotted line: end of warm-up)")
    top.legend(fontsize=8)
    bottom.legend(fontsize=8)
    top.set_title(f"{scenario}, {users} users, over time (Locust stats history)")
    return _save(figure, folder / f"over-time-{scenario}.png")


def chart_sweep(
    runs: "list[Run]", arguments: argparse.Namespace, scenario: str, folder: Path
) -> Path:
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for app in arguments.apps:
        points = [
            (users, run)
            for users in arguments.user_counts
            if (run := _find(runs, app, scenario, users)) is not None
        ]
        xs = [users for users, _ in points]
        color = COLORS.get(app)
        left.plot(xs, [run.rate for _, run in points], "o-", label=app, color=color)
        right.plot(xs, [run.p95 for _, run in points], "o-", label=f"{app} p95", color=color)
    left.set_xlabel("users")
    left.set_ylabel("requests/s")
    right.set_xlabel("users")
    right.set_ylabel("p95 ms")
    left.legend()
    right.legend()
    figure.suptitle(f"{scenario}: throughput and p95 against users")
    return _save(figure, folder / f"sweep-{scenario}.png")


# Documents


def _key_values(title: str, values: dict[str, str]) -> list[str]:
    return [f"## {title}", "", *(f"- {key}: {value}" for key, value in values.items()), ""]


def write(
    folder: Path,
    runs: "list[Run]",
    arguments: argparse.Namespace,
    info: dict[str, str],
    machine: dict[str, str],
    versions: dict[str, str],
) -> Path:
    charts = [chart_throughput(runs, arguments, folder), chart_latency(runs, arguments, folder)]
    charts += [chart_over_time(runs, arguments, name, folder) for name in arguments.scenarios]
    if len(arguments.user_counts) > 1:
        charts += [chart_sweep(runs, arguments, name, folder) for name in arguments.scenarios]
    invalid = [run for run in runs if not run.valid]
    title = f"Load comparison: {' vs '.join(arguments.apps)}"
    lines = [
        f"# {title}",
        "",
        f"Generated {datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S UTC')}. Ratio is "
        f"{arguments.apps[-1]} divided by {arguments.apps[0]} (for requests/s above 1 is better "
        "for the second app; for latency, CPU and memory below 1 is). Percentiles are Locust's "
        "over the measured part; server CPU is the server process tree's user+system time over "
        "the measured part; peak RSS is the largest sum of the tree's RSS sampled every 0.25 s; "
        "a run is INVALID when Locust itself used more than 90% of a CPU.",
        "",
    ]
    if invalid:
        lines += [
            f"**{len(invalid)} run(s) INVALID:** "
            + ", ".join(f"{run.app} {run.scenario} {run.users} users" for run in invalid),
            "",
        ]
    lines += ["## Summary", "", summary_markdown(runs, arguments)]
    lines += ["## Charts", ""]
    lines += [f"![{chart.stem}]({chart.name})" for chart in charts]
    lines += [""]
    lines += _key_values("Reproduction", info)
    lines += _key_values("Machine", machine)
    lines += _key_values("Package versions", versions)
    lines += [
        "## Files",
        "",
        "- csv/: Locust's `<app>-<scenario>-u<users>_stats.csv`, `_stats_history.csv` (full "
        "history, warm-up included), `_failures.csv`, `_exceptions.csv`",
        "- logs/: server, Locust and stand-in logs",
        "",
    ]
    markdown = "\n".join(lines)
    (folder / "report.md").write_text(markdown)
    (folder / "report.html").write_text(
        _html(title, runs, arguments, info, machine, versions, charts, invalid)
    )
    return folder / "report.md"


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class={'bad' if cell == 'INVALID' else ''}>{html.escape(cell)}</td>"
            for cell in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html(
    title: str,
    runs: "list[Run]",
    arguments: argparse.Namespace,
    info: dict[str, str],
    machine: dict[str, str],
    versions: dict[str, str],
    charts: list[Path],
    invalid: "list[Run]",
) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:0.5em 0 1.5em}"
        "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
        "td:first-child,th:first-child{text-align:left}.bad{color:#b00;font-weight:bold}"
        "img{max-width:100%}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>Ratio is {html.escape(arguments.apps[-1])} divided by "
        f"{html.escape(arguments.apps[0])}. A run is INVALID when Locust used more than 90% of "
        "a CPU.</p>",
    ]
    if invalid:
        names = ", ".join(f"{run.app} {run.scenario} {run.users} users" for run in invalid)
        parts.append(f"<p class=bad>{len(invalid)} run(s) INVALID: {html.escape(names)}</p>")
    parts.append("<h2>Summary</h2>")
    for table_title, header, rows, notes in summary_tables(runs, arguments):
        parts.append(f"<h3>{html.escape(table_title)}</h3>")
        parts.append(_html_table(header, rows))
        if notes:
            parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>")
    parts.append("<h2>Charts</h2>")
    for chart in charts:
        encoded = base64.b64encode(chart.read_bytes()).decode()
        parts.append(f"<p><img alt='{chart.stem}' src='data:image/png;base64,{encoded}'></p>")
    for section, values in (
        ("Reproduction", info),
        ("Machine", machine),
        ("Package versions", versions),
    ):
        parts.append(f"<h2>{section}</h2>")
        parts.append(_html_table(["item", "value"], [[k, v] for k, v in values.items()]))
    parts.append("</body></html>")
    return "\n".join(parts)
