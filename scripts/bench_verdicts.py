"""How often do the verdicts lie? Simulated districts with a known answer (issue 12) → docs/verdicts.md.

Usage: ``.venv/bin/python scripts/bench_verdicts.py [--worlds 200] [--jobs 2] [--out docs/verdicts.md]``
(``make bench`` runs it with the defaults; about ten minutes on two cores). Not a timed test.

Every world is the demo district — its 13 communes, their shared borders, populations and monthly
levels of incidents before the plan — simulated month by month for 36 months before the plan's start
and 12 after, with the differences between communes that real data has and the demo does not:

- each commune's own lasting trend, normal with SD ``SLOPE_SD`` per year (log scale);
- transient swings that last months (a monthly AR(1) on the log rate, ρ = ``AR_RHO``, SD ``AR_SD``), so
  a commune that was high last year tends to come back down (what regression to the mean feeds on);
- a common season (the demo's month-of-year profile, Tết included) and negative binomial monthly
  noise (dispersion ``DISPERSION``).

With these values two adjacent years of one commune differ by about 12% (SD of the log change,
beyond counting noise), the figure the audit of issue 12 measured as "ordinary".

Worlds come in kinds: targets chosen at random, or the three communes with the highest rate in
the 12 months before the start (how targets are usually picked); with no plan effect, or with a
true fall of 40% in every target from the start. Each is judged by the old rule (the RES interval
with counting noise only, baseline = the 12 months before the start) and the calibrated rule of
`geo.evaluation.calibration` with the baseline the plan's selection calls for: the 12 months before
the start when targets were not chosen on their counts, the 12 months before the selection year when
they were (the default) — and, to show why, also the 12 months before the start for the highest.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one thread per worker: the fits are small

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from verdicts_report import summary, write_markdown

from geo import settings
from geo.evaluation.calibration import BetweenUnits, infer
from geo.evaluation.effects import calibrated_verdict, relative_effect_size, verdict
from geo.evaluation.neighbours import neighbours
from geo.evaluation.panel import Design
from geo.io.layers import load_communes

SLOPE_SD = 0.085
AR_RHO = 0.85
AR_SD = 0.097
DISPERSION = 0.02
MONTHS_BEFORE = 36
MONTHS_AFTER = 12
FALL = 0.40
TARGETS = 3
SEED = 12
START = pd.Timestamp("2023-05-26")
BEFORE_START = Design((-12, 0), (0, 12))
BEFORE_SELECTION = Design((-24, -12), (0, 12))
SPAN_24 = Design((-24, 0), (0, 12))


def true_between(design: Design) -> BetweenUnits:
    """The between-unit variance of ``design``'s change that the worlds are built with (the ceiling)."""
    t = np.arange(design.before[0], design.after[1])
    w = np.where(t < design.before[1], -1 / (design.before[1] - design.before[0]), 0.0)
    w = np.where(t >= design.after[0], 1 / (design.after[1] - design.after[0]), w)
    years = t / 12
    slope = float(w @ years) ** 2 * SLOPE_SD**2
    swing = float(w @ (AR_RHO ** np.abs(t[:, None] - t[None, :])) @ w) * AR_SD**2
    return BetweenUnits(variance=slope + swing, df=10_000, windows=0)


@dataclass(frozen=True)
class District:
    """The demo district: codes, populations, neighbours, monthly levels and the season."""

    codes: tuple[str, ...]
    population: dict[str, float]
    adjacency: dict[str, tuple[str, ...]]
    level: np.ndarray
    season: np.ndarray


def demo_district() -> District:
    """Read the demo communes and the demo incidents' levels before the plan (2021-01 … 2023-04)."""
    communes = load_communes(settings.DEMO_COMMUNES_PATH)
    codes = tuple(communes["code"].astype(str))
    incidents = pd.read_csv(
        settings.DEMO_INCIDENTS_PATH, dtype={"commune_code": str}, parse_dates=["occurred_at"]
    )
    before = incidents[incidents["occurred_at"] < pd.Timestamp("2023-05-01")]
    months = before["occurred_at"].dt.to_period("M")
    per_month = before.assign(month=months).pivot_table(
        index="commune_code", columns="month", values="occurred_at", aggfunc="size", fill_value=0
    )
    level = per_month.reindex(list(codes)).mean(axis=1).to_numpy(dtype=float)
    profile = before.groupby(months.dt.month).size() / before.groupby(months.dt.month)["occurred_at"].agg(
        lambda s: s.dt.to_period("M").nunique()
    )
    profile = (profile / profile.mean()).reindex(range(1, 13)).to_numpy(dtype=float)
    calendar = [(START + pd.DateOffset(months=int(m))).month for m in range(-MONTHS_BEFORE, MONTHS_AFTER)]
    return District(
        codes=codes,
        population=dict(zip(codes, communes["population"].astype(float), strict=True)),
        adjacency=neighbours(communes),
        level=level,
        season=profile[np.array(calendar) - 1],
    )


def simulate(
    district: District, rng: np.random.Generator, *, highest: bool, fall: float
) -> tuple[pd.DataFrame, list[str]]:
    """Return one world's monthly counts (every commune × month) and its targets."""
    n, months = len(district.codes), MONTHS_BEFORE + MONTHS_AFTER
    t = np.arange(-MONTHS_BEFORE, MONTHS_AFTER)
    slope = rng.normal(0, SLOPE_SD, n)
    swing = np.empty((n, months))
    swing[:, 0] = rng.normal(0, AR_SD, n)
    innovation = AR_SD * np.sqrt(1 - AR_RHO**2)
    for k in range(1, months):
        swing[:, k] = AR_RHO * swing[:, k - 1] + rng.normal(0, innovation, n)
    log_rate = np.log(district.level)[:, None] + slope[:, None] * (t / 12) + swing
    mean = np.exp(log_rate) * district.season[None, :]
    if highest:
        last_year = (t >= -12) & (t < 0)
        people = np.array([district.population[c] for c in district.codes])
        # Chosen on last year's recorded counts per resident; the world's counts are drawn below, so
        # draw those months first with the same generator path as every other month.
        counts = rng.poisson(rng.gamma(1 / DISPERSION, DISPERSION * mean))
        rate = counts[:, last_year].sum(axis=1) / people
        chosen = np.argsort(-rate)[:TARGETS]
    else:
        chosen = rng.choice(n, size=TARGETS, replace=False)
    effect = np.ones((n, months))
    effect[np.ix_(chosen, t >= 0)] = 1 - fall
    if highest:
        # Same pre-plan months as the selection saw; after the start the effect applies.
        after = t >= 0
        counts[:, after] = rng.poisson(
            rng.gamma(1 / DISPERSION, DISPERSION * mean[:, after] * effect[:, after])
        )
    else:
        counts = rng.poisson(rng.gamma(1 / DISPERSION, DISPERSION * mean * effect))
    frame = pd.DataFrame(
        {
            "commune_code": np.repeat(district.codes, months),
            "month": np.tile(t, n),
            "days": 30.44,
            "count": counts.reshape(-1),
        }
    )
    return frame, [district.codes[i] for i in chosen]


def _areas(district: District, targets: list[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    others = [c for c in district.codes if c not in targets]
    buffers = {t: [c for c in others if c in district.adjacency[t]] for t in targets}
    controls = {t: [c for c in others if c not in buffers[t]] for t in targets}
    return buffers, controls


def old_verdicts(monthly: pd.DataFrame, targets: list[str], controls: dict[str, list[str]]) -> list[str]:
    """The rule before issue 12: the RES interval with counting noise only, 12 months before the start."""
    before = (
        monthly[(monthly["month"] >= -12) & (monthly["month"] < 0)].groupby("commune_code")["count"].sum()
    )
    after = monthly[(monthly["month"] >= 0) & (monthly["month"] < 12)].groupby("commune_code")["count"].sum()
    out = []
    for code in targets:
        target = (int(before[code]), int(after[code]))
        control = (int(before[controls[code]].sum()), int(after[controls[code]].sum()))
        out.append(verdict(relative_effect_size(target, control), total=sum(target)))
    return out


def new_verdicts(
    monthly: pd.DataFrame,
    *,
    targets: list[str],
    buffers: dict[str, list[str]],
    design: Design,
    population: dict[str, float],
    known: BetweenUnits | None = None,
) -> tuple[list[str], str, list[float], list[float]]:
    """The calibrated rule: per target, the targets together, each target's detectable fall and log ratio."""
    per_target, combined = infer(
        monthly, design, targets=targets, buffers=buffers, population=population, between=known
    )
    inside = monthly[(monthly["month"] >= design.before[0]) & (monthly["month"] < design.after[1])]
    totals = inside.groupby("commune_code")["count"].sum()
    keys, falls, logs = [], [], []
    for code in targets:
        e = per_target[code].effect
        logs.append(float(np.log(e.ratio)) if e else float("nan"))
        keys.append(
            calibrated_verdict(
                e.ratio if e else None,
                e.lo if e else None,
                e.hi if e else None,
                total=int(totals[code]),
                detectable_fall=e.detectable_fall if e else None,
            )[0]
        )
        falls.append(e.detectable_fall if e else float("nan"))
    e = combined.effect
    together = calibrated_verdict(
        e.ratio if e else None,
        e.lo if e else None,
        e.hi if e else None,
        total=int(totals[targets].sum()),
        detectable_fall=e.detectable_fall if e else None,
    )[0]
    return keys, together, falls, logs


KINDS = (
    ("random", False, 0.0, False),
    ("highest", True, 0.0, False),
    ("highest of similar communes", True, 0.0, True),
    ("random, 40% fall", False, FALL, False),
    ("highest, 40% fall", True, FALL, False),
    ("highest of similar communes, 40% fall", True, FALL, True),
)
"""(name, targets are the highest, true fall, every commune at the same level)."""


def one_world(job: tuple[int, int]) -> list[dict[str, object]]:
    """Simulate and judge world number ``job[1]`` of kind ``job[0]``."""
    kind, number = job
    name, highest, fall, similar = KINDS[kind]
    district = _WORKER["district"]
    if similar:
        district = replace(district, level=np.full(len(district.level), float(district.level.mean())))
    rng = np.random.default_rng([SEED, kind, number])
    monthly, targets = simulate(district, rng, highest=highest, fall=fall)
    buffers, controls = _areas(district, targets)
    rows: list[dict[str, object]] = [
        {"kind": name, "rule": "old", "targets": old_verdicts(monthly, targets, controls)}
    ]
    designs = [
        ("12 months before the start", BEFORE_START, None),
        ("24 months before the start", SPAN_24, None),
        ("12 months before the selection year", BEFORE_SELECTION, None),
        (
            "12 months before the start, between-commune variance known",
            BEFORE_START,
            true_between(BEFORE_START),
        ),
    ]
    for label, design, known in designs:
        keys, together, falls, logs = new_verdicts(
            monthly,
            targets=targets,
            buffers=buffers,
            design=design,
            population=district.population,
            known=known,
        )
        rows.append(
            {
                "kind": name,
                "rule": f"calibrated, baseline {label}",
                "targets": keys,
                "together": together,
                "falls": falls,
                "logs": logs,
            }
        )
    return rows


_WORKER: dict[str, District] = {}


def _init(district: District) -> None:
    _WORKER["district"] = district


def run(worlds: int, jobs: int) -> tuple[pd.DataFrame, float]:
    """Run every kind ``worlds`` times; return one row per (world, rule) and the seconds taken."""
    district = demo_district()
    started = time.perf_counter()
    tasks = [(kind, number) for kind in range(len(KINDS)) for number in range(worlds)]
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(district,)) as pool:
        rows = [row for result in pool.map(one_world, tasks, chunksize=8) for row in result]
    return pd.DataFrame(rows), time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=settings.ROOT / "docs" / "verdicts.md")
    args = parser.parse_args(argv)
    results, seconds = run(args.worlds, args.jobs)
    table = summary(results)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string(index=False))
    print(f"{seconds:.0f} s")
    write_markdown(table, worlds=args.worlds, seconds=seconds, fall=FALL, path=args.out)


if __name__ == "__main__":
    main()
