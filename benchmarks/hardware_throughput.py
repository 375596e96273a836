"""AER simulator throughput: synaptic events per wall-clock second on one core.

    OMP_NUM_THREADS=1 python benchmarks/hardware_throughput.py [--n-exc 400] [--inputs 784] [--batch 100]
    OMP_NUM_THREADS=1 python benchmarks/hardware_throughput.py --source DC.nc [--batch 100]

A Diehl & Cook shaped network (inputs all-to-all onto n_exc excitatory neurons with delays 0-10 ticks,
one-to-one onto inhibitory neurons, lateral inhibition) driven by Poisson inputs at up to 63.75 Hz, quantized
to Loihi's 8-bit weights; the trials of a batch run as one state array.  Prints events/s for the integer chip
and for the float reference, per wall-clock second and per CPU second of this process (on a shared machine
the CPU-time figure is the one-core throughput).

With ``--source`` a trained ``stdp-digits`` archive is deployed as it is (conductance synapses on two
receptors, its own dt, 350 ms per image, Poisson rates pixel/4 of its test images): the chip with
fixed-point conductance drive (Loihi numbers with conductance synapses), Loihi (currents at v_ref)
and the float reference.
"""
import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402

from workbench.hardware.aersim import encode_inputs, simulate  # noqa: E402
from workbench.hardware.graph import Graph, Population, Projection  # noqa: E402
from workbench.hardware.quantize import float_network, quantize  # noqa: E402


def dc_like(n_in, n_exc, seed=0):
    rng = np.random.default_rng(seed)
    post, pre = np.meshgrid(np.arange(n_exc), np.arange(n_in), indexing="ij")
    w = rng.random(n_exc * n_in)
    w *= 78.0 / n_in * 2 * 0.6 / w.mean() * (64 / n_in) ** 0  # mean drive like Diehl & Cook (w_total 78)
    idx = np.arange(n_exc)
    ii, jj = np.meshgrid(idx, idx, indexing="ij")
    off = ii != jj
    return Graph([Population("input", n_in, "input"),
                  Population("exc", n_exc, params=dict(tau_m=100.0, v_rest=-65.0, v_reset=-65.0, v_th=-52.0,
                                                       t_ref=5.0)),
                  Population("inh", n_exc, params=dict(tau_m=10.0, v_rest=-60.0, v_reset=-45.0, v_th=-40.0,
                                                       t_ref=2.0))],
                 [Projection("input_exc", "input", "exc", pre.ravel(), post.ravel(), w * 0.6,
                             delay=rng.integers(0, 11, n_exc * n_in).astype(float), synapse="delta"),
                  Projection("exc_inh", "exc", "inh", idx, idx, 50.0, synapse="delta"),
                  Projection("inh_exc", "inh", "exc", ii[off], jj[off], -13.0, synapse="delta")], dt=1.0)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n-exc", type=int, default=400)
    ap.add_argument("--inputs", type=int, default=784)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--ticks", type=int, default=350)
    ap.add_argument("--source", default="", help="a trained stdp-digits archive to deploy instead")
    a = ap.parse_args(argv)
    rng = np.random.default_rng(1)
    if a.source:
        import xarray as xr

        from workbench.datasets import load_images
        from workbench.hardware.chips import LOIHI
        from workbench.hardware.export import graph_from_stdp_digits

        g = graph_from_stdp_digits(xr.open_dataset(a.source))
        imgs = load_images("digits").test_images[:a.batch]
        a.inputs, a.ticks = imgs[0].size, int(round(350 / g.dt))
        stim = encode_inputs(imgs.reshape(len(imgs), -1) / 4.0, a.ticks, g.dt, rng)
        coba = LOIHI.replace(synapse_types=("current", "delta", "conductance"))
        nets = (("chip, conductance drive (8-bit)", quantize(g, coba, 8)),
                ("loihi, currents at v_ref (8-bit)", quantize(g, "loihi", 8, v_ref="threshold")),
                ("float reference (conductance)", float_network(g)))
    else:
        g = dc_like(a.inputs, a.n_exc)
        rates = rng.random((a.batch, a.inputs)) * 63.75
        stim = encode_inputs(rates, a.ticks, 1.0, rng)
        nets = (("chip (8-bit)", quantize(g, "loihi", 8)), ("float reference", float_network(g)))
    for name, net in nets:
        t0, c0 = time.perf_counter(), time.process_time()
        r = simulate(net, stim)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"{name}: {r.synaptic_events:.3e} synaptic events in {wall:.2f} s wall, {cpu:.2f} s CPU = "
              f"{r.synaptic_events / wall / 1e6:.1f} M events/s wall, {r.synaptic_events / cpu / 1e6:.1f} M/s CPU "
              f"({a.batch} trials x {a.ticks} ticks, {g.n_neurons} neurons, {g.n_synapses} synapses, "
              f"{r.counts[:, a.inputs:].sum() / a.batch:.0f} neuron spikes per trial)")


if __name__ == "__main__":
    main()
