"""The same deterministic network gives identical spike trains on numpy, cython and cpp_standalone."""
import numpy as np
import pytest
from brian2 import Network, SpikeMonitor, defaultclock, mV, ms, nS, pA

from workbench import models
from workbench.backends import BackendUnavailable, Simulation, check_available, model_key, use_backend

N_E, N_I = 16, 4


def _network_run(backend):
    """20 conductance-based LIF neurons, recurrent E/I synapses with fixed weights, STDP on E->E."""
    rng = np.random.default_rng(42)
    w_ee = rng.uniform(0.2, 0.8, size=(N_E, N_E))
    w_ie = rng.uniform(0.5, 1.0, size=(N_E, N_I))
    currents = np.linspace(190, 260, N_E + N_I)          # pA; rheobase of lif_cond is 100 pA
    key = model_key("backend-equivalence", N_E, N_I)
    with use_backend(backend, key=key, seed=1) as be:
        defaultclock.dt = 0.1 * ms
        exc = models.synapse("exp_cond").receptor("e", tau=5 * ms, E=0 * mV)
        inh = models.synapse("exp_cond").receptor("i", tau=10 * ms, E=-80 * mV)
        G = models.neuron_group(models.neuron("lif_cond"), N_E + N_I, receptors=[exc, inh], name="eq_neurons")
        G.I = currents * pA
        G.v = "E_L + (i % 7)*1.3*mV"                      # deterministic, heterogeneous start
        E, I = G[:N_E], G[N_E:]
        S_ee = models.connect(E, E, exc, plasticity=models.plasticity("stdp_add"), w_scale=0.5 * nS,
                              delay=1 * ms, name="eq_ee")
        pre, post = np.nonzero(~np.eye(N_E, dtype=bool))
        S_ee.connect(i=pre, j=post)
        models.init_synapses(S_ee)
        S_ee.w = w_ee[pre, post]
        S_ie = models.connect(I, E, inh, w_scale=2 * nS, name="eq_ie")
        ii, jj = np.meshgrid(np.arange(N_I), np.arange(N_E), indexing="ij")
        S_ie.connect(i=ii.ravel(), j=jj.ravel())
        S_ie.w = w_ie[jj.ravel(), ii.ravel()]
        M = SpikeMonitor(G, name="eq_spikes")
        net = Network(G, S_ee, S_ie, M)
        Simulation(net, 300 * ms, be).run()
        i, t = np.asarray(M.i[:]), np.asarray(M.t[:] / ms)
        order = np.lexsort((i, t))
        return i[order], t[order], np.asarray(S_ee.w[:])


def test_numpy_cython_standalone_identical():
    results = {}
    for backend in ("numpy", "cython", "cpp_standalone"):
        try:
            check_available(backend)
        except BackendUnavailable as exc:
            pytest.skip(str(exc))
        results[backend] = _network_run(backend)
    i0, t0, w0 = results["numpy"]
    assert len(i0) > 50                                   # the network is active
    assert np.ptp(w0) > 0 and not np.allclose(w0, np.random.default_rng(42).uniform(0.2, 0.8, 1)[0])
    for backend in ("cython", "cpp_standalone"):
        i, t, w = results[backend]
        assert len(i) == len(i0), (backend, len(i), len(i0))
        np.testing.assert_array_equal(i, i0, err_msg=backend)
        np.testing.assert_allclose(t, t0, rtol=0, atol=1e-9, err_msg=backend)
        np.testing.assert_allclose(w, w0, rtol=1e-9, atol=1e-12, err_msg=backend)
