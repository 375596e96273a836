"""Adam (Kingma & Ba 2015) and SGD on a dict of numpy weight arrays; a learning-rate schedule driven by validation."""
from __future__ import annotations

import numpy as np

__all__ = ["Adam", "SGD", "make_optimizer", "Plateau"]


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


class Plateau:
    """Learning rate that decays when a validation loss stops improving (as Keras' ReduceLROnPlateau).

    :meth:`observe` takes each new validation loss; the loss is smoothed over the last ``window``
    validations.  When the smoothed loss has not improved on its best for ``patience`` validations in
    a row, the learning rate is multiplied by ``factor`` (never below ``lr_min``) and the count starts
    again.  ``factor = 1`` keeps it constant.  Only validation losses go in: the schedule is chosen on
    validation data, never on the test set.
    """

    def __init__(self, lr: float, *, factor: float = 0.5, patience: int = 5, lr_min: float = 0.0, window: int = 1):
        if not lr > 0:
            raise ValueError(f"Plateau: the learning rate must be positive, got {lr}")
        if not 0 < factor <= 1:
            raise ValueError(f"Plateau: factor must be in (0, 1] (1: constant learning rate), got {factor}")
        if patience < 1 or window < 1:
            raise ValueError(f"Plateau: patience and window must be >= 1, got {patience} and {window}")
        if lr_min < 0:
            raise ValueError(f"Plateau: lr_min must be >= 0, got {lr_min}")
        self.lr, self.factor, self.patience = float(lr), float(factor), int(patience)
        self.lr_min, self.window = float(lr_min), int(window)
        self.history: list[float] = []
        self.best = np.inf
        self.wait = 0

    @property
    def smoothed(self) -> float:
        """Mean of the last ``window`` validation losses (nan before the first)."""
        return float(np.mean(self.history[-self.window:])) if self.history else float("nan")

    def observe(self, loss: float) -> float:
        """Record one validation loss; returns the learning rate for the next iterations."""
        self.history.append(float(loss))
        if self.smoothed < self.best:
            self.best, self.wait = self.smoothed, 0
        else:
            self.wait += 1
            if self.wait >= self.patience and self.factor < 1 and self.lr > self.lr_min:
                self.lr = max(self.lr * self.factor, self.lr_min)
                self.wait = 0
        return self.lr
