"""Where exact search stops being the right FAISS index: flat vs HNSW on synthetic unit vectors
of the model's dimension (384), for growing passage counts.

    python -m bench.faiss_switch                 # 10k … 200k passages
    python -m bench.faiss_switch --sizes 1000 100000

Prints build time, per-query latency (1 thread, as in a gunicorn worker) and HNSW recall@10
against the exact answer. chatbot.index_store.FLAT_LIMIT is set from these figures.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from chatbot.index.store import build_faiss


def clustered_vectors(n: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors around a few hundred topics, closer to real passages than uniform noise."""
    centres = rng.standard_normal((max(n // 200, 8), dim)).astype(np.float32)
    vectors = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.standard_normal((n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def main() -> None:
    import faiss

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000, 200_000])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(0)
    dim = 384
    print(f"{'passages':>9} {'kind':<5} {'build s':>8} {'query ms':>9} {'recall@10':>10}")
    for n in args.sizes:
        data = clustered_vectors(n, dim, rng)
        queries = clustered_vectors(args.queries, dim, rng)
        exact = None
        for kind in ("flat", "hnsw"):
            started = time.perf_counter()
            index = build_faiss(data, kind)
            build = time.perf_counter() - started
            started = time.perf_counter()
            found = np.vstack([index.search(q[None, :], 10)[1] for q in queries])
            per_query = (time.perf_counter() - started) * 1000 / len(queries)
            if kind == "flat":
                exact, recall = found, 1.0
            else:
                recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, exact)])
            print(f"{n:>9} {kind:<5} {build:>8.2f} {per_query:>9.2f} {recall:>10.3f}")


if __name__ == "__main__":
    main()
