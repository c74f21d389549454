#!/usr/bin/env python3
"""Write a 10,000-project version of scenarios/seed-district-projects.toml,
and the same scenario without its [pipeline], for issue 14's timing
requirement (a pipeline of 10,000 projects at 1e5 draws within 10 times a
run without projects).

    python3 benches/pipeline/make_scenario.py --out /tmp/pipe10k [--projects 10000]

Writes OUT/projects.toml + OUT/projects.csv (the pipeline) and OUT/plain.toml
(no [pipeline]: the aggregate indicators become fixed formulas of the same
names, so every other indicator, the peers and the targets stay). Standard
library only; the list is generated from a fixed seed, so it is the same on
every machine.

The mix: probabilities uniform in 0.30-0.95 (to 0.001); a tenth of the
amounts drawn (triangular; `--drawn` sets the share; a CSV holds fixed
amounts only, so these are inline [[pipeline.projects]]) and the rest fixed; sectors industry,
pv, infrastructure, services, housing with the seed district's loadings
(0.2, 0.3, default 0.15) and about one project in eight with its own
loading of 0 (independent of the factor); quarters 1-4; one in twelve adds
a firm above the size threshold.
"""
import argparse
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "..", "..", "scenarios", "seed-district-projects.toml")

SECTORS = ["industry", "pv", "infrastructure", "services", "housing"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--projects", type=int, default=10000)
    ap.add_argument("--drawn", type=float, default=0.1, help="share of drawn amounts")
    args = ap.parse_args()
    n = args.projects
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(20251201)
    rows, inline = [], []
    amount_sum = 0.0
    counts = {s: 0 for s in SECTORS}
    firms = 0
    for i in range(n):
        sector = SECTORS[rng.randrange(len(SECTORS))]
        p = round(rng.uniform(0.30, 0.95), 3)
        quarter = rng.randint(1, 4)
        firm = rng.random() < 1 / 12
        loading = "0" if rng.random() < 1 / 8 else ""
        name = f"项目{i + 1:05d}"
        counts[sector] += 1
        firms += firm
        if rng.random() < args.drawn:
            lo = round(rng.uniform(0.2, 3.0), 2)
            mode = round(lo * rng.uniform(1.1, 1.5), 2)
            hi = round(mode * rng.uniform(1.1, 1.6), 2)
            amount_sum += p * (lo + mode + hi) / 3
            lines = [
                "[[pipeline.projects]]",
                f'name = "{name}"',
                f"p = {p}",
                f'amount = {{ dist = "triangular", min = {lo}, mode = {mode}, max = {hi} }}',
                f"quarter = {quarter}",
                f"firm = {'true' if firm else 'false'}",
                f'sector = "{sector}"',
            ]
            if loading:
                lines.append(f"loading = {loading}")
            inline.append("\n".join(lines))
        else:
            amount = round(rng.uniform(0.2, 4.0), 2)
            amount_sum += p * amount
            rows.append(f"{name},{p},{amount},{quarter},{str(firm).lower()},{sector},{loading}")
    with open(os.path.join(args.out, "projects.csv"), "w", encoding="utf-8") as f:
        f.write("name,p,amount,quarter,firm,sector,loading\n")
        f.write("\n".join(rows) + "\n")

    base = open(BASE, encoding="utf-8").read()
    # Targets scaled to the bigger list (near the expected values, so
    # neither certain nor hopeless).
    exp_count = sum(0.625 for _ in range(n))
    base = base.replace('file = "seed-district-projects.csv"', 'file = "projects.csv"')
    base = re.sub(r'name = "seed-district-projects"', 'name = "pipeline-10k"', base)
    targets = {
        "projects_started": int(exp_count * 0.99),
        "project_investment": round(amount_sum * 0.99, 1),
        "industrial_started": int(counts["industry"] * 0.625 * 0.99),
        "pv_mw": int(50 * counts["pv"] * 0.625 * 0.99),
        "new_scale_firms": int(firms * 0.625 * 0.95),
    }
    for ind, t in targets.items():
        base = re.sub(
            rf'(\{{ indicator = "{ind}", at_least = )[0-9.]+', rf"\g<1>{t}", base
        )
    # fai_1 adds the projects' investment: keep its growth in a sane range.
    base = base.replace(
        '"0.1 * fai * (1 + fai_other_growth) + project_investment"',
        f'"0.1 * fai * (1 + fai_other_growth) + project_investment * {280 / max(amount_sum, 1):.6f}"',
    )
    with_pipeline = base + "\n" + "\n\n".join(inline) + "\n"
    with open(os.path.join(args.out, "projects.toml"), "w", encoding="utf-8") as f:
        f.write(with_pipeline)

    # Without the pipeline: the aggregates become constants at their
    # expected values, the [pipeline] table goes.
    plain = base[: base.index("[pipeline]")] + base[base.index("[peers]"):]
    fixed = {
        "projects_started": exp_count,
        "project_investment": amount_sum,
        "industrial_started": counts["industry"] * 0.625,
        "pv_projects": counts["pv"] * 0.625,
        "new_scale_firms": firms * 0.625,
    }
    for ind, v in fixed.items():
        plain = re.sub(
            rf'^{ind}(\s*)= \{{ pipeline = "[a-z]+"(, (sector|firm) = [^,]+)?,',
            rf'{ind}\1= {{ formula = "{v:.3f} + 0 * credit",',
            plain,
            flags=re.M,
        )
    with open(os.path.join(args.out, "plain.toml"), "w", encoding="utf-8") as f:
        f.write(plain)
    print(f"{n} projects ({len(rows)} in the CSV, {len(inline)} inline) in {args.out}")


if __name__ == "__main__":
    main()
