"""Deploy a trained network on a simulated Loihi-like AER chip (Davies et al. 2018): quantize, map,
run the test set; accuracy, energy, latency and traffic, against the float reference.

Sources: a Diehl & Cook (stdp-digits) archive, or a biosignal archive of the liquid (model=lsm).

    workbench run stdp-digits --out dc.nc
    workbench run hardware --set source=dc.nc --set chip=loihi --set weight_bits=8 --out hw.nc
    workbench figure hw-bits hw.nc      (needs --set sweep_bits=1,2,4,8,16)
    workbench figure hw-energy hw.nc; workbench figure hw-links hw.nc; workbench figure hw-cores hw.nc
"""
import dataclasses

from brian2 import ms

from workbench.experiments import hardware as hw
from workbench.hardware.chips import get_chip
from workbench.hardware.deploy import DeployOptions, reporting
from workbench.experiments.memory import hardware_memory
from workbench.params import Param
from workbench.protocol import Protocol

# ---- parameters that define the result (the one place their defaults live)
PARAMS = {
    "source": Param("", "trained archive to deploy (stdp-digits, or biosignal with model=lsm)"),
    "chip": Param("loihi", "chip preset (loihi, truenorth, dynapse, spinnaker) or a .toml chip file"),
    "weight_bits": Param(8, "weight precision in bits (0: the chip's own; Loihi: 1 to 9, Davies et al. 2018)"),
    "scale": Param("pow2", "weight scale: power of two or free", choices=("pow2", "free")),
    "scale_per": Param("population", "weight scale shared per population or per core", choices=("population", "core")),
    "rounding": Param("nearest", "weight rounding", choices=("nearest", "stochastic")),
    "mapping": Param("metis", "neuron-to-core allocation", choices=("metis", "sequential")),
    "dt": Param(0.0 * ms, "chip tick (0: the source's time step; biosignal: 0.5 ms if not recorded)"),
    "v_ref": Param("threshold", "voltage at which conductance synapses become currents on chips without them "
                   "(mid: halfway between rest and threshold)", choices=("threshold", "mid", "rest")),
    "t_present": Param(350 * ms, "presentation time per image (Diehl & Cook 2015: 350 ms)"),
    "dataset": Param("", "data set of the test images (empty: the source archive's)"),
    "n_test": Param(200, "test images (<= 0: as many as the source archive tested)"),
    "assign": Param("chip", "class assignment: from the chip's responses to training images (as Diehl & Cook "
                    "assign after training), or the archive's", choices=("chip", "archive")),
    "n_assign": Param(-1, "training images for the chip's class assignment (-1: as the source archive)"),
    "min_spikes": Param(5, "fewer excitatory spikes than this: present again with higher intensity (Diehl & Cook)"),
    "max_repeats": Param(3, "most repeated presentations per image"),
    "learning": Param("none", "hardware-constrained STDP before testing: none, chip (quantized weights, stochastic "
                      "rounding) or float", choices=("none", "chip", "float")),
    "n_learn": Param(100, "training images for on-chip learning"),
    "stdp_rate": Param(0.0, "STDP potentiation amplitude (fraction of w_max; 0: the source's nu_post, with its "
                       "nu_pre for depression)"),
    "mismatch_cv": Param(0.0, "device mismatch (CV) on thresholds, leaks and weights"),
    "strict": Param(False, "raise on design-rule violations instead of recording them"),
    "lsm_rate": Param(0.0, "biosignal/LSM: rate (Hz) at which dynamic synapses are frozen to static ones "
                      "(0: the source's mean liquid rate)"),
    "nir": Param("", "also write the deployed neutral graph as a NIR file (path; empty: no)"),
    "sweep_bits": Param([], "weight widths for the accuracy/energy sweep (comma-separated)", kind=list),
}


def run(params, ctx):
    p = params
    src = hw.load_source(p.source, dt=p.dt, lsm_rate=p.lsm_rate, dataset=p.dataset, n_test=p.n_test,  # data, network
                         n_assign=p.n_assign, t_present=p.t_present, min_spikes=p.min_spikes,
                         max_repeats=p.max_repeats, assign=p.assign, n_learn=p.n_learn, stdp_rate=p.stdp_rate)
    chip = get_chip(p.chip)
    bits = p.weight_bits or chip.weight_bits
    opts = DeployOptions(scale=p.scale, per=p.scale_per, rounding=p.rounding, mapping=p.mapping, v_ref=p.v_ref,
                         strict=p.strict, mismatch_cv=p.mismatch_cv)
    with ctx.progress_bar(desc="hardware", unit="img") as bar, reporting(bar.update):  # images presented
        ref, main, seq, rates = hw.deploy_source(src, chip, opts, ctx.stream, bits=bits, learning=p.learning)
    loose = dataclasses.replace(opts, strict=False)  # the sweep records violations of narrow widths
    sweep = [(int(b), hw.redeploy(src, chip, loose, ctx.stream, main.mapping, bits=int(b))) for b in p.sweep_bits]
    if p.nir:
        hw.write_nir(src.graph, p.nir)
    return hw.archive(src, chip, bits, seq, p.mapping, ref, main, rates, sweep, source_path=p.source,
                      learning=p.learning)


PROTOCOL = Protocol("hardware", PARAMS, run, default_backend="numpy", memory=hardware_memory, description="Deploy a trained network "
                    "(stdp-digits archive) on a simulated AER chip: quantize, map, run the test set; accuracy, "
                    "energy, latency, traffic.")
