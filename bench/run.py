"""`make bench`: every measurement, printed as one Markdown report and kept in bench/last-report.md.

    python -m bench.run [--quick] [--only sizes,http,scale,deployed,exports,places,crosstabs,rounds,reports]
                        [--no-postgres]

`--quick` shrinks everything (2k responses, 3 s of load) to check that the
bench itself works; its report is printed but not kept. PostgreSQL is reached
at BENCH_PG_URL (default: the database `bench` on 127.0.0.1, created when
missing and wiped on every run).
"""
import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import costs, crosstabs, deployed, exports, journeys, load, places, reports, scale, sizes
from bench import rounds as series_bench  # `rounds` is the HTTP section's number of rounds in measure()
from bench.report import busiest_processes, load_average, machine, seconds, table

REPORT = Path(__file__).resolve().parent / "last-report.md"
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench")
SECTIONS = ("sizes", "http", "scale", "deployed", "exports", "places", "crosstabs", "rounds", "reports")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv=None) -> None:
    args = parse_args(argv)
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="bypuls-bench-"))
    header = [f"# Bypuls bench{' (quick run: not comparable)' if args.quick else ''}", "",
              table(["", ""], machine() + [["Load average at start", load_average()],
                                            ["Busiest programs at start", busiest_processes()]]), ""]
    found = {}
    try:
        found = measure(args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    footer = [f"Load average at the end: {load_average()}. The bench took {seconds(time.monotonic() - started)}.",
              ""]
    text = "\n".join(header + [summary(found), *found.get("sections", [])] + footer)
    print(text)
    if not args.quick and set(args.only) == set(SECTIONS):
        REPORT.write_text(text, encoding="utf-8")
        log(f"Written to {REPORT.relative_to(Path.cwd()) if REPORT.is_relative_to(Path.cwd()) else REPORT}")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the bench itself")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help="comma-separated: sizes, http, scale, deployed, exports, places, crosstabs, rounds, "
                             "reports")
    parser.add_argument("--no-postgres", action="store_true",
                        help="SQLite only (results at scale, place results and HTTP)")
    args = parser.parse_args(argv)
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    if unknown := set(args.only) - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    return args


def measure(args, folder: Path) -> dict:
    """Cheap and load-sensitive measurements first: the bulk loads of `scale` leave the disk busy."""
    found = {}
    url = load.seed_demo_database(folder) if {"sizes", "http"} & set(args.only) else None
    if "sizes" in args.only:
        log("Page weight…")
        found["pages"] = sizes.measure_pages(url)
    if "http" in args.only:
        duration = 3 if args.quick else 10
        rounds = 1 if args.quick else load.ROUNDS
        databases = [("SQLite", url)] + ([] if args.no_postgres else [("PostgreSQL", PG_URL)])
        log(f"HTTP throughput (about {len(databases) * rounds * (8 * (duration + load.WARM_UP + 2) + 10)} s)…")
        found["http"] = [load.run_http(folder, url if name == "SQLite" else load.seed_demo_database(folder, url),
                                       duration, log, rounds, name) for name, url in databases]
        found["duration"] = duration
        log("Request costs in-process…")
        screen = load.first_screen(url)
        found["costs"] = (costs.request_costs(url, screen), costs.commit_costs(folder), costs.password_check_ms(),
                          screen.questions)
    if "deployed" in args.only:
        found["deployed_duration"] = 3 if args.quick else 15
        log("Submissions through nginx and two app servers…")
        found["deployed"] = deployed.run_deployed(folder, PG_URL, found["deployed_duration"], log)
    if "scale" in args.only:
        levels = (1_000, 2_000) if args.quick else scale.LEVELS
        found["scale"] = [scale.run_database("SQLite", f"sqlite:///{folder}/results.sqlite3", levels, log)]
        if not args.no_postgres:
            scale.ensure_postgres_database(PG_URL)
            found["scale"].append(scale.run_database("PostgreSQL", PG_URL, levels, log))
    if "exports" in args.only:
        found["exports"] = exports.exports_section(folder, log, responses=2_000 if args.quick else exports.RESPONSES)
    if "places" in args.only:
        points = 2_000 if args.quick else places.POINTS
        log(f"Place question results, {points:,} points…")
        found["places"] = [places.run_database("SQLite", f"sqlite:///{folder}/places.sqlite3", log, points)]
        if not args.no_postgres:
            found["places"].append(places.run_database("PostgreSQL", PG_URL, log, points))
    if "crosstabs" in args.only:
        answers = 20_000 if args.quick else crosstabs.ANSWERS
        log(f"Cross-tabs, {answers:,} answer rows…")
        found["crosstabs"] = [crosstabs.run_database("SQLite", f"sqlite:///{folder}/crosstabs.sqlite3", log, answers)]
        if not args.no_postgres:
            found["crosstabs"].append(crosstabs.run_database("PostgreSQL", PG_URL, log, answers))
    if "rounds" in args.only:
        answers = 20_000 if args.quick else series_bench.ANSWERS
        log(f"Three rounds compared, {answers:,} answer rows…")
        found["rounds"] = [series_bench.run_database("SQLite", f"sqlite:///{folder}/rounds.sqlite3", log, answers)]
        if not args.no_postgres:
            found["rounds"].append(series_bench.run_database("PostgreSQL", PG_URL, log, answers))
    if "reports" in args.only:
        responses = 2_000 if args.quick else reports.RESPONSES
        log(f"Chart images and a board pack's PDF, {responses:,} responses…")
        found["reports"] = reports.run(folder, log, responses)
    found["sections"] = [part for part in (
        scale.section(found["scale"]) if "scale" in found else None,
        "\n".join(load.section(run, found["duration"]) for run in found["http"]) + "\n"
        + costs.section(*found["costs"]) if "http" in found else None,
        sizes.section(found["pages"]) if "pages" in found else None,
        deployed.section(found["deployed"], found["deployed_duration"]) if "deployed" in found else None,
        found.get("exports"),
        places.section(found["places"]) if "places" in found else None,
        crosstabs.section(found["crosstabs"]) if "crosstabs" in found else None,
        series_bench.section(found["rounds"]) if "rounds" in found else None,
        reports.section(found["reports"]) if "reports" in found else None,
    ) if part]
    return found


def summary(found: dict) -> str:
    """The targets, each with what was measured, before the details."""
    rows = []
    for run in found.get("scale", []):
        worst = max(run.steps[-1].best, run.filtered_best)
        rows.append([f"`summarise` under 1 s at {run.steps[-1].answers:,} answer rows, {run.name} "
                     "(slower of unfiltered and filtered)", seconds(worst), mark(worst < 1)])
    for run in found.get("places", []):
        worst = max(run.results.values())
        rows.append([f"Place question results of {run.points:,} points under {places.TARGET:g} s, {run.name} "
                     "(slowest filter)", seconds(worst), mark(worst < places.TARGET)])
    for run in found.get("crosstabs", []):
        rows.append([f"A cross-tab at {run.answers:,} answer rows under {crosstabs.TARGET:g} s, {run.name} "
                     "(slowest case)", seconds(crosstabs.worst(run)), mark(crosstabs.worst(run) < crosstabs.TARGET)])
    for run in found.get("rounds", []):
        rows.append([f"A three-round comparison at {run.answers:,} answer rows under {series_bench.TARGET:g} s, "
                     f"{run.name}", seconds(run.best), mark(run.best < series_bench.TARGET)])
    if "reports" in found:
        rows += reports.targets(found["reports"])
    for result in found.get("http", []):
        rows += load.targets(result)
    if "deployed" in found:
        run = found["deployed"]
        rows.append(["Submissions/s and p99 through nginx (HTTPS) to two app servers, next to one app server "
                     "directly (no target)",
                     f"{run.through_nginx.rps:,.0f}/s, p99 {seconds(run.through_nginx.p99)} vs "
                     f"{run.direct.rps:,.0f}/s, p99 {seconds(run.direct.p99)}", "–"])
        rows += [[f"Completed 8-screen responses/s through nginx {load.WAYS[j.mode]} (no target)",
                  journeys.rate_of(j), "–"] for j in run.journey_runs]
    for page in found.get("pages", []):
        if page.label.startswith("Public") and page.status == "ok":
            total = page.total("gzip")
            rows.append(["Public survey page + CSS + JS, gzip -9, at most 14 KiB", f"{total:,} B",
                         mark(total <= sizes.TARGET)])
        elif page.status == "ok":
            rows.append([f"{page.label} + its CSS and scripts, gzip -9 (no target)", f"{page.total('gzip'):,} B",
                         "–"])
        else:
            rows.append([page.label, page.status, "–"])
    return "## Targets\n\n" + table(["Target", "Measured", ""], rows) + "\n"


def mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


if __name__ == "__main__":
    main()
