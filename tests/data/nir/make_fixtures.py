"""Write the NIR test fixtures: small networks exported by snnTorch and Norse, with each library's own output.

Made with (in a virtual environment outside the project, not the workbench's):
    python 3.11.7, torch 2.13.0+cpu, snntorch 1.0.0, norse 1.1.0, nir 1.0.8, nirtorch 2.6, numpy 2.4.6

    python -m venv /tmp/nirvenv
    /tmp/nirvenv/bin/pip install torch==2.13.0
    echo "torch==2.13.0" > /tmp/torch.txt && /tmp/nirvenv/bin/pip install -c /tmp/torch.txt snntorch norse
    /tmp/nirvenv/bin/python tests/data/nir/make_fixtures.py

For each network NAME it writes NAME.nir (the library's own NIR export, written with
``nir.write(..., compression=None)``: a few tens of kB) and NAME.npz: ``input`` (steps x inputs, 0/1
spikes, the same for every network of a library), ``dt`` (the time step, in s, that the library's
exporter assumes), ``spikes_KEY`` (steps x neurons, 0/1) for each spiking node KEY of the NIR graph
and ``v_KEY`` (steps x neurons) for each readout node, from the library's own simulation.

Choices the test relies on (tests/test_nir_fixtures.py):
- snnTorch neurons reset to zero right after a spike (``reset_mechanism="zero"``,
  ``reset_delay=False``): NIR 1.0's reset to ``v_reset``; the exporter writes ``v_reset = 0``
  whatever the mechanism.  Parameters are per neuron (the exporter cannot type scalar ones).
- snnTorch's exporter assumes dt = 1e-4 s (hard-coded in snntorch/export_nir.py); Norse's
  ``to_nir`` defaults to dt = 1e-3 s, its cells' own default.
- Norse 1.1.0 writes ``tau = dt/tau_mem_inv`` (norse issue #411) and no ``w_in`` for LIFCell; the
  files are kept as written, and the test says how it reads them.
"""
import sys
from pathlib import Path

import nir
import numpy as np
import torch

HERE = Path(__file__).resolve().parent


def bernoulli(steps, n, p, seed):
    return (np.random.default_rng(seed).random((steps, n)) < p).astype(np.float32)


def set_linear(layer, rng, lo, hi, bias=(0.0, 0.0)):
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(rng.uniform(lo, hi, tuple(layer.weight.shape)).astype(np.float32)))
        if layer.bias is not None:
            layer.bias.copy_(torch.from_numpy(rng.uniform(*bias, tuple(layer.bias.shape)).astype(np.float32)))


def save(name, graph, dt, x, **arrays):
    nir.write(HERE / f"{name}.nir", graph, compression=None)
    np.savez_compressed(HERE / f"{name}.npz", input=x.astype(np.uint8), dt=np.float64(dt),
                        **{k: (v.astype(np.uint8) if k.startswith("spikes_") else v.astype(np.float32))
                           for k, v in arrays.items()})
    counts = {k: int(v.sum()) for k, v in arrays.items() if k.startswith("spikes_")}
    print(f"{name}: {sorted(graph.nodes)}, spikes {counts}")


def snntorch_fixtures():
    import snntorch as snn
    from snntorch.export_nir import export_to_nir

    def v(x, n):
        return torch.full((n,), float(x))

    steps, n_in = 300, 10
    x = bernoulli(steps, n_in, 0.08, seed=1)
    rng = np.random.default_rng(2)
    kw = dict(init_hidden=True, reset_mechanism="zero", reset_delay=False)

    # feed-forward Leaky (NIR LIF) with biases, two layers
    fc1, fc2 = torch.nn.Linear(n_in, 8), torch.nn.Linear(8, 4)
    set_linear(fc1, rng, -0.1, 0.5, (0.0, 0.04))
    set_linear(fc2, rng, -0.2, 0.8, (0.0, 0.02))
    lif1 = snn.Leaky(beta=v(0.95, 8), threshold=v(1.0, 8), **kw)
    lif2 = snn.Leaky(beta=v(0.9, 4), threshold=v(1.0, 4), output=True, **kw)
    net = torch.nn.Sequential(fc1, lif1, fc2, lif2)
    s1, s2 = [], []
    with torch.no_grad():
        for t in range(steps):
            a = lif1(fc1(torch.from_numpy(x[t])))
            b, _ = lif2(fc2(a))
            s1.append(a.numpy())
            s2.append(b.numpy())
    for m in (lif1, lif2):
        m.reset_mem()
    save("snntorch_leaky", export_to_nir(net, torch.zeros(1, n_in), ignore_dims=[0]), 1e-4, x,
         spikes_1=np.array(s1), spikes_3=np.array(s2))

    # Synaptic (NIR CubaLIF)
    fc = torch.nn.Linear(n_in, 6)
    set_linear(fc, rng, -0.02, 0.06, (0.0, 0.004))
    syn = snn.Synaptic(alpha=v(0.9, 6), beta=v(0.95, 6), threshold=v(1.0, 6), output=True, **kw)
    net = torch.nn.Sequential(fc, syn)
    out = []
    with torch.no_grad():
        for t in range(steps):
            out.append(syn(fc(torch.from_numpy(x[t])))[0].numpy())
    syn.reset_mem()
    save("snntorch_synaptic", export_to_nir(net, torch.zeros(1, n_in), ignore_dims=[0]), 1e-4, x,
         spikes_1=np.array(out))

    # RLeaky: all-to-all recurrent Linear (with bias) inside the layer, exported as a nested graph
    fc = torch.nn.Linear(n_in, 6)
    set_linear(fc, rng, -0.1, 0.5, (0.0, 0.02))
    rl = snn.RLeaky(beta=v(0.95, 6), threshold=v(1.0, 6), linear_features=6, output=True, **kw)
    set_linear(rl.recurrent, rng, -0.6, 0.4, (0.0, 0.01))
    net = torch.nn.Sequential(fc, rl)
    out = []
    with torch.no_grad():
        for t in range(steps):
            out.append(rl(fc(torch.from_numpy(x[t])))[0].numpy())
    rl.reset_mem()
    save("snntorch_rleaky", export_to_nir(net, torch.zeros(1, n_in), ignore_dims=[0]), 1e-4, x,
         **{"spikes_1.lif": np.array(out)})


def norse_fixtures():
    import norse.torch as norse
    from norse.torch.utils.export_nir import to_nir

    dt, steps, n_in = 1e-3, 200, 10
    x = bernoulli(steps, n_in, 0.05, seed=3)
    rng = np.random.default_rng(4)

    # LIFBoxCell (NIR LIF) -> Linear -> LIBoxCell (NIR LI readout)
    fc1, fc2 = torch.nn.Linear(n_in, 8), torch.nn.Linear(8, 3)
    set_linear(fc1, rng, -1.0, 6.0, (0.0, 0.5))
    set_linear(fc2, rng, -1.0, 3.0, (0.0, 0.2))
    p = norse.LIFBoxParameters(tau_mem_inv=torch.full((8,), 100.0), v_leak=torch.zeros(8), v_th=torch.ones(8),
                               v_reset=torch.zeros(8))
    lif = norse.LIFBoxCell(p, dt=dt)
    li = norse.LIBoxCell(norse.LIBoxParameters(tau_mem_inv=torch.full((3,), 50.0), v_leak=torch.zeros(3)), dt=dt)
    net = norse.SequentialState(fc1, lif, fc2, li)
    s, vs, ls, lis = [], [], None, None
    with torch.no_grad():
        for t in range(steps):
            z, ls = lif(fc1(torch.from_numpy(x[t])), ls)
            vli, lis = li(fc2(z), lis)
            s.append(z.numpy())
            vs.append(vli.numpy())
    save("norse_lifbox_li", to_nir(net, torch.zeros(n_in), dt=dt), dt, x, spikes_1=np.array(s), v_3=np.array(vs))

    # LIFCell (NIR CubaLIF)
    fc = torch.nn.Linear(n_in, 6)
    set_linear(fc, rng, -0.5, 2.5, (0.0, 0.1))
    cell = norse.LIFCell(norse.LIFParameters(tau_mem_inv=torch.full((6,), 100.0), tau_syn_inv=torch.full((6,), 200.0),
                                             v_leak=torch.zeros(6), v_th=torch.ones(6), v_reset=torch.zeros(6)), dt=dt)
    net = norse.SequentialState(fc, cell)
    s, st = [], None
    with torch.no_grad():
        for t in range(steps):
            z, st = cell(fc(torch.from_numpy(x[t])), st)
            s.append(z.numpy())
    save("norse_lif", to_nir(net, torch.zeros(n_in), dt=dt), dt, x, spikes_1=np.array(s))


if __name__ == "__main__":
    torch.manual_seed(0)
    which = sys.argv[1:] or ["snntorch", "norse"]
    if "snntorch" in which:
        snntorch_fixtures()
    if "norse" in which:
        norse_fixtures()
