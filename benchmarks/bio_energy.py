"""Energy per classified sample of a biosignal LSM on the chip models: the ``hardware`` protocol
deploys the liquid that a ``biosignal`` archive (``model=lsm``) stores, with its encoded input spikes
and folds, and estimates energy, latency and spikes per classified sample; the chip's accuracy
beside the Brian2 accuracy of the same archive.  Writes ``benchmarks/results/bio_energy_CHIP.nc``.

    nice -n 10 python benchmarks/bio_study.py mitdb100 --set chunk=1135 --out /tmp/m100.nc
    nice -n 10 python benchmarks/bio_energy.py /tmp/m100.nc --chip loihi --n-test 200
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import write_result  # noqa: E402

from workbench.protocol import run  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", help="biosignal archive of model=lsm")
    p.add_argument("--chip", default="loihi")
    p.add_argument("--n-test", type=int, default=200)
    p.add_argument("--weight-bits", type=int, default=8)
    a = p.parse_args(argv)
    params = dict(source=a.source, chip=a.chip, n_test=a.n_test, weight_bits=a.weight_bits)
    hw = run("hardware", params, progress=True)
    keys = ("test_accuracy", "source_accuracy", "energy_per_inference", "dynamic_energy_per_inference",
            "latency_per_inference", "spikes_per_inference", "synops_per_inference", "cores_used")
    values = {k: (float(hw[k]), hw[k].attrs["units"], hw[k].attrs["long_name"]) for k in keys}
    path = write_result(f"bio_energy_{a.chip}", values, config=dict(params, source_dataset=hw.attrs.get("dataset", "")),
                        protocols=["hardware", "biosignal"],
                        how_chosen="nothing chosen on the chip: the liquid and settings of the source archive "
                                   "(chosen there by inner CV on training samples)")
    print(path)
    for k, (v, u, _) in values.items():
        print(f"{k} = {v:.4g} {u}")


if __name__ == "__main__":
    main()
