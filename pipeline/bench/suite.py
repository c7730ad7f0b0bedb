"""`nox -s bench`: servers, pipeline and image measured side by side in one run.

Usage: python -m pipeline.bench [--only servers,pipeline,image] [--seconds N] [--rounds N]
       [--servers KEY,...] [--image REF] [--strict]
Prints Markdown tables and the targets, writes results.json, results.md and bench.png to
docs/bench/ (full runs, which also rewrite docs/benchmarks.md's block) or build/bench/
(--only runs).
Targets are reported, not enforced, unless --strict: these machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.bench import image, nox_runs, servers
from pipeline.container import images
from pipeline.core import cmd, probes
from pipeline.core.paths import BENCH_DIR, BENCH_PARTIAL_DIR, ROOT
from pipeline.core.service import ServerNotReady
from pipeline.core.report import table

OUT = BENCH_DIR
PARTIAL_OUT = BENCH_PARTIAL_DIR
README = ROOT / "docs" / "benchmarks.md"  # its block shows the latest full run
README_BLOCK = re.compile(r"(<!-- bench:start -->\n).*?(<!-- bench:end -->)", re.DOTALL)
ALL_SECTIONS = {"servers", "pipeline", "image"}
PROFILE = "service-profile.svg"  # py-spy's flame graph of the service under the work request


SAME_WORK_RATIO = 1.1  # the service against the strongest peer doing the same work
BARE_FLASK_RATIO = 0.85  # the service against a bare Flask route behind the same edge
P99_MS = 10
WARM_NOX_S = 30
COLD_NOX_S = 90


def server_targets(rows: list[dict[str, Any]]) -> list[tuple[str, str, bool]]:
    """The service's targets, each against a peer measured in the same run."""
    by_key = {row["key"]: row for row in rows}
    ours = by_key.get(servers.SERVICE)
    if ours is None:
        return []
    rps = ours["requests_per_s"]
    checks = []
    peers = [row for row in rows if row["same_work"] and row["key"] != servers.SERVICE]
    if peers:
        strongest = max(peers, key=lambda row: row["requests_per_s"])
        ratio = rps / strongest["requests_per_s"]
        checks.append((f"service >= {SAME_WORK_RATIO}x the strongest same-work peer "
                       f"({strongest['server']})", f"{ratio:.2f}x", ratio >= SAME_WORK_RATIO))
    flask = by_key.get(servers.FLASK_SAME_SERVER)
    if flask:
        ratio = rps / flask["requests_per_s"]
        checks.append((f"service >= {BARE_FLASK_RATIO}x a bare Flask route on the same server",
                       f"{ratio:.2f}x", ratio >= BARE_FLASK_RATIO))
    checks += [
        (f"service p99 <= {P99_MS} ms", f"{ours['p99_ms']:.2f} ms", ours["p99_ms"] <= P99_MS),
        ("zero errors (every server)", str(sum(row["errors"] for row in rows)),
         all(row["errors"] == 0 for row in rows)),
    ]
    return checks


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for every target the issues set."""
    checks: list[tuple[str, str, bool]] = server_targets(results.get("servers", []))
    pipe = results.get("pipeline")
    if pipe:
        checks += [
            (f"warm plain nox <= {WARM_NOX_S} s", f"{pipe['warm_s']:.1f} s",
             pipe["warm_s"] <= WARM_NOX_S),
            (f"cold plain nox (fresh clone, empty caches) <= {COLD_NOX_S} s",
             f"{pipe['cold_s']:.1f} s", pipe["cold_s"] <= COLD_NOX_S),
        ]
    image = results.get("image")
    if image:
        checks += [
            ("image adds <= 30 MB to its base", f"{image['added_mb']:.1f} MB",
             image["added_mb"] <= 30),
            ("code-only rebuild <= 5 s", f"{image['rebuild_s']:.2f} s", image["rebuild_s"] <= 5),
            # What an owner runs: nox, SBOM, wheels, reproducible build, hand-over to Docker;
            # the plain BuildKit rebuild above is the same change's reference in this run.
            ("`nox -s docker_build` after a code-only change <= 5 s",
             f"{image.get('docker_build_s', float('nan')):.2f} s",
             image.get("docker_build_s", float("inf")) <= 5),
            ("/healthz within 2 s of docker run", f"{image['time_to_healthy_s']:.2f} s",
             image["time_to_healthy_s"] <= 2),
            ("10 s load inside --memory 128m: 0 errors, no OOM",
             f"{image['load_errors']} errors, peak {image['peak_memory_mb']:.0f} MB",
             image["load_errors"] == 0 and not image["oom_killed"]
             and image["running_after_load"]),
        ]
    return checks


def render(results: dict[str, Any]) -> str:
    """All tables as Markdown."""
    parts = []
    if results.get("servers"):
        parts.append(table(
            [f"server ({results.get('work', 'the work request')}, {servers.CONNECTIONS} "
             "connections, median round)",
             "what it does", "requests/s", "rounds", "p50 ms", "p99 ms", "errors"],
            [(r["server"], r["does"], round(r["requests_per_s"]),
              " / ".join(str(n) for n in r["rounds_rps"]), round(r["p50_ms"], 2),
              round(r["p99_ms"], 2), r["errors"]) for r in results["servers"]]))
    if results.get("pipeline"):
        pipe = results["pipeline"]
        parts.append(table([f"plain nox ({pipe['cores']:.0f} cores)", "wall s", "CPU s"],
                           _pipeline_rows(pipe)))
    parts.append(table(["target", "measured", "met"],
                       [(name, value, "yes" if met else "NO")
                        for name, value, met in targets(results)]))
    return "\n\n".join(parts) + "\n"


def _pipeline_rows(pipe: dict[str, Any]) -> list[tuple[str, float, float]]:
    rows = [
        ("cold: fresh clone, no environments, empty caches", round(pipe["cold_s"], 1),
         round(pipe["cold_cpu_s"], 1)),
        ("warm: the next run (median of " + " / ".join(
            str(n) for n in pipe.get("warm_rounds", [])) + " s)", round(pipe["warm_s"], 1),
         round(pipe["warm_cpu_s"], 1)),
        ("the tools alone, one after another", round(pipe["tools_s"], 1),
         round(pipe["tools_cpu_s"], 1)),
    ]
    if "reference" in pipe:  # the tree before the change, timed in turns with this one
        rows += [
            (f"before ({pipe['reference']}): cold", round(pipe["ref_cold_s"], 1),
             round(pipe["ref_cold_cpu_s"], 1)),
            (f"before ({pipe['reference']}): warm (median of " + " / ".join(
                str(n) for n in pipe["ref_warm_rounds"]) + " s)", round(pipe["ref_warm_s"], 1),
             round(pipe["ref_warm_cpu_s"], 1)),
        ]
    return rows


def _throughput_axis(axis: Any, rows: list[dict[str, Any]], work: str) -> None:
    names = [row["server"].replace(", ", "\n", 1) for row in rows]
    rects = axis.barh(names, [row["requests_per_s"] for row in rows], color="#4c72b0")
    for rect, row in zip(rects, rows):
        axis.text(rect.get_width(), rect.get_y() + rect.get_height() / 2,
                  f" {row['requests_per_s']:.0f}/s, p99 {row['p99_ms']:.1f} ms", va="center")
    axis.invert_yaxis()
    axis.set_xscale("log")  # the raw WSGI floor is an order of magnitude above the rest
    axis.set_xlabel(
        f"requests per second, log scale (2 cores, {servers.CONNECTIONS} connections)")
    axis.set_title(work)
    axis.set_xlim(100, max((row["requests_per_s"] for row in rows), default=1) * 20)


def _pipeline_axis(axis: Any, pipe: dict[str, float]) -> None:  # Axes: matplotlib loads lazily
    labels = ["cold nox", "warm nox", "tools alone"]
    positions = range(len(labels))
    walls = [pipe["cold_s"], pipe["warm_s"], pipe["tools_s"]]
    cpus = [pipe["cold_cpu_s"], pipe["warm_cpu_s"], pipe["tools_cpu_s"]]
    axis.bar([x - 0.2 for x in positions], walls, width=0.4, color="#55a868", label="wall")
    axis.bar([x + 0.2 for x in positions], cpus, width=0.4, color="#8172b2", label="CPU")
    axis.set_xticks(list(positions), labels)
    axis.axhline(WARM_NOX_S, color="#c44e52", linestyle="--", linewidth=1,
                 label=f"warm target {WARM_NOX_S} s")
    axis.legend()
    axis.set_ylabel("seconds")
    axis.set_title(f"plain nox on {pipe['cores']:.0f} cores")
    axis.tick_params(axis="x", rotation=20)


def chart(results: dict[str, Any], path: Path) -> None:
    """Draw throughput per server and the pipeline timings as one PNG."""
    import matplotlib  # pylint: disable=import-outside-toplevel  # heavy: only charts need it

    matplotlib.use("Agg")
    from matplotlib import pyplot  # pylint: disable=import-outside-toplevel

    pipe = results.get("pipeline")
    figure, axes = pyplot.subplots(1, 2 if pipe else 1, figsize=(13 if pipe else 8, 4.5),
                                   squeeze=False)
    _throughput_axis(axes[0][0], results.get("servers", []), results.get("work", ""))
    if pipe:
        _pipeline_axis(axes[0][1], pipe)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def update_readme(report: str) -> None:
    """Replace the README's benchmark block, so it always shows the latest full run."""
    text = README.read_text(encoding="utf-8")
    block = f"{report}\n![benchmark chart](bench/bench.png)\n\n"
    README.write_text(README_BLOCK.sub(lambda m: m.group(1) + block + m.group(2), text),
                      encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Measure the chosen sections and write the reports."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="servers,pipeline,image")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per server")
    parser.add_argument("--servers", help="measure only these contenders (keys, comma-separated)")
    parser.add_argument("--image", default=f"{images.image_name()}:latest")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--reference", help="a git commit whose plain nox is timed beside")
    parser.add_argument("--report-only", action="store_true",
                        help="re-render docs/bench/ from results.json without measuring")
    args = parser.parse_args(argv)
    sections = set(args.only.split(","))
    results: dict[str, Any] = {}
    if args.report_only:
        results = json.loads((OUT / "results.json").read_text(encoding="utf-8"))
        sections = set(results)
    missing = image.missing_inputs() if "image" in sections and not args.report_only else []
    if missing:  # checked first, so a long run never ends on it
        print(f"bench: the image section needs {' and '.join(missing)}: run "
              "`nox -s docker_build` first, or leave it out with `-- --only servers,pipeline`",
              file=sys.stderr)
        return 2
    out = OUT if sections >= ALL_SECTIONS else PARTIAL_OUT
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        workdir = Path(scratch)
        measures: dict[str, Callable[[], Any]] = {
            "servers": lambda: servers.measure(
                args.seconds, args.rounds, workdir,
                args.servers.split(",") if args.servers else None,
                profile_to=out / PROFILE),
            "pipeline": lambda: nox_runs.measure(workdir, args.reference),
            "image": lambda: image.measure(workdir, args.image),
        }
        for name, measure in measures.items():
            if name in sections and not args.report_only:
                try:  # on a failure, the figures so far are in results.json
                    results[name] = measure()
                except (cmd.CommandFailed, ServerNotReady) as failure:
                    print(f"bench: the {name} section failed: {failure}", file=sys.stderr)
                    return 1
                if name == "servers":
                    results["work"] = str(probes.load().work)
                # Saved as it goes: a failure in a later section keeps the earlier figures.
                (out / "results.json").write_text(json.dumps(results, indent=2) + "\n",
                                                  encoding="utf-8")
    report = render(results)
    print(report)
    (out / "results.md").write_text(report, encoding="utf-8")
    if results.get("servers"):
        chart(results, out / "bench.png")
    if out == OUT:
        update_readme(report)
    missed = [name for name, _, met in targets(results) if not met]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
