"""Device statistics of the crossbar presets against their sources' equations, on large samples of devices.

The reference equations are restated here from aihwkit's PCMLikeNoiseModel / ReRamWan2022NoiseModel
(docs/source/pcm_inference.rst), not taken from the code under test.
"""
import numpy as np
import pytest
from scipy import stats

from workbench.hardware.crossbar import get_crossbar
from workbench.hardware.crossbar.devices import (ProgramVerify, conductance_at, drift_exponents, program_devices,
                                                 read_sigma, stuck_mask)

PCM, RRAM = get_crossbar("pcm"), get_crossbar("rram")
N = 200_000  # devices per target conductance


def pcm_sigma_prog(gt):  # uS, g_T normalised to g_max = 25 uS
    return max(-1.1731 * gt**2 + 1.9650 * gt + 0.2635, 0.0)


def pcm_drift_moments(gt):
    mu = min(max(-0.0155 * np.log(gt) + 0.0244, 0.049), 0.1)
    sig = min(max(-0.0125 * np.log(gt) - 0.0059, 0.008), 0.045)
    return mu, sig


@pytest.mark.parametrize("gt", [0.3, 0.6, 1.0])
def test_pcm_programming_noise_follows_the_polynomial(gt):
    g_target = np.full(N, gt * 25e-6)
    g, pulses = program_devices(g_target, PCM, np.random.default_rng(0))
    # standard error of a standard deviation: sigma / sqrt(2N) = 0.16%; tolerance 1%
    assert np.std(g - g_target) == pytest.approx(pcm_sigma_prog(gt) * 1e-6, rel=0.01)
    assert np.mean(g - g_target) == pytest.approx(0.0, abs=0.01 * pcm_sigma_prog(gt) * 1e-6)
    assert np.all(pulses == 1)


@pytest.mark.parametrize("gt", [0.05, 0.3, 1.0])
def test_pcm_drift_exponents_follow_the_measured_fit(gt):
    nu = drift_exponents(np.full(N, gt * 25e-6), PCM, np.random.default_rng(1))
    mu, sig = pcm_drift_moments(gt)
    ref = stats.foldnorm(mu / sig, scale=sig)  # nu = |N(mu, sigma)|
    assert nu.mean() == pytest.approx(ref.mean(), rel=0.005)
    assert nu.std() == pytest.approx(ref.std(), rel=0.01)


@pytest.mark.parametrize("t", [3600.0, 86400.0, 3.15e7, 3.15e8])
def test_pcm_mean_and_spread_of_conductance_versus_time(t):
    """g(t) = g_prog ((t + t0)/t0)**-nu: mean and spread over devices match the expectation over nu (1%)."""
    gt = 0.5
    rng = np.random.default_rng(2)
    g_target = np.full(N, gt * 25e-6)
    g_prog = np.full(N, gt * 25e-6)
    nu = drift_exponents(g_target, PCM, rng)
    g = conductance_at(g_prog, nu, np.zeros(N), g_target, t, PCM)
    f = (t + 20.0) / 20.0
    mu, sig = pcm_drift_moments(gt)
    ref = stats.foldnorm(mu / sig, scale=sig)
    m1 = ref.expect(lambda x: f ** (-x))
    m2 = ref.expect(lambda x: f ** (-2 * x))
    assert g.mean() / g_prog[0] == pytest.approx(m1, rel=0.002)
    assert g.std() / g_prog[0] == pytest.approx(np.sqrt(m2 - m1**2), rel=0.01)


def test_pcm_read_noise_is_the_1_over_f_integral():
    """sigma_nG(t) = g_drift(t) Q_s sqrt(ln((t + t0 + t_read)/(2 t_read))), Q_s = min(0.0088/g_T**0.65, 0.2)."""
    for gt, t, g_now in ((0.5, 3600.0, 10e-6), (0.02, 0.0, 0.4e-6), (1.0, 3.15e7, 20e-6)):
        q = min(0.0088 / gt**0.65, 0.2)
        expect = g_now * q * np.sqrt(np.log((t + 20.0 + 250e-9) / (2 * 250e-9)))
        assert read_sigma(np.array([g_now]), np.array([gt * 25e-6]), t, PCM)[0] == pytest.approx(expect, rel=1e-12)


@pytest.mark.parametrize("t, coeffs", [(1.0, (0.348, 16.030, -43.853, 45.393, -16.815)),
                                       (86400.0, (0.701, 22.086, -50.773, 47.095, -16.458)),
                                       (172800.0, (0.782, 20.274, -43.507, 37.062, -11.934))])
def test_rram_spread_after_programming_follows_the_fits(t, coeffs):
    """Wan et al. 2022 via aihwkit: the spread around the target at 1 s, 1 day, 2 days (g_max 40 uS)."""
    x = 0.5
    g_target = np.full(N, x * 40e-6)
    rng = np.random.default_rng(3)
    g_prog, _ = program_devices(g_target, RRAM, rng)
    g = conductance_at(g_prog, np.zeros(N), rng.standard_normal(N), g_target, t, RRAM)
    expect = sum(c * x**k for k, c in enumerate(coeffs)) * 1e-6
    assert np.std(g - g_target) == pytest.approx(expect, rel=0.01)
    assert np.mean(g - g_target) == pytest.approx(0.0, abs=0.01 * expect)


def test_program_and_verify_narrows_the_spread():
    g_target = np.full(50_000, 12.5e-6)
    tol = 0.01  # of g_max: 0.25 uS, against a single-pulse spread of 0.95 uS
    once, _ = program_devices(g_target, PCM, np.random.default_rng(4))
    quiet = PCM.replace(read_noise_scale=0.0)
    pv, pulses = program_devices(g_target, quiet, np.random.default_rng(4), ProgramVerify(tolerance=tol, max_iter=30))
    done = pulses < 30
    assert np.all(np.abs(pv - g_target)[done] <= tol * PCM.g_max)  # a noiseless verify accepts only hits
    assert done.mean() > 0.99 and 1 < pulses.mean() < 30
    assert np.std(pv - g_target) < 0.3 * np.std(once - g_target)
    # the read noise (0.7 uS at t0 for this device) fools the verify step, yet the spread still shrinks
    noisy, _ = program_devices(g_target, PCM, np.random.default_rng(4), ProgramVerify(tolerance=tol, max_iter=30))
    assert np.std(pv - g_target) < np.std(noisy - g_target) < 0.7 * np.std(once - g_target)


def test_stuck_devices_keep_their_value():
    spec = PCM.replace(stuck_off=0.05, stuck_on=0.02)
    mask = stuck_mask(N, spec, np.random.default_rng(5))
    assert np.mean(mask == -1) == pytest.approx(0.05, abs=0.003) and np.mean(mask == 1) == pytest.approx(0.02, abs=0.002)
    g = conductance_at(np.full(N, 10e-6), np.full(N, 0.05), np.zeros(N), np.full(N, 10e-6), 1e6, spec, mask)
    assert np.all(g[mask == -1] == spec.g_min) and np.all(g[mask == 1] == spec.g_max)
    assert np.all(g[mask == 0] < 10e-6)  # the others drift down
