"""Diehl & Cook on simulated chips: accuracy vs weight bits, with and without hardware-constrained learning.

    nice -n 5 python benchmarks/hardware_dc.py DC.nc [--n-test 450] [--n-assign -1] [--bits 8,4,2,1]
        [--learning none,chip] [--n-learn 100] [--v-ref threshold,mid] [--out results.json] [--result hardware_dc]

The table of BENCHMARKS.md: a fresh default run (``workbench run stdp-digits --out dc.nc``: digits, 100
excitatory neurons, 3 epochs) and ``--bits 8 --learning none --v-ref threshold --result hardware_dc``.

DC.nc is a finished ``workbench run stdp-digits`` archive.  Every model below sees the same Poisson
input draws (rates pixel/4, 350 ms per image, Diehl & Cook's repeat rule), is assigned classes from its
own responses to the same training images (``--n-assign -1``: as many as the archive used) and classifies
the same test images by mean assigned-class counts (:mod:`workbench.hardware.deploy`):

- ``brian2``: the archive's own test accuracy on the same test images;
- ``float``: the exported graph (conductance synapses, the source's dt) in float64;
- ``coba``: a chip with Loihi's numbers plus a fixed-point conductance drive (``synapse_types`` with
  ``'conductance'``; Loihi itself has none), at each weight width;
- ``loihi``: Loihi's CUBA compartment, conductances converted to currents at ``v_ref`` -- first in
  float64 (``chip float``), then at each weight width;
- learning ``chip``: pair STDP on the quantized input weights with stochastic rounding for ``--n-learn``
  training images before the assignment (``float``: the same on the float model).

Prints one line per configuration and a markdown table; ``--out`` writes the rows as JSON.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import write_result  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source")
    ap.add_argument("--n-test", type=int, default=450)
    ap.add_argument("--n-assign", type=int, default=-1)
    ap.add_argument("--n-learn", type=int, default=100)
    ap.add_argument("--bits", default="8,4,2,1")
    ap.add_argument("--learning", default="none,chip", help="learning modes at each width (none, chip)")
    ap.add_argument("--v-ref", default="threshold,mid", help="reference voltages for the Loihi (CUBA) rows")
    ap.add_argument("--chips", default="coba,loihi")
    ap.add_argument("--no-float", action="store_true", help="skip the float reference row")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="")
    ap.add_argument("--result", default="", help="write benchmarks/results/RESULT.nc (write_result)")
    a = ap.parse_args(argv)

    from workbench.experiments.hardware import load_source
    from workbench.hardware.chips import LOIHI
    from workbench.hardware.deploy import DeployOptions, deploy_images, map_network
    from workbench.protocol import RunContext

    source = load_source(a.source, n_test=a.n_test, n_assign=a.n_assign, n_learn=a.n_learn)
    graph, task, src = source.graph, source.task, source.archive
    n_test, n_assign = len(task.test_labels), task.n_assign
    streams = RunContext(protocol="hardware", backend="numpy", seed=a.seed).stream  # the protocol's random streams
    brian = float(np.mean(src["prediction"].values[:n_test] == src["label"].values[:n_test]))
    source_config = src.attrs.get("config", "")
    coba = LOIHI.replace(synapse_types=("current", "delta", "conductance"), name="loihi+conductance")
    rows = []

    def record(label, chip, bits, learning, v_ref, r, t0):
        st = r.stats
        row = dict(model=label, chip=chip.name, bits=bits, learning=learning, v_ref=v_ref,
                   accuracy=r.accuracy, brian2=brian, weight_rel_rms=r.qerr["weight_rel_rms"],
                   spikes=float(np.mean(r.counts.sum(axis=1))), repeats=float(np.mean(r.repeats)),
                   energy=float(st["energy"].mean()), dynamic=float((st["energy"] - st["energy_static"]).mean()),
                   latency=float(st["latency"].mean()),
                   breakdown={k: float(st[k].mean()) for k in ("energy_synop", "energy_neuron", "energy_packet",
                                                               "energy_hop", "energy_static")},
                   prediction=np.asarray(r.prediction).tolist(), wall=time.perf_counter() - t0)
        rows.append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "prediction"}), flush=True)
        return row

    chips = a.chips.split(",")
    for v_ref in a.v_ref.split(","):
        opts = DeployOptions(v_ref=v_ref)
        if v_ref == a.v_ref.split(",")[0] and not a.no_float:
            t0 = time.perf_counter()
            seq = map_network(graph, coba, "sequential", streams)
            record("float", coba, 0, "none", "", deploy_images(graph, coba, opts, task, streams, seq, exact=True), t0)
        for name in chips:
            chip = coba if name == "coba" else LOIHI
            if name == "coba" and v_ref != a.v_ref.split(",")[0]:
                continue  # v_ref does not matter with conductance synapses
            mapping = map_network(graph, chip, "sequential", streams)
            if name == "loihi":
                t0 = time.perf_counter()
                record("chip float", chip, 0, "none", v_ref,
                       deploy_images(graph, chip, opts, task, streams, mapping, exact=True, chip_float=True), t0)
            for bits in [int(b) for b in a.bits.split(",")]:
                for learning in a.learning.split(","):
                    if learning == "float" and bits != int(a.bits.split(",")[0]):
                        continue  # float learning does not depend on the weight width
                    if name == "loihi" and learning != "none":
                        continue  # learning is measured on the conductance chip (the faithful model)
                    if name == "loihi" and v_ref != a.v_ref.split(",")[0] and bits != 8:
                        continue  # the second v_ref: 8 bits only
                    t0 = time.perf_counter()
                    r = deploy_images(graph, chip, opts, task, streams, mapping, bits=bits,
                                      learn=None if learning == "none" else learning, exact=learning == "float")
                    record("chip", chip, bits, learning, v_ref if name == "loihi" else "", r, t0)
    print(f"\nBrian2 (archive) on these {n_test} test images: {100 * brian:.1f}%; assignment from {n_assign} "
          "training images")
    print("| model | chip | v_ref | weight bits | learning | accuracy | minus Brian2 (pp) | minus float (pp) | "
          "weight RMS err. | exc. spikes/img | dynamic energy/inf. (uJ) | total energy/inf. (uJ) | latency (ms) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    fl = rows[0]["accuracy"] if rows[0]["model"] == "float" else float("nan")
    for r in rows:
        print(f"| {r['model']} | {r['chip']} | {r['v_ref'] or '-'} | {r['bits'] or 'float'} | {r['learning']} | "
              f"{100 * r['accuracy']:.1f}% | {100 * (r['accuracy'] - brian):+.1f} | {100 * (r['accuracy'] - fl):+.1f} | "
              f"{r['weight_rel_rms']:.3g} | {r['spikes']:.1f} | {1e6 * r['dynamic']:.3g} | {1e6 * r['energy']:.3g} | "
              f"{1e3 * r['latency']:.3g} |")
    if a.out:
        with open(a.out, "w") as fh:
            json.dump(dict(brian2=brian, n_test=n_test, n_assign=n_assign, rows=rows), fh)
    if a.result:
        values = {"brian2_accuracy": (brian, "1", f"Brian2 test accuracy of the archive on these {n_test} images"),
                  "n_test": (n_test, "1", "test images"), "n_assign": (n_assign, "1", "training images for the "
                                                                           "class assignment")}
        for r in rows:
            key = _key(r)
            values[f"{key}_accuracy"] = (r["accuracy"], "1", f"test accuracy, {key}")
            values[f"{key}_energy"] = (r["energy"], "J", f"energy per inference, {key}")
            values[f"{key}_dynamic_energy"] = (r["dynamic"], "J", f"dynamic energy per inference, {key}")
            values[f"{key}_latency"] = (r["latency"], "s", f"latency per inference, {key}")
        write_result(a.result, values, config=dict(source=a.source, source_config=source_config, bits=a.bits,
                                                   learning=a.learning, v_ref=a.v_ref, chips=a.chips, seed=a.seed),
                     protocols=["hardware", "stdp-digits"],
                     how_chosen="nothing chosen on the test images: classes assigned from each model's responses "
                                "to training images; fixed chip presets and widths")


def _key(r) -> str:
    """A result-variable prefix of a table row, e.g. loihi_8b_threshold, coba_8b, loihi_chip_float_threshold."""
    if r["model"] == "float":
        return "float"
    if r["model"] == "chip float":
        return f"{r['chip']}_chip_float_{r['v_ref']}"
    chip = "coba" if "conductance" in r["chip"] else r["chip"]
    key = f"{chip}_{r['bits']}b"
    if r["learning"] != "none":
        key += f"_learn_{r['learning']}"
    return key + (f"_{r['v_ref']}" if r["v_ref"] else "")


if __name__ == "__main__":
    main()
