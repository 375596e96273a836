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
    ap.add_argument("--mismatch", default="", help="also run 8-bit with these mismatch CVs (e.g. 0.05,0.1,0.2)")
    ap.add_argument("--learning", default="none,chip,float", help="learning modes below 8 bits")
    a = ap.parse_args(argv)
    base = dict(source=a.source, chip=a.chip, n_test=a.n_test, n_assign=a.n_assign, n_learn=a.n_learn)
    rows = []
    configs = []
    for bits in [int(b) for b in a.bits.split(",")]:
        for learning in (("none",) if bits >= 8 else a.learning.split(",")):
            if learning == "float" and bits != min(int(b) for b in a.bits.split(",")):
                continue  # float learning does not depend on the bit width: run it once
            configs.append((bits, learning, 0.0))
    configs += [(8, "none", float(cv)) for cv in a.mismatch.split(",") if cv]
    for bits, learning, cv in configs:
        if True:
            t0 = time.perf_counter()
            ds = run("hardware", dict(base, weight_bits=bits, learning=learning, mismatch_cv=cv), progress=False)
            e = ds["energy_by_event"]
            rows.append((bits, learning, float(ds["float_accuracy"]), float(ds["test_accuracy"]),
                         float(ds["accuracy_loss"]), float(ds["energy_per_inference"]),
                         float(ds["latency_per_inference"]), float(ds["weight_rel_rms_error"]),
                         {str(k): float(v) for k, v in zip(e["energy_event"].values, e.values)},
                         float(ds["source_accuracy"]), time.perf_counter() - t0, cv))
            print(rows[-1], flush=True)
    print()
    print("| weight bits | learning | mismatch CV | float acc. | chip acc. | loss (pp) | weight RMS err. | "
          "energy/inf. (uJ) | synop / neuron / packet / hop / static (uJ) | latency/inf. (ms) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for b, l, fa, ca, loss, en, lat, err, br, src, wall, cv in rows:
        parts = " / ".join(f"{1e6 * br[k]:.3g}" for k in ("synop", "neuron_update", "packet", "hop", "static"))
        print(f"| {b} | {l} | {cv:g} | {100 * fa:.1f}% | {100 * ca:.1f}% | {100 * loss:+.1f} | {err:.3g} | {1e6 * en:.3g} | "
              f"{parts} | {1e3 * lat:.3g} |")
    print(f"\nsource archive (Brian2, conductance model) test accuracy: {100 * rows[0][9]:.1f}%")


if __name__ == "__main__":
    main()
