"""Regenerate ``scores.csv`` beside this file (``python make_scores.py``). Seeded.

The defects are by construction:

* A1 and A3 are the same underlying growth figure (A3 = A1 scaled, plus tiny noise): redundant.
* B2 is all-or-nothing (0 or 10); B3 is 10 for everyone: non-discriminating.
* C1 is the mean of 5 lenient raters who mark 12-15 almost at random: poor agreement.
* C2 is 10 for all but one member: ceiling.
* In 2023 Lào Cai has 11 on A2 (max 10) and both bonuses (10 > cap 5).
"""

import csv
from pathlib import Path

import numpy as np


def main() -> None:
    MEMBERS = ["Hà Giang", "Cao Bằng", "Bắc Kạn", "Tuyên Quang", "Lào Cai", "Yên Bái",
               "Thái Nguyên", "Lạng Sơn", "Bắc Giang"]
    rng = np.random.default_rng(20240607)
    rows = []
    for year in (2022, 2023):
        growth = rng.uniform(0.3, 1.0, len(MEMBERS))
        for i, m in enumerate(MEMBERS):
            a1 = round(15 * growth[i], 1)
            a3 = round(min(15.0, 15 * growth[i] * 0.98 + rng.normal(0, 0.1)), 1)
            marks = {
                "A1": a1, "A2": round(rng.uniform(5, 10), 1), "A3": a3,
                "B1": round(rng.uniform(4, 10), 1), "B2": 10.0 if rng.random() < 0.5 else 0.0,
                "B3": 10.0, "C2": 8.0 if i == 2 else 10.0, "C3": round(rng.uniform(2, 5), 1),
                "D1": 5.0 if i in (0, 4) else 0.0,
            }
            if year == 2023 and m == "Lào Cai":
                marks["A2"] = 11.0
                marks["D2"] = 5.0
            for cid, pts in marks.items():
                rows.append(
                    {"member": m, "criterion": cid, "points": pts, "year": year, "rater": ""}
                )
            for r in range(5):
                rows.append({"member": m, "criterion": "C1", "points": float(rng.integers(12, 16)),
                             "year": year, "rater": f"R{r + 1}"})
    with open(Path(__file__).with_name("scores.csv"), "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, ["member", "criterion", "points", "year", "rater"])
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":  # never on import (pytest collects doctests here)
    main()
