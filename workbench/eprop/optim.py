"""Adam (Kingma & Ba 2015) on a dict of numpy weight arrays."""
from __future__ import annotations

import numpy as np

__all__ = ["Adam", "SGD", "make_optimizer"]


class Adam:
    """Adam with bias correction; ``step(weights, grads)`` updates ``weights`` in place."""

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        if not lr > 0:
            raise ValueError(f"Adam learning rate must be positive, got {lr}")
        self.lr, self.beta1, self.beta2, self.eps = float(lr), float(beta1), float(beta2), float(eps)
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}
        self.t = 0

    def step(self, weights: dict, grads: dict) -> None:
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        for k, g in grads.items():
            if k not in weights:
                raise KeyError(f"gradient for unknown weight {k!r}; weights: {sorted(weights)}")
            m = self.m.setdefault(k, np.zeros_like(g))
            v = self.v.setdefault(k, np.zeros_like(g))
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            mhat = m / (1 - b1 ** self.t)
            vhat = v / (1 - b2 ** self.t)
            weights[k] -= self.lr * mhat / (np.sqrt(vhat) + self.eps)


class SGD:
    """Plain gradient descent (as in NEST's e-prop examples); ``step(weights, grads)`` in place."""

    def __init__(self, lr: float = 1e-4):
        if not lr > 0:
            raise ValueError(f"SGD learning rate must be positive, got {lr}")
        self.lr = float(lr)
        self.t = 0

    def step(self, weights: dict, grads: dict) -> None:
        self.t += 1
        for k, g in grads.items():
            if k not in weights:
                raise KeyError(f"gradient for unknown weight {k!r}; weights: {sorted(weights)}")
            weights[k] -= self.lr * g


def make_optimizer(name: str, lr: float):
    """``'adam'`` or ``'sgd'``."""
    if name == "adam":
        return Adam(lr)
    if name == "sgd":
        return SGD(lr)
    raise ValueError(f"optimizer must be 'adam' or 'sgd', got {name!r}")
