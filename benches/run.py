#!/usr/bin/env python3
"""Benchmark: sitrep against Hugo on the same synthetic incidents.

    python3 benches/run.py [N ...]        (default: 10000)

For each N, writes the corpus (benches/generate.py) as a sitrep project and as
a Hugo site under /dev/shm (RAM: the shared disk here is too noisy to time),
then times cold full builds, output removed before each run (not timed), runs
alternating sitrep / Hugo, one warm-up, the median of RUNS (default 5). It
also times `cp -r` of sitrep's own output into a removed folder on the same
file system (what writing those files alone costs) and `sitrep check`, and
records every run's peak RSS with /usr/bin/time. Prints a Markdown table of
medians and ratios, and the search index's own time (made beside the pages,
from SITREP_TIMINGS) and size. Needs `hugo` (apt-get install hugo) and GNU time.
SKEWED=1 times the skewed corpus instead (`generate.py --skewed`);
SITREP_BIN=path times another build of sitrep (an A/B against the last commit).
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("SITREP_BIN", os.path.join(REPO, "target", "release", "sitrep"))
RUNS = int(os.environ.get("RUNS", "5"))
BASE = os.environ.get("BENCH_DIR", "/dev/shm/sitrep-bench")
SKEWED = os.environ.get("SKEWED") == "1"


def timed(cmd, cwd=None):
    """Runs cmd under GNU time; returns (seconds, peak RSS in MiB)."""
    with tempfile.NamedTemporaryFile(mode="r", suffix=".time") as t:
        subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", t.name, *cmd], cwd=cwd, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds, kib = t.read().split()[-2:]
        return float(seconds), int(kib) / 1024


def bench(n):
    root = os.path.join(BASE, f"{n}-skewed" if SKEWED else str(n))
    corpus, hugo = os.path.join(root, "sitrep"), os.path.join(root, "hugo")
    if not os.path.isdir(corpus):
        subprocess.run([sys.executable, os.path.join(REPO, "benches", "generate.py"), str(n), corpus, "--hugo", hugo]
                       + (["--skewed"] if SKEWED else []),
                       check=True)
    out, copy, public = os.path.join(root, "site"), os.path.join(root, "copy"), os.path.join(hugo, "public")
    results = {"sitrep": [], "hugo": [], "cp": [], "check": []}
    for run in range(RUNS + 1):
        shutil.rmtree(out, ignore_errors=True)
        s = timed([BIN, "build", "--root", corpus, "--out", out])
        shutil.rmtree(public, ignore_errors=True)
        h = timed(["hugo", "--quiet", "-s", hugo, "-d", public])
        shutil.rmtree(copy, ignore_errors=True)
        c = timed(["cp", "-r", out, copy])
        k = timed([BIN, "check", "--root", corpus])
        if run == 0:
            continue  # warm-up
        for key, value in (("sitrep", s), ("hugo", h), ("cp", c), ("check", k)):
            results[key].append(value)
    med = {k: (statistics.median(x for x, _ in v), max(m for _, m in v)) for k, v in results.items()}
    size = folder_size(out)
    files = sum(len(fs) for _, _, fs in os.walk(out))
    # The search index: made beside the pages, so its own time (printed by
    # SITREP_TIMINGS) is not added to the build's; its share of the site.
    index_ms = []
    for _ in range(3):
        shutil.rmtree(out, ignore_errors=True)
        run = subprocess.run([BIN, "build", "--root", corpus, "--out", out], env={**os.environ, "SITREP_TIMINGS": "1"},
                             check=True, capture_output=True, text=True)
        index_ms += [int(line.split()[-2]) for line in run.stderr.splitlines() if line.strip().startswith("search index:")]
    index = (statistics.median(index_ms) if index_ms else float("nan"), folder_size(os.path.join(out, "search")))
    return med, size, files, index


def folder_size(folder):
    """Bytes of the files under folder, in MiB."""
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs) / 2**20


def main():
    ns = [int(a) for a in sys.argv[1:]] or [10000]
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    machine = f"{os.cpu_count()} cores, {os.uname().machine}, output on {BASE}"
    print(f"Medians of {RUNS} cold runs after one warm-up; {machine}.\n")
    print("| N | sitrep build | Hugo | sitrep / Hugo | `cp -r` of sitrep's output | sitrep / cp | sitrep RSS | Hugo RSS | RSS ratio | `check` | output | search index |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    builds = []
    for n in ns:
        med, size, files, index = bench(n)
        s, h, c, k = med["sitrep"], med["hugo"], med["cp"], med["check"]
        builds.append((n, s))
        print(f"| {n:,} | {s[0]:.2f} s | {h[0]:.2f} s | {s[0] / h[0]:.2f} | {c[0]:.2f} s | {s[0] / c[0]:.2f} | "
              f"{s[1]:.0f} MiB | {h[1]:.0f} MiB | {s[1] / h[1]:.2f} | {k[0]:.2f} s ({k[1]:.0f} MiB) | "
              f"{files:,} files, {size:.0f} MiB | {index[0] / 1000:.2f} s beside the pages, "
              f"{index[1]:.1f} MiB ({100 * index[1] / size:.1f} % of the site) |", flush=True)
    # How sitrep grows from one size to the next (linear would be ×N/n).
    for (n, (t, m)), (n2, (t2, m2)) in zip(builds, builds[1:]):
        print(f"\nFrom {n:,} to {n2:,} incidents (×{n2 / n:g}): build time ×{t2 / t:.1f}, peak RSS ×{m2 / m:.1f}.")


if __name__ == "__main__":
    main()
