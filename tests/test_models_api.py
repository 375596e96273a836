"""The model library's API: look-up, registration, composition, and clear errors for bad input."""
import pytest
from brian2 import (DimensionMismatchError, Network, PoissonGroup, SpikeMonitor, defaultclock, Hz, Mohm, mV, ms,
                    nA, pA, second)

from workbench import models
from workbench.models import ModelError


def test_every_registered_model_names_its_source():
    for table in (models.NEURONS, models.SYNAPSES, models.PLASTICITY):
        for name, m in table.items():
            assert m.reference, name
    assert {"if", "lif", "lif_cond", "alif", "diehl_cook_exc", "adex", "izhikevich", "hh_traub",
            "escape_lif"} <= set(models.NEURONS)
    assert {"delta", "exp_curr", "exp_cond", "alpha_curr"} <= set(models.SYNAPSES)
    assert {"stdp_add", "stdp_mult", "stdp_add_nearest", "triplet_stdp", "stochastic_binary_stdp",
            "tsodyks_markram"} <= set(models.PLASTICITY)


def test_unknown_parameter_names_the_key():
    with pytest.raises(ModelError, match="'tau_mem'.*tau_m"):
        models.neuron_group(models.neuron("lif"), 3, tau_mem=10 * ms)
    with pytest.raises(ModelError, match="'tau_mem'"):
        models.neuron("lif").with_params(tau_mem=10 * ms)
    with pytest.raises(ModelError, match="'taux'"):
        models.synapse("exp_cond").receptor("e", taux=5 * ms)
    with pytest.raises(ModelError, match="'A_pluss'"):
        models.plasticity("stdp_add").with_params(A_pluss=0.1)


def test_wrong_unit_names_the_key_and_the_unit():
    with pytest.raises(ModelError, match="'tau_m'.*units of s"):
        models.neuron_group(models.neuron("lif"), 3, tau_m=10 * mV)
    with pytest.raises(ModelError, match="'E'"):
        models.synapse("exp_cond").receptor("e", E=5 * ms)
    G = models.neuron_group(models.neuron("lif_cond"), 2, receptors=[models.synapse("exp_cond").receptor("e")])
    with pytest.raises(ModelError, match="w_scale"):
        models.connect(G, G, models.synapse("exp_cond").receptor("e"), w_scale=1 * nA)


def test_unknown_names_and_bad_composition():
    with pytest.raises(ModelError, match="unknown neuron model 'lifx'"):
        models.neuron("lifx")
    G = models.neuron_group(models.neuron("lif"), 2)
    with pytest.raises(ModelError, match="g_e"):
        models.connect(G, G, models.synapse("exp_cond").receptor("e"))
    with pytest.raises(ModelError, match="unique"):
        models.neuron_group(models.neuron("lif"), 2, receptors=[models.synapse("exp_curr").receptor("e")] * 2)
    with pytest.raises(ModelError, match="positive int"):
        models.neuron_group(models.neuron("lif"), 0)


def test_user_registered_model_works():
    qif = models.NeuronModel(
        name="qif_test",
        equations="dv/dt = ((v - E_L)*(v - v_c)/(v_c - E_L) + R_m*(I + I_syn))/tau_m : volt",
        params=dict(tau_m=10 * ms, E_L=-65 * mV, v_c=-50 * mV, R_m=100 * Mohm, v_peak=-30 * mV,
                    v_reset=-70 * mV),
        threshold="v > v_peak", reset="v = v_reset", method="euler", init=dict(v="E_L"),
        reference="Latham et al. 2000 (quadratic integrate-and-fire)",
    )
    models.register(qif, replace=True)
    assert models.neuron("qif_test") is qif
    with pytest.raises(ModelError, match="already registered"):
        models.register(qif.with_params(tau_m=5 * ms))
    defaultclock.dt = 0.1 * ms
    G = models.neuron_group(models.neuron("qif_test"), 2, receptors=[models.synapse("exp_curr").receptor("e")])
    G.I = [0, 300] * pA
    M = SpikeMonitor(G)
    Network(G, M).run(100 * ms)
    assert M.count[0] == 0 and M.count[1] > 2


def test_unit_error_in_user_equations_raises_dimension_mismatch():
    bad = models.NeuronModel(name="bad_units", equations="dv/dt = (E_L - v)/tau_m + I : volt",
                             params=dict(tau_m=10 * ms, E_L=-65 * mV))
    with pytest.raises(DimensionMismatchError):
        G = models.neuron_group(bad, 1)
        Network(G).run(1 * ms)


def test_composition_network_with_plasticity_runs_and_learns():
    defaultclock.dt = 0.1 * ms
    exc = models.synapse("exp_cond").receptor("e", tau=5 * ms, E=0 * mV)
    post = models.neuron_group(models.neuron("lif_cond"), 1, receptors=[exc])
    pre = PoissonGroup(50, 20 * Hz)
    S = models.connect(pre, post, exc, plasticity=models.plasticity("stdp_add"), w_scale=2 * models.synapse(
        "exp_cond").w_scale, A_plus=0.005)
    S.connect()
    models.init_synapses(S)
    S.w = 0.5
    M = SpikeMonitor(post)
    Network(pre, post, S, M).run(1 * second)
    assert M.num_spikes > 0
    assert abs(S.w[:].mean() - 0.5) > 1e-4          # weights moved


def test_values_go_through_namespace_not_code_strings():
    G = models.neuron_group(models.neuron("lif"), 1, tau_m=12.5 * ms)
    assert "12.5" not in str(G.equations) and "tau_m" in str(G.equations)
    assert G.namespace["tau_m"] == 12.5 * ms
    # per-neuron parameters as constant state variables
    G2 = models.neuron_group(models.neuron("lif"), 3, variable_params=["tau_m"])
    G2.tau_m = [5, 10, 20] * ms
    assert list(G2.tau_m[:] / ms) == [5, 10, 20]
    with pytest.raises(ModelError, match="not a parameter"):
        models.neuron_group(models.neuron("lif"), 3, variable_params=["nonsense"])
