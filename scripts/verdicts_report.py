"""The report of scripts/bench_verdicts.py: the simulated worlds' verdicts summed up, and docs/verdicts.md written.

`summary` counts, per kind of world and rule, how often a target gets a clear verdict (with no plan
effect: how often the verdict lies; with a true fall: the power); `write_markdown` writes the two
tables with `NOTES`, which say what the worlds are, what each rule does and how to read the figures.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

NOTES = r"""
## The worlds

The demo district: its 13 communes, their shared borders and populations, and each commune's monthly
level of incidents before the plan (the four busiest about 21–26 a month, the others about 11), 36
months before the start and 12 after. On top of a common season (the demo's month-of-year profile,
Tết included) and negative binomial monthly noise (dispersion 0.02), every commune gets the
differences real data has and the demo does not: a lasting trend of its own (normal, SD 8.5% a year)
and swings that last months (AR(1) on the monthly log rate, ρ = 0.85, SD 9.7%). Two adjacent years of
one commune then differ by about 12% beyond counting noise — the figure the audit of issue 12 called
ordinary. *Highest*: the three communes with the highest rate per resident in the 12 months before the
start are the targets (how targets are usually picked); *similar communes* is a stress test where
every commune has the same level, so that the choice is made by chance swings alone and regression to
the mean is as strong as it gets. *40% fall*: every target's rate is multiplied by 0.6 from the start.

## The rules

- **old**: the rule before issue 12 — the RES interval with counting noise only (Var ln RES = 1/T₀ +
  1/T₁ + 1/C₀ + 1/C₁), the 12 months before the start as baseline, at least 20 incidents.
- **calibrated** (`geo.evaluation.calibration`, what the dashboard now does): a negative binomial
  model of every commune × month with commune and month effects, the population offset, an effect per
  target and a buffer effect per target; its interval widened by the between-commune variance the area
  itself shows (REML over the non-target communes' before→after changes, in the real comparison and in
  placebo comparisons before the plan), each commune weighted by its influence on the estimate, with
  Student's t on the residual degrees of freedom. *Chuyển biến tích cực* / *Diễn biến phức tạp hơn* when that interval excludes 1;
  *Chưa đủ dữ liệu* when fewer than 20 incidents or when the smallest fall the comparison could detect
  (80% power, 5% level) exceeds 50%. The baseline is the 12 months before the start unless the plan
  says the targets were chosen because their counts were high; then it spans 24 months
  (`SELECTED_BASELINE_MONTHS`).
- **variance known**: the calibrated rule given the true between-commune variance of these worlds —
  the ceiling of what any method could do with these data.

The worlds are judged by the same functions as the dashboard, at the level of monthly counts (the
incident rows are left out: only their counts matter to the verdict); randomisation inference is
not part of the verdict and is not simulated.

## Reading the figures

- **False clear verdicts.** The old rule calls a quarter of the targets improving or worsening in
  worlds where nothing happened (and at least one of the three in more than half the worlds): its
  interval knows only counting noise. The calibrated rule holds 5–6% per target and 5–8% for the
  three together in both kinds of the demo-like district.
- **Regression to the mean** is small in the demo-like district: its busy communes are busy year in,
  year out, so choosing the highest picks them rather than the lucky ones. Where communes are alike
  (the stress test) the choice is made by luck and the 12-month baseline calls 15% of the targets
  improving; a 24-month baseline cuts that to about 10%, a baseline before the selection year to about
  7%, at a steep price in power (about a third of true 40% falls found, half the verdicts *Chưa đủ dữ
  liệu*, because a two-year gap lets the communes' own trends drift apart). The dashboard uses the
  24-month baseline when the plan records that the targets were chosen on their counts, says so on
  the overview, and shows the same comparison one year earlier (the pre-trend) beside each verdict.
  An adjustment for each commune's baseline level (regression of the change on the baseline rate) was
  tried and rejected: right for alike communes, badly wrong in the demo-like district (mean ratio 1.34
  with no effect, 15% false *Diễn biến phức tạp hơn*), where a high baseline is structure, not luck.
- **Power.** A true 40% fall in one commune is found in about 65–80% of worlds, not the 80% hoped
  for: most communes here record 130–300 incidents a year, and a 12% ordinary spread between communes
  is as large as the counting noise. Even knowing the spread exactly (the ceiling row) finds it only
  76–86% of the time, so no interval that keeps its 5% promise can do much better with these data. For
  the three targets together a 40% fall is found in over 90% of worlds. The smallest detectable fall
  is printed on every card so that a *Chưa rõ chuyển biến* is read as "too small to tell from ordinary variation",
  not as "no change".
- Why not cluster-robust errors or the wild cluster bootstrap: with one treated commune per target
  they are known to be far too narrow (MacKinnon & Webb 2017, 2018); the between-commune variance above
  is the two-step idea of Donald & Lang (2007) applied inside the count model.

## The event study beside each verdict

`/targets` draws each target quarter by quarter from the start (`geo.evaluation.event_study`): the
target's count against its own baseline, net of the common change of its comparison communes (1 =
moving with them). The band is the comparison communes' own spread, each put through the same
calculation against the others (a placebo in space): from the lowest to the highest below 20
communes, the central 90% from 20. An ordinary commune lies inside it with probability (n − 1)/(n + 1)
per quarter (75% with 7 comparison communes), and the page says so, with the number of quarters
outside the band before and after the start and the pre-trend test. In the demo Vĩnh Hùng leaves the
band in 4 of 4 quarters from the start and in none of the 9 before; Vĩnh Long (4 comparison
communes, a band an ordinary commune misses 2 quarters in 5) leaves it once before and once after;
Vĩnh Thịnh rises above it in 2 of 4 quarters after the start and in none before. It is a description
of when a change began and whether it held, not a test: the verdict stays with the calibrated
interval.

## The demo

The demo has none of these differences between communes: only its designed trajectories and
counting noise. Judged by the calibrated rule it reads as designed: Vĩnh Hùng (designed −45%) rate
ratio 0.59 (95% CI 0.46–0.75), *Chuyển biến tích cực*; Vĩnh Long (−10%) 0.88 (0.68–1.15), *Chưa rõ chuyển biến*, with the
card saying that only a fall of 31% or more could be detected; Vĩnh Thịnh (+30%) 1.33 (1.06–1.66),
*Diễn biến phức tạp hơn*; the three together 0.89 (0.78–1.02), *Chưa rõ chuyển biến*, with the note that they changed very
differently (heterogeneity p < 0.001). Were the plan to record that the targets were chosen on their
counts (a 24-month baseline), Vĩnh Thịnh would read *Chưa rõ chuyển biến* (1.28, 0.93–1.77): with 28 months of
history no placebo comparison fits before the baseline, so the between-commune variation is learnt
from the real comparison alone (8 degrees of freedom instead of 16), and Vĩnh Hòa's designed
diffusion of benefits (−7%, one of Vĩnh Thịnh's controls) counts as ordinary variation. That is the
method being honest about what 28 months can show, not a fault of the demo's design, which was left
as it is.

## Hot spots

The hot-spot map (`/map`) names its conventions in the legend and in a caption under the map, and
*Cách tính điểm nóng* lets the user change them.

- **Gi\* p-values.** By default each cell's p-value comes from 9,999 conditional permutations (the
  cell keeps its count, its eight neighbours are drawn at random from the other cells) and every
  confidence level is corrected for the false discovery rate (Benjamini–Hochberg over the area's
  cells): *"Gi\*, p từ 9.999 hoán vị có điều kiện (chặt hơn ArcGIS), hiệu chỉnh FDR ở từng mức tin
  cậy"*. The option *Xấp xỉ chuẩn (như ArcGIS)* reads the p-value from the z-score's normal
  approximation, as ArcGIS's Hot Spot Analysis does, and the FDR correction can be switched off
  (ArcGIS's default). The z-score is the same either way (it equals esda's); only the judgement of
  "significant" differs. Counts per 250 m cell are sparse and skewed (most cells empty, a few busy),
  so a neighbourhood sum is far from normal in its upper tail and the normal approximation calls more
  cells hot: on the demo's whole span 165 hot cells against 80 with permutations (both with FDR; the
  audit counted 158 against 45 on its own period). Permutations are the honest figure for counts;
  the ArcGIS option is there to reproduce a map made in ArcGIS. The default is 9,999 permutations
  because 999 give p ≥ 0.002, and the FDR correction over 2,742 cells then passes a cell at the 95%
  level only when over a hundred cells are as extreme.
- **Emerging hot spots: each step compared with itself.** ArcGIS standardises every space-time bin
  with the mean and variance of the whole cube. When the whole district rises, the late steps are
  above that mean almost everywhere, so cells that were merely above average turn "new",
  "consecutive" or "intensifying": in a constructed district of 2,500 cells with a uniform 50% rise
  and no local cluster, 15–49 cells (depending on the draw) were called growing hot spots. The
  default here compares each step with its own time window (the step and the previous step its
  neighbourhood reaches): 0 such cells in the same worlds, while a cluster that rises with the
  district is still persistent or intensifying and one that appears in the last three months is still
  consecutive (`tests/geo/hotspots/test_emerging.py`). A hot spot then means "stands out from the
  district at that time"; whether the district as a whole rises is the incident series' question
  (`/trends`), not the map's. *Toàn bộ các kỳ (như ArcGIS)* keeps ArcGIS's definition, which the 16
  planted patterns of the tests check. On the demo, whose district-wide level is nearly flat, the two
  agree on all but a few cells (13 against 17 diminishing).
- **Kernel density with edge correction.** The density at each point is divided by the share of its
  400 m quartic kernel that falls inside the study area (the district, or the communes the user
  chose), and a cell shows the mean over its part inside the outline. Without it a place on the
  boundary lost the part of its kernel beyond it: with uniform points over a square the edge cells
  read 24% low on average and up to 44% low near the corners, and a border cell cut by an irregular
  outline was diluted further by the land outside it (on the demo the correction raises 19% of the
  cells by more than 10%). Corrected, the square's edge cells read within 6% of its interior. What remains is stated under the map: the correction treats every place inside the boundary
  (rivers, hills, fields) as a place where incidents can occur, incidents across the boundary are not
  in the data, a strip narrower than the bandwidth is still too low (the divisor is floored at a
  quarter), and the map shows one value per 250 m cell, smoothed on 62.5 m pixels.
"""


def summary(results: pd.DataFrame) -> pd.DataFrame:
    """Per kind and rule: clear verdicts per target, worlds with any clear target, power, detectable fall."""
    out = []
    for (kind, rule), part in results.groupby(["kind", "rule"], sort=False):
        verdicts = np.array(part["targets"].tolist())
        clear = np.isin(verdicts, ["improving", "worsening"])
        row: dict[str, object] = {
            "kind": kind,
            "rule": rule,
            "worlds": len(part),
            "clear per target": clear.mean(),
            "any of 3 clear": clear.any(axis=1).mean(),
            "improving per target": (verdicts == "improving").mean(),
            "insufficient per target": (verdicts == "insufficient").mean(),
        }
        if "together" in part and part["together"].notna().all():
            together = part["together"].to_numpy()
            row["together clear"] = np.isin(together, ["improving", "worsening"]).mean()
            row["together improving"] = (together == "improving").mean()
            row["median detectable fall"] = float(np.nanmedian(np.array(part["falls"].tolist())))
            row["mean ratio"] = float(np.exp(np.nanmean(np.array(part["logs"].tolist()))))
        out.append(row)
    return pd.DataFrame(out)


def _pct(value: object) -> str:
    return (
        "—"
        if value is None or (isinstance(value, float) and np.isnan(value))
        else f"{100 * float(value):.1f}%"
    )


DEFAULTS = {
    "random": "calibrated, baseline 12 months before the start",
    "highest": "calibrated, baseline 24 months before the start",
}
"""The rule the dashboard applies: targets not chosen on their counts (or not recorded), and chosen on them."""


def _label(kind: str, rule: str) -> str:
    base = "random" if kind.startswith("random") else "highest"
    return f"**{rule} (the default)**" if DEFAULTS[base] == rule else rule


def write_markdown(table: pd.DataFrame, *, worlds: int, seconds: float, fall: float, path: Path) -> None:
    """Write docs/verdicts.md: the two tables and how to read them (``fall``: the true fall of the worlds with an effect)."""
    rows = table.to_dict("records")
    lines = [
        "# How often do the verdicts lie? (issue 12)",
        "",
        f"Generated by `scripts/bench_verdicts.py` (`make bench`): {worlds} simulated worlds per kind, "
        f"{seconds / 60:.0f} min on this 2-core machine. Do not edit the tables by hand; the notes below them "
        "say what the worlds are, what each rule does and how to read the figures.",
        "",
        "## No plan effect: how often a target is called *Chuyển biến tích cực* or *Diễn biến phức tạp hơn* (goal ≤ 6% per target)",
        "",
        "| targets chosen | rule | clear per target | worlds with ≥ 1 of 3 clear | "
        "three together clear | *Chưa đủ dữ liệu* per target |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        if "fall" in str(row["kind"]):
            continue
        lines.append(
            f"| {row['kind']} | {_label(str(row['kind']), str(row['rule']))} | {_pct(row['clear per target'])} | "
            f"{_pct(row['any of 3 clear'])} | {_pct(row.get('together clear'))} | "
            f"{_pct(row['insufficient per target'])} |"
        )
    lines += [
        "",
        f"## A true {fall:.0%} fall in every target: power (goal ≥ 80% per target)",
        "",
        "| targets chosen | rule | *Chuyển biến tích cực* per target | three together *Chuyển biến tích cực* | "
        "median smallest detectable fall | *Chưa đủ dữ liệu* per target |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        if "fall" not in str(row["kind"]):
            continue
        kind = str(row["kind"]).rsplit(",", 1)[0]
        lines.append(
            f"| {kind} | {_label(kind, str(row['rule']))} | {_pct(row['improving per target'])} | "
            f"{_pct(row.get('together improving'))} | {_pct(row.get('median detectable fall'))} | "
            f"{_pct(row['insufficient per target'])} |"
        )
    lines += ["", NOTES.strip(), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
