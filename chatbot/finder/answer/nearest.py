"""The nearest labelled questions: the one mechanism behind the scope classifier's and the line
selector's neighbour features (scope_bank.npz, lines_bank.npz)."""
from __future__ import annotations

import numpy as np


def unit(vectors: np.ndarray) -> np.ndarray:
    """Vectors (one, or one per row) scaled to unit length, as float32."""
    v = np.asarray(vectors, dtype=np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def nearest(similarities: np.ndarray, k: int, sharpness: float) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` most similar labelled questions and their unnormalised softmax weights,
    exp(sharpness × (similarity − the nearest one's)): the nearest weighs 1."""
    top = np.argsort(-similarities)[:k]
    return top, np.exp(sharpness * (similarities[top] - similarities[top].max()))
