"""The discrete-time LSNN of Bellec et al. (2020) and its e-prop machinery, as Brian2 code.

One time step (dt = 1 ms), for recurrent neuron j, following the Methods of Bellec et al. 2020
(Nat. Commun. 11:3625) and ``EligALIF`` in the reference code (github IGITUGraz/eligibility_propagation,
``Figure_3_and_S7_e_prop_tutorials/models.py``)::

    a_j[t]  = rho a_j[t-1] + z_j[t-1]                         adaptation (matters where beta_j > 0: ALIF)
    v_j[t]  = alpha v_j[t-1] + sum_i W_in[i,j] x_i[t]
              + sum_i W_rec[i,j] z_i[t-1] - v_th z_j[t-1]      reset by subtraction; z enters one step late
    A_j[t]  = v_th + beta_j a_j[t]                             adaptive threshold
    z_j[t]  = H(v_j[t] - A_j[t])  unless refractory            refractory for n_ref - 1 steps after a spike
    psi_j[t]= gamma / v_th * max(0, 1 - |v_j[t] - A_j[t]| / v_th)   pseudo-derivative (0 while refractory)
    y_k[t]  = kappa y_k[t-1] + (1 - kappa) sum_j W_out[j,k] z_j[t]  leaky readout

Eligibility vectors (per synapse i -> j, with pre-synaptic activity ``p_i[t]`` = ``x_i[t]`` for input
synapses and ``z_i[t-1]`` for recurrent ones)::

    eps_v[t] = alpha eps_v[t-1] + p_i[t]                        (shared by all j: a pre-synaptic trace)
    eps_a[t] = (rho - beta_j psi_j[t-1]) eps_a[t-1] + psi_j[t-1] eps_v[t-1]
    e[t]     = psi_j[t] (eps_v[t] - beta_j eps_a[t])            eligibility trace
    ebar[t]  = kappa ebar[t-1] + (1 - kappa) e[t]               filtered like the readout

and the e-prop gradient ``dE/dW_ji = sum_t L_j[t] ebar_ji[t]`` with the learning signal
``L_j[t] = sum_k B_jk dE/dy_k[t]`` (``B = W_out`` for symmetric feedback, fixed random for random
feedback).  Membrane potentials and thresholds are dimensionless (arbitrary units), as in the paper.

In Brian2 each step is code run once per 1 ms step (``run_regularly``), not differential equations:
the model is defined in discrete time.  The constants the code uses come from the group namespace:
``alpha = exp(-dt/tau_m)``, ``rho = exp(-dt/tau_a)``, ``kappa = exp(-dt/tau_out)``, ``v_th``,
``gamma``, ``n_ref`` (see :class:`workbench.networks.lsnn.LSNNConfig`), and the TimedArrays ``X``
(input spikes), ``Y`` (targets), ``M`` (loss weights) and ``RS`` (1 at the first step of each trial:
the state resets there).  :data:`SCHEDULE` orders the code within a step; the network is assembled in
:func:`workbench.networks.lsnn.build_lsnn`.
"""
from __future__ import annotations

__all__ = [
    "INPUT_EQS", "INPUT_THRESHOLD", "INPUT_STEP",
    "REC_EQS", "REC_THRESHOLD", "REC_START", "REC_STEP",
    "OUT_EQS", "OUT_EQS_CE", "OUT_STEP", "OUT_ERR_MSE", "OUT_ERR_CE",
    "PLASTIC_EQS", "PLASTIC_EQS_ALIF", "TRANSMIT", "ELIG_ALIF", "ELIG_LIF",
    "READOUT_EQS", "READOUT_GRAD", "FEEDBACK_EQS", "SOFTMAX_NORM_EQS", "SCHEDULE",
]

# ---- input neurons: x[t] read from X, and the shared pre-synaptic trace eps_v of input synapses
INPUT_EQS = "x : 1\nev : 1"
INPUT_THRESHOLD = "x > 0.5"
INPUT_STEP = "x = X(t, i)\nev = alpha*ev*(1 - RS(t)) + x"

# ---- recurrent LIF / ALIF neurons (beta = 0: LIF)
REC_EQS = """v : 1
             a : 1
             z : 1
             r : 1
             psi : 1
             evr : 1
             zbar : 1
             count : 1
             Iin : 1
             Irec : 1
             L : 1
             beta : 1 (constant)"""
#: recurrent spikes z[t-1] are emitted at the start of step t, so they arrive one step late
REC_THRESHOLD = "z > 0.5"
#: eps_v of recurrent synapses (pre-synaptic activity z[t-1]), reset at a trial's first step
REC_START = "evr = (alpha*evr + z)*(1 - RS(t))"
#: one neuron step: reset at a trial's first step, then a, v, refractoriness, z[t], psi[t], zbar
REC_STEP = """
keep = 1 - RS(t)
z = z*keep
v = v*keep
a = a*keep
r = r*keep
zbar = zbar*keep
Irec = Irec*keep
a = rho*a + z
v = alpha*v + Iin + Irec - v_th*z
refr = int(r > 0.5)
A = v_th + beta*a
z = int(v > A)*(1 - refr)
r = clip(r + n_ref*z - 1, 0, n_ref)
psi = (1 - refr)*gamma/v_th*clip(1 - abs(v - A)/v_th, 0, 1)
zbar = kappa*zbar + (1 - kappa)*z
count += z
Iin = 0
Irec = 0
"""

# ---- leaky readouts y, targets yt, loss weights m and the output error err = dE/dy
OUT_EQS = "y : 1\nyt : 1\nm : 1\nerr : 1\nIout : 1"
#: cross-entropy: Zs = sum_k exp(y_k), the softmax normaliser
OUT_EQS_CE = OUT_EQS + "\nZs : 1"
OUT_STEP = """y = kappa*y*(1 - RS(t)) + (1 - kappa)*Iout
                      yt = Y(t, i)
                      m = M(t, i)"""
OUT_ERR_MSE = "err = m*(y - yt)"
OUT_ERR_CE = "err = m*(exp(y)/Zs - yt)"

# ---- plastic input and recurrent synapses: weight w, accumulators G = sum_t L ebar and E = sum_t e
PLASTIC_EQS = "w : 1\nG : 1\nE : 1\nebar : 1"
#: onto ALIF neurons the adaptation eligibility vector eps_a is simulated too
PLASTIC_EQS_ALIF = PLASTIC_EQS + "\nepsa : 1"
#: transmission; ``{src}`` is ``Iin`` (input synapses) or ``Irec`` (recurrent ones)
TRANSMIT = "{src}_post += w"
#: eligibility trace onto ALIF neurons; ``{ev}`` is the pre-synaptic eps_v (``ev`` or ``evr``)
ELIG_ALIF = """
epsa = epsa*(1 - RS(t))
e = psi_post*({ev}_pre - beta_post*epsa)
ebar = kappa*ebar*(1 - RS(t)) + (1 - kappa)*e
G += L_post*ebar
E += e
epsa = (rho - beta_post*psi_post)*epsa + psi_post*{ev}_pre
"""
#: eligibility trace onto LIF neurons (beta = 0: eps_a vanishes)
ELIG_LIF = """
e = psi_post*{ev}_pre
ebar = kappa*ebar*(1 - RS(t)) + (1 - kappa)*e
G += L_post*ebar
E += e
"""

# ---- readout weights (recurrent -> output) with their exact gradient G = sum_t err zbar
READOUT_EQS = "w : 1\nG : 1\nIout_post = w*z_pre : 1 (summed)"
READOUT_GRAD = "G += err_post*zbar_pre"
#: learning signal L_j = sum_k B_jk err_k (output -> recurrent feedback)
FEEDBACK_EQS = "B : 1\nL_post = B*err_pre : 1 (summed)"
#: softmax normaliser (output -> output, all to all)
SOFTMAX_NORM_EQS = "Zs_post = exp(y_pre) : 1 (summed)"

#: (when, order) of each piece of code within a step.  Recurrent spikes are therefore transmitted (and
#: recorded by a spike monitor) one step after they are computed.
SCHEDULE = {
    "input": ("start", 0),           # inputs: x = X(t); eps_v_in = alpha eps_v_in + x
    "rec_start": ("start", 1),       # recurrent eps_v = alpha eps_v + z[t-1]
    # thresholds: inputs emit x[t], recurrent neurons z[t-1]; synapses: I_in += W_in x, I_rec += W_rec z
    "rec_step": ("end", 0),          # a, v, refractoriness, z[t], psi[t], zbar
    "readout": ("end", 1),           # (summed) I_out = sum_j W_out z_j[t]
    "out_step": ("end", 2),          # readout y[t], targets, output error (mse)
    "softmax_norm": ("end", 3),      # (summed, ce) softmax normaliser
    "out_err_ce": ("end", 4),        # (ce) output error
    "feedback": ("end", 5),          # (summed) learning signal L_j
    "readout_grad": ("end", 5),      # output-weight gradient
    "eligibility": ("end", 6),       # e, ebar, G += L ebar, E += e, eps_a for the next step
}
