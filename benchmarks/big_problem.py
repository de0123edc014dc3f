"""The large benchmark problem: a 64-32-10 sigmoid network and 1,000 one-hot patterns.

Seeded, so the file is the same every time (458,911 bytes of YAML): the weights have four
decimals, the inputs two. Used by vs_torch.py (training) and vs_plain_python.py (loading).

Run: python benchmarks/big_problem.py OUT.yaml [--patterns N]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path


def write_big_problem(path: Path, patterns: int = 1000) -> None:
    """A 64-32-10 sigmoid network and `patterns` one-hot patterns, the same every time."""
    rng = random.Random(641032)

    def matrix(rows: int, columns: int) -> str:
        return "\n".join(
            "    - [" + ", ".join(f"{rng.uniform(-0.3, 0.3):.4f}" for _ in range(columns)) + "]"
            for _ in range(rows))

    lines = ["title: benchmark 64-32-10", "layers: [64, 32, 10]", "activation: sigmoid",
             "bias: 1", "learning_rate: 0.5", "epochs: 1", "weights:",
             "  -", matrix(32, 65), "  -", matrix(10, 33), "patterns:"]
    for index in range(patterns):
        inputs = ", ".join(f"{rng.random():.2f}" for _ in range(64))
        target = ", ".join("1" if k == index % 10 else "0" for k in range(10))
        lines.append(f"  - {{input: [{inputs}], target: [{target}]}}")
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--patterns", type=int, default=1000)
    arguments = parser.parse_args()
    write_big_problem(arguments.out, arguments.patterns)
