"""Benchmark: SMAA-2 with 10,000 weight samples on 63 members x 60 criteria.

Target (issue 6): under 1 s, vectorised. The baseline, run in the same process on the same
weight samples, is the straightforward per-sample loop: score the members, rank them, add
to the counts and to the winners' weight sums. Both must give identical acceptabilities and
central weights; the script checks that before printing the timings.

Run::

    python -m benchmarks.bench_smaa [--samples 10000] [--members 63] [--criteria 60]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from criteria_design.smaa import sample_weights, smaa


def per_sample_loop(x: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Baseline: one weight vector at a time (ties share the better rank, as in smaa)."""
    n = x.shape[0]
    counts = np.zeros((n, n))
    central = np.zeros((n, weights.shape[1]))
    for w in weights:
        s = x @ w
        tol = 1e-12 * max(1.0, float(np.abs(s).max()))
        ranks = 1 + (s[None, :] > s[:, None] + tol).sum(axis=1)  # numpy within a sample
        counts[np.arange(n), ranks - 1] += 1
        central[ranks == 1] += w
    first = counts[:, 0]
    with np.errstate(invalid="ignore"):
        central /= first[:, None]
    return counts / len(weights), central


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=63)
    parser.add_argument("--criteria", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    # Scores as fractions of the maximum, clustered near the top as in real tables.
    x = np.clip(rng.beta(8, 2, size=(args.members, args.criteria)), 0, 1)
    weights = sample_weights(args.criteria, args.samples, rng=rng)

    smaa(x[:5], weights=weights[:10])  # warm-up (imports, BLAS threads)
    t0 = time.perf_counter()
    fast = smaa(x, weights=weights)
    t_fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    slow_acc, slow_central = per_sample_loop(x, weights)
    t_slow = time.perf_counter() - t0

    if not np.allclose(fast.rank_acceptability, slow_acc, atol=1e-12):
        raise SystemExit("vectorised and per-sample acceptabilities differ")
    if not np.allclose(np.nan_to_num(fast.central_weights), np.nan_to_num(slow_central)):
        raise SystemExit("vectorised and per-sample central weights differ")

    # Full pipeline including sampling the weights (what audit_scores runs).
    t0 = time.perf_counter()
    smaa(x, n_samples=args.samples, rng=args.seed)
    t_full = time.perf_counter() - t0

    print(f"SMAA-2, {args.samples} weight samples, {args.members} members x "
          f"{args.criteria} criteria (results identical to the baseline)")
    print(f"  vectorised smaa (given samples):  {t_fast:8.3f} s")
    print(f"  vectorised smaa (with sampling):  {t_full:8.3f} s   target < 1 s: "
          f"{'met' if t_full < 1 else 'NOT met'}")
    print(f"  baseline per-sample loop:         {t_slow:8.3f} s")
    print(f"  speed-up vs per-sample loop:      {t_slow / t_fast:8.1f} x")


if __name__ == "__main__":
    main()
