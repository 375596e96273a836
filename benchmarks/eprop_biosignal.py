"""e-prop on the biosignal protocol's data and encoders (e.g. JapaneseVowels); one JSON line.

    python benchmarks/eprop_biosignal.py --set dataset=aeon:JapaneseVowels --eprop epochs=40

Registers :func:`workbench.experiments.biosignal_models.eprop_model` with the e-prop options given by
``--eprop`` as ``model=eprop``, then runs ``workbench run biosignal --set model=eprop`` on cpp_standalone.
"""
import argparse
import functools
import json
import sys

import numpy as np

from workbench.eprop.train import CLASSIFIER_DEFAULTS
from workbench.experiments import biosignal
from workbench.experiments.biosignal_models import eprop_model
from workbench.protocol import run


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--eprop", action="append", default=[], metavar="OPTION=VALUE",
                    help="train_classifier option (CLASSIFIER_DEFAULTS), e.g. epochs=40")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    opts = {}
    for kv in args.eprop:
        k, _, v = kv.partition("=")
        default = CLASSIFIER_DEFAULTS.get(k)
        opts[k] = v if isinstance(default, str) else float(v) if "." in v or "e" in v else int(v)
    biosignal.register_model("eprop", functools.partial(eprop_model, **opts), replace=True)
    over = {"model": "eprop"}
    for kv in args.set:
        k, _, v = kv.partition("=")
        over[k] = v
    ds = run("biosignal", over, backend="cpp_standalone", seed=args.seed, out=args.out, progress=False)
    out = {"overrides": over, "eprop_options": opts, "wall_time_s": float(ds.attrs["wall_time_s"])}
    for name, var in ds.data_vars.items():
        if var.ndim == 0 and np.issubdtype(var.dtype, np.number):
            out[name] = float(var)
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
