"""Unsupervised STDP digit learning (Diehl & Cook 2015, Front. Comput. Neurosci. 9:99).

784 Poisson inputs -> adaptive-threshold excitatory neurons (plastic STDP input synapses) -> as many
inhibitory neurons -> lateral inhibition; each neuron is assigned the class it answers most, and a test
image gets the class whose neurons fire most (equations: workbench/models/diehl_cook.py; network and
constants: workbench/networks/diehl_cook.py).  The default job: scikit-learn digits upsampled to 28x28,
100 excitatory neurons, 3 epochs over 1347 training images (one epoch is too little for this network),
classes assigned on one frozen pass over them, 450 test images; cpp_standalone (test accuracy 0.742, seed 0).

    workbench run stdp-digits --out run.nc
    workbench run stdp-digits --set dataset=fashion-mnist --set n_exc=400 --set n_train=60000 \
        --set n_test=10000 --set epochs=1 --out fmnist.nc
    workbench run stdp-digits ... --out run.nc --resume run.nc      # continue from the last checkpoint
    workbench figure stdp-receptive-fields run.nc     (also stdp-confusion, stdp-accuracy)
    workbench run stdp-digits --set target=loihi --out chip.nc     # trained for the chip (see chip.py)
    workbench run hardware --set source=chip.nc --set chip=loihi --out hw.nc
"""
from brian2 import mV, ms

from workbench.experiments import stdp_digits as sd
from workbench.models.diehl_cook import METHODS
from workbench.networks.diehl_cook import DC_PARAMS as DC
from workbench.experiments.memory import stdp_digits_memory
from workbench.params import Param
from workbench.protocol import Protocol

# ---- parameters that define the result (the one place their defaults live; DC: the authors' code)
PARAMS = {
    "dataset": Param("digits", "digits | fashion-mnist | mnist | idx:DIR"),
    "n_exc": Param(100, min=1, doc="excitatory (and inhibitory) neurons (paper: 100 to 6400)"),
    "n_train": Param(1347, min=1, doc="training images per epoch (the first n_train of the training set)"),
    "epochs": Param(3, min=1, doc="passes over the n_train training images"),
    "n_assign": Param(-1, min=-1, doc="training images shown to the frozen network to assign classes (-1: n_train, paper)"),
    "n_test": Param(450, min=1, doc="test images (the first n_test of the test set)"),
    "batch": Param(250, min=1, doc="presentation slots per compiled run; a checkpoint is written after each"),
    "update_interval": Param(10000, min=1, doc="training images whose responses give the running estimate's assignments "
                                    "(DC update_interval)"),
    "dt": Param(0.5 * ms, "integration time step (DC)"),
    "t_present": Param(350 * ms, "presentation time per image (DC single_example_time)"),
    "t_rest": Param(150 * ms, "rest between images (DC resting_time)"),
    "method": Param("exponential_euler", "integration of the neurons (euler: the authors' forward Euler, can run away; "
                    "implicit_euler: backward Euler, stable and cheaper)", choices=METHODS),
    "nu_pre": Param(DC["nu_pre"], min=0, doc="learning rate on presynaptic arrival (DC nu_ee_pre; paper Sec. 2.3)"),
    "nu_post": Param(DC["nu_post"], min=0, doc="learning rate on postsynaptic spike (DC nu_ee_post)"),
    "w_total": Param(DC["w_total"], min=0, doc="sum of input weights per excitatory neuron after normalisation (DC)"),
    "w_ei": Param(DC["w_ei"], min=0, doc="exc -> inh weight, one-to-one (DC connection generator)"),
    "w_ie": Param(DC["w_ie"], min=0, doc="inh -> every other exc weight (DC connection generator)"),
    "theta_plus": Param(DC["theta_plus"], min=0, doc="threshold increase per spike (DC theta_plus_e; paper Sec. 2.4)"),
    "tau_theta": Param(DC["tau_theta"], "threshold decay time constant (DC tc_theta)"),
    "runaway_spikes": Param(5, min=0, doc="rest-window excitatory spikes in one slot above which the slot is a runaway"),
    "runaway_guard": Param(20 * ms, "rest spikes are counted from this long after input offset"),
    "verify_normalisation": Param(False, "record weight sums before/after every normalisation (tests)"),
    # chip-faithful variant (workbench/experiments/stdp_digits/chip.py): trained on a digital chip's model
    "target": Param("", "train for this digital chip preset (loihi, ...) on its bit-accurate model: current "
                    "synapses, its decay resolution, weights quantized in the loop (stochastic rounding); "
                    "empty: Brian2"),
    "target_bits": Param(0, "weight bits of the chip-faithful variant (0: the chip's own)"),
    "target_v_ref": Param("mid", "voltage at which the conductance synapses become currents, per population, "
                          "fixed on the untrained network", choices=("mid", "rest", "threshold")),
    "target_max_repeats": Param(3, "most repeated presentations per image on the chip (DC: until 5 spikes)"),
    "target_theta_plus": Param(0.5 * mV, "threshold increase per spike on the chip (10x DC's: current synapses "
                               "lack the conductance drive's saturation near E_exc; chosen on training images, see "
                               "chip.py)"),
    "target_theta_range": Param(60.0 * mV, "threshold growth the chip's registers are sized for (Brian2 runs of "
                                "this protocol end with theta 18-32 mV above theta_init)"),
}


def run(params, ctx):
    data = sd.load_data(params)                              # data: images and labels, sizes checked
    if params.target:                                        # chip-faithful variant, trained on the chip's model
        return sd.train_for_chip(params, ctx, data)
    phases = sd.phases(params, data)                         # train x epochs (plastic), assign, test (frozen)
    with sd.Session(params, ctx, data, phases) as session:   # network on one build (or the --resume checkpoint)
        for phase in phases:
            session.run(phase)                               # batches of slots, a checkpoint after each
    return sd.final_archive(params, data, session)           # assign classes, vote, confusion, network, state


PROTOCOL = Protocol("stdp-digits", PARAMS, run, description=__doc__.splitlines()[0],
                    default_backend="cpp_standalone", resumable=True,
                    memory=stdp_digits_memory)
