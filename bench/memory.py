"""Peak memory and compile time as the data grow: a logistic regression, rows 10^3 -> 10^6.

Each size runs in a fresh process. It builds the data (4 float64 features plus the 0/1
outcome), records its resident memory, then runs ``pm.sample`` and reads the process's
peak resident memory (``VmHWM``). The table gives the peak above the pre-sampling level in
megabytes and as a multiple of the data's bytes, per chain, with the compile time
(start-point search and sampler) and the sampling time.

    python bench/memory.py                       # rows 1e3, 1e4, 1e5, 1e6; 2 chains
    python bench/memory.py 1000 1000000 --chains 4
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys

FEATURES = 4


def _rss_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def child(rows: int, chains: int) -> None:
    import numpy as np

    import credo as pm

    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, FEATURES))
    beta = np.array([0.5, -1.0, 0.25, 0.0])
    y = (rng.uniform(size=rows) < 1 / (1 + np.exp(-(x @ beta)))).astype(np.int64)
    data_bytes = x.nbytes + y.nbytes
    with pm.Model():
        b = pm.Normal("b", 0, 1, shape=FEATURES)
        a = pm.Normal("a", 0, 1)
        pm.Bernoulli("y", logit_p=a + pm.math.dot(x, b), observed=y)
        before = _rss_kb("VmRSS")
        idata = pm.sample(
            200,
            tune=200,
            chains=chains,
            random_seed=1,
            progressbar=False,
            compute_convergence_checks=False,
        )
    peak = _rss_kb("VmHWM")
    print(
        json.dumps(
            {
                "rows": rows,
                "chains": chains,
                "data_mb": data_bytes / 1e6,
                "peak_above_mb": (peak - before) / 1e3,
                "per_chain_x_data": (peak - before) * 1e3 / data_bytes / chains,
                "compile_s": idata.attrs["compile_time"],
                "sampling_s": idata.attrs["sampling_time"],
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", nargs="*", type=int, default=[1000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.rows[0], args.chains)
        return
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print("| rows | data MB | peak above MB | per chain, x data | compile s | sampling s |")
    print("|---|---|---|---|---|---|")
    for rows in args.rows:
        out = subprocess.run(
            [sys.executable, __file__, str(rows), "--chains", str(args.chains), "--child"],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"| {rows:,} | {r['data_mb']:.1f} | {r['peak_above_mb']:.0f} | "
            f"{r['per_chain_x_data']:.1f} | {r['compile_s']:.1f} | {r['sampling_s']:.1f} |"
        )


if __name__ == "__main__":
    main()
