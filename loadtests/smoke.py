"""Load smoke test: the whole `make load` runner at toy scale, then a check of its report.

    make load-smoke
    uv run python -m loadtests.smoke [--apps flask,fastapi] [--scenarios mixed,reader,author,links]
                                     [--seconds 3] [--users 20]

It runs `python -m loadtests compare` (loadtests/compare.py) with a small seed (50 users, 300
articles), every scenario for `--seconds` after a 1 s warm-up with `--users` Locust users (20, so
that `mixed`'s 80/15/5 weights give every class one), and a 1 s ceilings phase on gunicorn,
uvicorn and granian; the report goes to loadtests/reports/smoke-<timestamp>/.

It exits 1 only when a request failed (a Locust failure, a non-2xx answer to wrk), a run produced
no stats, or the report is broken: report.md without its sections, report.html that does not
parse or lacks its tables and embedded charts, a missing chart or CSV. Timings never fail it.
"""

import argparse
import base64
import sys
import time
from datetime import UTC
from datetime import datetime
from html.parser import HTMLParser

from loadtests import bench_links
from loadtests import compare
from loadtests import compare_report

SCENARIOS = compare.SCENARIOS


def say(message: str) -> None:
    print(f"load-smoke: {message}", flush=True)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m loadtests.smoke", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--apps", default="flask,fastapi")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--seconds", type=float, default=3, help="measured seconds per scenario")
    parser.add_argument("--users", type=int, default=20, help="Locust users per scenario")
    parser.add_argument("--time-limit", type=float, default=600)
    return parser.parse_args(argv)


class _Document(HTMLParser):
    """Counts what report.html must hold; raises on markup it cannot read."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")


def report_problems(outcome: compare.Outcome) -> list[str]:
    """What is wrong with the report of `outcome` (nothing, when it is whole)."""
    folder = outcome.report.parent
    arguments = outcome.arguments
    problems = []
    markdown = outcome.report.read_text() if outcome.report.exists() else ""
    sections = ["## Targets", "## Locust runs", "## Charts", "## Reproduction"]
    sections += ["## Ceilings"] if arguments.servers else []
    sections += [f"### {scenario}, " for scenario in arguments.scenarios]
    problems += [f"report.md lacks {section!r}" for section in sections if section not in markdown]
    tables = markdown.count("\n|---")
    images = [line for line in markdown.splitlines() if line.startswith("![")]
    html_path = folder / "report.html"
    document = _Document()
    try:
        document.feed(html_path.read_text())
        document.close()
    except (OSError, ValueError) as error:
        problems.append(f"report.html unreadable: {error!r}")
    if document.tags.get("table", 0) != tables:
        problems.append(f"report.html has {document.tags.get('table', 0)} tables, .md {tables}")
    if len(document.images) != len(images):
        problems.append(f"report.html has {len(document.images)} charts, .md {len(images)}")
    for source in document.images:
        encoded = source.removeprefix("data:image/png;base64,")
        if encoded == source or not base64.b64decode(encoded).startswith(b"\x89PNG"):
            problems.append("report.html has a chart that is not an embedded PNG")
    for line in images:
        name = line.split("(", 1)[1].rstrip(")")
        if not (folder / name).is_file() or (folder / name).stat().st_size == 0:
            problems.append(f"chart {name} missing or empty")
    for run in outcome.runs:
        if not (folder / "csv" / f"{run.prefix}_stats.csv").is_file():
            problems.append(f"csv/{run.prefix}_stats.csv missing")
    return problems


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    started = time.monotonic()
    outcome = compare.execute(
        [
            f"--apps={arguments.apps}",
            f"--scenario={arguments.scenarios}",
            f"--duration={arguments.seconds:g}",
            "--warmup=1",
            f"--users-count={arguments.users}",
            "--users=50",
            "--articles=300",
            "--comments=1000",
            "--tags=20",
            "--ceiling-seconds=1",
            "--ceiling-warmup=1",
            "--servers=default,granian",
            "--upstream-latency-ms=20",
            f"--time-limit={arguments.time_limit:g}",
            f"--output={bench_links.REPORTS / f'smoke-{stamp}'}",
        ]
    )
    print()
    print(compare_report.summary_markdown(outcome.runs, outcome.rows, outcome.arguments))
    failures = [
        f"{run.variant} {run.scenario}: "
        + (run.problem or f"{run.failures} failures ({'; '.join(run.failure_kinds[:3])})")
        for run in outcome.runs
        if run.failures or run.problem
    ]
    failures += [
        f"wrk {row.target.label} ({row.target.server.describe()}) GET {row.path}: "
        f"{row.result.non_2xx} non-2xx, {row.result.socket_errors} connect errors or timeouts"
        for row in outcome.rows
        if row.result.non_2xx or row.result.socket_errors
    ]
    problems = report_problems(outcome)
    elapsed = time.monotonic() - started
    for line in failures + problems:
        say(f"  {line}")
    if failures or problems:
        say(
            f"FAILED ({elapsed:.0f} s): {len(failures)} request failure(s), "
            f"{len(problems)} report problem(s); report in {outcome.report.parent}"
        )
        return 1
    say(
        f"passed ({elapsed:.0f} s): {len(outcome.runs)} Locust runs and {len(outcome.rows)} wrk "
        f"rows without request failures; report whole in {outcome.report.parent}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
