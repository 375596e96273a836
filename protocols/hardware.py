"""Deploy a trained network on a simulated Loihi-like AER chip (Davies et al. 2018): quantize, map,
run the test set; accuracy, energy, latency and traffic, against the float reference.  Or on a
memristive crossbar (chip=pcm: Joshi et al. 2020; chip=rram: Wan et al. 2022): weights programmed
as device conductances, spikes driving the array reads, tested drift_time seconds after programming.

Sources: a Diehl & Cook (stdp-digits) archive, a biosignal archive of the liquid (model=lsm), a convert
archive, or a NIR file (snnTorch, Norse, the nir package, ...) with the data set to test it on: its features
as Bernoulli spikes of probability x per tick for t_present, one tick per dt (the exporter's step, or the
file's metadata 'dt'), classes from the spike counts of the node feeding its Output.

    workbench run stdp-digits --out dc.nc
    workbench run hardware --set source=dc.nc --set chip=loihi --set weight_bits=8 --out hw.nc
    workbench figure hw-bits hw.nc      (needs --set sweep_bits=1,2,4,8,16)
    workbench figure hw-energy hw.nc; workbench figure hw-links hw.nc; workbench figure hw-cores hw.nc
    workbench run hardware --set source=dc.nc --set chip=pcm --set drift_time=86400 --out x.nc
    workbench run hardware ... --set chip=pcm --set sweep_drift_times=1,3600,86400,3.15e8 --out d.nc
    workbench figure hw-drift d.nc
    workbench run hardware --set source=net.nir --set dataset=fashion-mnist --set dt=1*ms --set t_present=100*ms
"""
import dataclasses

from brian2 import ms

from workbench.experiments import hardware as hw
from workbench.experiments import hardware_crossbar as xb
from workbench.hardware.chips import get_chip
from workbench.hardware.deploy import DeployOptions, reporting
from workbench.experiments.memory import hardware_memory
from workbench.params import Param
from workbench.protocol import Protocol

# ---- parameters that define the result (the one place their defaults live)
PARAMS = {
    "source": Param("", "trained archive to deploy (stdp-digits, biosignal with model=lsm, convert) or a .nir file "
                    "(give dataset= too)"),
    "chip": Param("loihi", "chip preset (loihi, truenorth, dynapse, spinnaker), crossbar preset (pcm, rram) or a "
                  ".toml chip or crossbar file"),
    "weight_bits": Param(8, "weight precision in bits (0: the chip's own; Loihi: 1 to 9, Davies et al. 2018; "
                         "not used on crossbars: their conductance levels and ADC bits set the precision)"),
    "scale": Param("pow2", "weight scale: power of two or free", choices=("pow2", "free")),
    "scale_per": Param("population", "weight scale shared per population or per core", choices=("population", "core")),
    "rounding": Param("nearest", "weight rounding", choices=("nearest", "stochastic")),
    "mapping": Param("metis", "neuron-to-core allocation", choices=("metis", "sequential")),
    "dt": Param(0.0 * ms, "chip tick (0: the source's time step; biosignal: 0.5 ms if not recorded; a .nir file: "
                "its metadata 'dt', else give the exporter's step, which is also the area of one spike)"),
    "v_ref": Param("threshold", "voltage at which conductance synapses become currents on chips without them "
                   "(mid: halfway between rest and threshold)", choices=("threshold", "mid", "rest")),
    "t_present": Param(350 * ms, "presentation time per image (Diehl & Cook 2015: 350 ms; also a .nir source's "
                       "time per test sample)"),
    "dataset": Param("", "data set of the test images (empty: the source archive's; a .nir source needs one: "
                     "image sets, idx:DIR or a biosignal spec, scaled to [0, 1] by its training data)"),
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
    # crossbars (chip=pcm, rram or a crossbar .toml); times in seconds after programming
    "drift_time": Param(0.0, "crossbar: seconds after programming at which the test runs (PCM drift reference "
                        "t0 = 20 s, aihwkit)"),
    "drift_compensation": Param(True, "crossbar: global drift compensation per tile (aihwkit "
                                "GlobalDriftCompensation, Le Gallo et al. 2018)"),
    "assign_time": Param(0.0, "crossbar: seconds after programming at which classes are assigned (or the readout "
                         "trained), once, as a deployed chip is calibrated"),
    "ideal_devices": Param(False, "crossbar: every non-ideality off (no noise, drift, stuck devices or wire "
                           "resistance, analog levels, ideal converters): the float reference's spikes"),
    "ir_drop": Param("first_order", "crossbar: wire-resistance model (exact: sparse solve of the array)",
                     choices=("first_order", "exact", "iterative")),
    "read_noise": Param("per_read", "crossbar: read noise drawn at every array read, or frozen once per "
                        "deployment (aihwkit)", choices=("per_read", "frozen")),
    "program_verify": Param(False, "crossbar: iterative program-and-verify instead of the preset's programming "
                            "spread"),
    "sweep_drift_times": Param([], "crossbar: seconds after programming of the drift sweep, each with and without "
                               "compensation (comma-separated)", kind=list),
    "sweep_levels": Param([], "crossbar: conductance levels per device to compare (each a chip of its own, tested at "
                          "drift_time; 0: analog)", kind=list),
    "compare_chips": Param(["loihi", "spinnaker"], "crossbar: digital chips on which the crossbar's spikes are also "
                           "counted (energy and latency of the same spike trains, sequential fill)", kind=list),
    "sweep_r_wire": Param([], "crossbar: wire resistances per cell segment (ohm) to compare (each a chip of its own)",
                          kind=list),
}


def run(params, ctx):
    p = params
    if xb.is_crossbar(p.chip):
        return run_crossbar(p, ctx)
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


def run_crossbar(p, ctx):
    opts = xb.options(p)                                                       # the crossbar spec and read times
    src = hw.load_source(p.source, dt=p.dt, lsm_rate=p.lsm_rate, dataset=p.dataset, n_test=p.n_test,  # data, network
                         n_assign=p.n_assign, t_present=p.t_present, min_spikes=p.min_spikes,
                         max_repeats=p.max_repeats, assign=p.assign)
    dep = xb.deploy(src, opts, ctx.stream, xb.sweep_points(p.sweep_drift_times),  # float; program, read, test
                    xb.variants(p), p.compare_chips)
    return xb.archive(src, opts, dep, source_path=p.source)


PROTOCOL = Protocol("hardware", PARAMS, run, default_backend="numpy", memory=hardware_memory,
                    description="Deploy a trained network (stdp-digits, LSM or convert archive, or a NIR file) on a simulated AER chip or a "
                    "memristive crossbar: quantize or program, map, run the test set; accuracy, energy, latency, "
                    "traffic.")
