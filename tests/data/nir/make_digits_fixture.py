"""Write digits_if.nir: a trained network built with the nir package, to deploy on the chip models in tests.

A ReLU MLP 784-20-10 trained on the workbench's digits (scikit-learn, early stopping on a 10% validation
split of the training images), normalised as the convert protocol does (99.9th percentile of the
training activations, Rueckauer et al. 2017) and written as NIR nodes by hand:
Input(784) -> Affine -> IF(20) -> Affine -> IF(10) -> Output, for spikes of area dt = 1 ms:
``IF(r = 1/dt, v_threshold = 1, v_reset = 0)``, so a spike through weight ``w`` moves ``v`` by ``w``
(the normalised weight, in units of the threshold) and a bias ``b`` adds ``b`` per step.  NIR 1.0
resets to ``v_reset``; the converted network resets by subtraction, so this file is the conversion
with reset to zero (a little less accurate).  ``metadata['dt']`` = 1e-3 s.

    PYTHONPATH=. python tests/data/nir/make_digits_fixture.py
"""
from pathlib import Path

import nir
import numpy as np

from workbench.experiments.convert import load_data, train_ann
from workbench.networks.converted import convert

HERE = Path(__file__).resolve().parent
DT = 1e-3  # s: one step, the spike area


def main():
    data = load_data("digits", -1, -1, np.random.default_rng(0))
    clf = train_ann(data, [20], alpha=1e-4, max_iter=200, validation_fraction=0.1, seed=0)
    net = convert(clf.coefs_, clf.intercepts_, data.X_train, "percentile", 99.9)
    nodes = {"input": nir.Input(input_type={"input": np.array([net.sizes[0]])})}
    edges, prev = [], "input"
    for k, (W, b) in enumerate(zip(net.weights, net.biases), start=1):
        n = W.shape[1]
        nodes[f"fc{k}"] = nir.Affine(weight=W.T.astype(np.float32), bias=b.astype(np.float32))
        nodes[f"if{k}"] = nir.IF(r=np.full(n, 1 / DT, np.float32), v_threshold=np.ones(n, np.float32),
                                 v_reset=np.zeros(n, np.float32))
        edges += [(prev, f"fc{k}"), (f"fc{k}", f"if{k}")]
        prev = f"if{k}"
    nodes["output"] = nir.Output(output_type={"output": np.array([net.sizes[-1]])})
    edges.append((prev, "output"))
    graph = nir.NIRGraph(nodes=nodes, edges=edges, metadata={"dt": DT}, type_check=False)
    nir.write(HERE / "digits_if.nir", graph)
    print(f"digits_if.nir: sizes {net.sizes}, ANN test accuracy {clf.score(data.X_test, data.y_test):.3f}")


if __name__ == "__main__":
    main()
