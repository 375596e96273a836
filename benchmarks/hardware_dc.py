"""Diehl & Cook on a simulated Loihi: accuracy vs weight bits, with and without hardware-constrained learning.

    python benchmarks/hardware_dc.py DC.nc [--n-test 450] [--n-assign 1000] [--n-learn 200] [--chip loihi]

DC.nc is a finished ``workbench run stdp-digits`` archive.  For each configuration the hardware protocol runs
the float reference (same neutral graph, float64) and the quantized chip; accuracy loss = float - chip.
Prints a markdown table (accuracy, loss, energy and latency per inference, energy breakdown).
"""
import argparse
import time

from workbench.protocol import run


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("source")
    ap.add_argument("--n-test", type=int, default=450)
    ap.add_argument("--n-assign", type=int, default=1000)
    ap.add_argument("--n-learn", type=int, default=200)
    ap.add_argument("--chip", default="loihi")
    ap.add_argument("--bits", default="8,4,2,1")
    a = ap.parse_args(argv)
    base = dict(source=a.source, chip=a.chip, n_test=a.n_test, n_assign=a.n_assign, n_learn=a.n_learn)
    rows = []
    for bits in [int(b) for b in a.bits.split(",")]:
        for learning in (("none",) if bits >= 8 else ("none", "chip")):
            t0 = time.perf_counter()
            ds = run("hardware", dict(base, weight_bits=bits, learning=learning), progress=False)
            e = ds["energy_by_event"]
            rows.append((bits, learning, float(ds["float_accuracy"]), float(ds["test_accuracy"]),
                         float(ds["accuracy_loss"]), float(ds["energy_per_inference"]),
                         float(ds["latency_per_inference"]), float(ds["weight_rel_rms_error"]),
                         {str(k): float(v) for k, v in zip(e["energy_event"].values, e.values)},
                         float(ds["source_accuracy"]), time.perf_counter() - t0))
            print(rows[-1], flush=True)
    print()
    print("| weight bits | on-chip learning | float acc. | chip acc. | loss (pp) | weight RMS err. | "
          "energy/inf. (uJ) | synop / neuron / packet / hop / static (uJ) | latency/inf. (ms) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for b, l, fa, ca, loss, en, lat, err, br, src, wall in rows:
        parts = " / ".join(f"{1e6 * br[k]:.3g}" for k in ("synop", "neuron_update", "packet", "hop", "static"))
        print(f"| {b} | {l} | {100 * fa:.1f}% | {100 * ca:.1f}% | {100 * loss:+.1f} | {err:.3g} | {1e6 * en:.3g} | "
              f"{parts} | {1e3 * lat:.3g} |")
    print(f"\nsource archive (Brian2, conductance model) test accuracy: {100 * rows[0][9]:.1f}%")


if __name__ == "__main__":
    main()
