"""Scientific checks of the model library, from the two protocols that measure them.

* ``fi-curve``: f-I curves of every neuron model; the LIF rates against the analytic
  1/(t_ref + tau ln(RI/(RI - theta))) (Gerstner et al. 2014, Neuronal Dynamics, ch. 1.3).
* ``stdp-window``: one pairing protocol per rule (pair STDP variants, triplet STDP at Pfister &
  Gerstner 2006's frequencies, stochastic binary STDP); each measured weight change beside the rule's
  definition evaluated by an independent event-driven numpy code on the same spike times.

Writes ``benchmarks/results/model_checks.nc`` (the bounds that the tests enforce are in
``tests/test_models_*.py`` and ``tests/test_fi_curve.py`` / ``tests/test_stdp_window.py``).

    python benchmarks/model_checks.py
"""
import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import write_result  # noqa: E402  (the benchmarks' own helper, next to this script)

from workbench.protocol import run  # noqa: E402
from workbench.timing import Timer  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--fi-backend", default="numpy")
    p.add_argument("--stdp-backend", default="cpp_standalone")
    args = p.parse_args(argv)

    with Timer() as t_fi:
        fi = run("fi-curve", {}, backend=args.fi_backend, seed=0, progress=False)
    measured = fi["rate"].sel(model="lif").values
    analytic = fi["lif_rate_analytic"].values
    firing = analytic > 0
    rel = np.abs(measured[firing] - analytic[firing]) / analytic[firing]
    silent_ok = bool(np.all(measured[~firing] == 0))

    with Timer() as t_stdp:
        sw = run("stdp-window", {}, backend=args.stdp_backend, seed=0, progress=False)
    det = [r for r in sw["rule"].values if "stochastic" not in str(r)]
    dw = sw["dw"].sel(rule=det).values
    dw_exp = sw["dw_expected"].sel(rule=det).values
    scale = np.nanmax(np.abs(dw_exp), axis=1, keepdims=True)
    pair_err = float(np.nanmax(np.abs(dw - dw_exp) / scale))
    sto = [r for r in sw["rule"].values if "stochastic" in str(r)]
    z = np.nan
    if sto:
        d = sw["dw"].sel(rule=sto).values
        e = sw["dw_expected"].sel(rule=sto).values
        s = sw["dw_sem"].sel(rule=sto).values
        ok = s > 0
        z = float(np.nanmax(np.abs(d[ok] - e[ok]) / s[ok]))
    trip = np.nan
    if "triplet_dw" in sw:
        a, b = sw["triplet_dw"].values, sw["triplet_dw_expected"].values
        trip = float(np.nanmax(np.abs(a - b)) / np.nanmax(np.abs(b)))

    print(f"LIF f-I: max relative error {rel.max():.4%} over {firing.sum()} firing steps; silent below "
          f"rheobase: {silent_ok}")
    print(f"STDP: deterministic rules max error {pair_err:.2e} (of each rule's largest change); triplet {trip:.2e}; "
          f"stochastic max |z| {z:.2f}")
    write_result("model_checks", {
        "lif_fi_max_rel_error": (float(rel.max()), "1", "LIF f-I: largest relative error against the analytic rate"),
        "lif_fi_steps": (int(firing.sum()), "1", "LIF f-I: current steps above rheobase compared"),
        "lif_fi_silent_below_rheobase": (int(silent_ok), "1", "LIF f-I: no spikes below rheobase (1: yes)"),
        "fi_n_models": (int(fi.sizes["model"]), "1", "neuron models measured by fi-curve"),
        "fi_cpu_s": (t_fi.cpu, "s", "fi-curve: CPU time"),
        "stdp_n_rules": (int(sw.sizes["rule"]), "1", "plasticity rules measured by stdp-window"),
        "stdp_det_max_rel_error": (pair_err, "1", "deterministic STDP rules: largest error against the rule "
                                   "definition, relative to the rule's largest change"),
        "stdp_triplet_max_rel_error": (trip, "1", "triplet STDP (Pfister & Gerstner 2006 protocol): largest "
                                       "relative error"),
        "stdp_stochastic_max_z": (z, "1", "stochastic binary STDP: largest |measured - expected| / s.e.m."),
        "stdp_cpu_s": (t_stdp.cpu, "s", "stdp-window: CPU time"),
    }, config={"fi_backend": args.fi_backend, "stdp_backend": args.stdp_backend, "seed": 0},
        protocols=["fi-curve", "stdp-window"])


if __name__ == "__main__":
    main()
