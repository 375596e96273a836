"""Tasks of Bellec et al. (2020): pattern generation and evidence accumulation.

Each task returns arrays for :class:`workbench.eprop.train.Trainer`: input
spikes ``x`` (trials, steps, n_in) of 0/1 per 1 ms step, targets ``y_star`` and
loss weights ``mask`` (trials, steps, n_out).
"""
from __future__ import annotations

import numpy as np

__all__ = ["sum_of_sines", "pattern_task", "evidence_task", "EVIDENCE_STEPS"]


def sum_of_sines(steps: int, rng: np.random.Generator, periods=(1000, 500, 333, 200)) -> np.ndarray:
    """A target as in the reference code: sum of sines with random amplitudes (0.5-2) and phases,
    shifted to start at 0 and scaled to a maximum absolute value of 1."""
    t = np.arange(steps)
    out = np.zeros(steps)
    for p in periods:
        out += rng.uniform(0.5, 2.0) * np.sin(2 * np.pi * t / p + rng.uniform(0, 2 * np.pi))
    out -= out[0]
    return out / max(np.abs(out).max(), 1e-6)


def pattern_task(n_in: int, n_out: int, steps: int, rate_hz: float, rng: np.random.Generator):
    """Frozen Poisson input (one trial) and ``n_out`` sum-of-sines targets; MSE on every step."""
    if n_in < 1 or n_out < 1 or steps < 1:
        raise ValueError(f"pattern_task needs n_in, n_out, steps >= 1 (got {n_in}, {n_out}, {steps})")
    x = (rng.random((1, steps, n_in)) < rate_hz * 1e-3).astype(float)
    y = np.stack([sum_of_sines(steps, rng) for _ in range(n_out)], axis=-1)[None]
    return x, y, np.ones_like(y)


#: Trial length of the evidence-accumulation task with its default timing (ms)
EVIDENCE_STEPS = 150 * 7 + 1200


def evidence_task(batch: int, rng: np.random.Generator, *, n_in: int = 40, n_cues: int = 7, t_cue: int = 100,
                  t_interval: int = 150, steps: int = EVIDENCE_STEPS, recall: int = 150, p_group: float = 0.3,
                  rate_hz: float = 40.0):
    """Evidence accumulation (Bellec et al. 2020, Fig. 3; ``generate_click_task_data`` of the reference).

    Four input populations of ``n_in/4`` neurons: left cues, right cues, the
    recall cue (last ``recall`` ms) and background noise (``rate_hz/4``).  Each
    of the ``n_cues`` cues (``t_cue`` ms, every ``t_interval`` ms) is on the
    left or right; the majority side is the label (0 left, 1 right), to be
    reported during the recall window (cross-entropy on every step of it).
    Returns ``x, y_star, mask, labels``.
    """
    if n_in % 4:
        raise ValueError(f"evidence_task: n_in must be a multiple of 4 (4 populations), got {n_in}")
    if n_cues % 2 == 0:
        raise ValueError(f"evidence_task: n_cues must be odd so that a majority exists, got {n_cues}")
    if steps < n_cues * t_interval + recall:
        raise ValueError(f"evidence_task: steps={steps} too short for {n_cues} cues and the recall window")
    g = n_in // 4
    f0 = rate_hz * 1e-3
    side = rng.integers(0, 2, batch)
    probs = np.where(side[:, None] == 0, [p_group, 1 - p_group], [1 - p_group, p_group])
    cues = (rng.random((batch, n_cues)) < probs[:, 1:2]).astype(int)  # 1: right
    p = np.zeros((batch, steps, n_in))
    silence = t_interval - t_cue
    for b in range(batch):
        for k in range(n_cues):
            c = cues[b, k]
            t0 = silence + k * t_interval
            p[b, t0:t0 + t_cue, c * g:(c + 1) * g] = f0
    p[:, -recall:, 2 * g:3 * g] = f0
    p[:, :, 3 * g:] = f0 / 4
    x = (rng.random(p.shape) < p).astype(float)
    labels = (cues.sum(axis=1) > n_cues // 2).astype(int)
    y = np.zeros((batch, steps, 2))
    y[np.arange(batch), :, labels] = 1.0
    mask = np.zeros((batch, steps, 2))
    mask[:, -recall:, :] = 1.0 / recall
    return x, y, mask, labels
