"""latency.png: latency percentiles, project vs baseline, for the benchmarks that have them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bench.common import Result


def plot(results: Sequence[Result], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with_latency = [r for r in results if r.project.latency_ms]
    if not with_latency:
        return
    fig, axes = plt.subplots(1, len(with_latency), figsize=(5 * len(with_latency), 4))
    axes_list = axes if len(with_latency) > 1 else [axes]
    for ax, r in zip(axes_list, with_latency, strict=True):
        for side, style in ((r.project, "o-"), (r.baseline, "s--")):
            if side.latency_ms:
                keys = list(side.latency_ms)
                ax.plot(keys, list(side.latency_ms.values()), style, label=side.label)
        if r.latency_target_p99_ms:
            ax.axhline(r.latency_target_p99_ms, color="red", lw=0.8, label="p99 target")
        ax.set_title(f"{r.name} @ half max load")
        ax.set_ylabel("latency (ms)")
        ax.set_yscale("log")
        ax.legend(fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
