"""Brian2 functions with fast generated-code implementations.

``exp_fast(x)``: the exponential, for state updaters written by hand in hot
loops (e.g. the exponential-Euler membrane step of the Diehl & Cook network,
one call per neuron per time step).  In C++ (``cpp_standalone``) it is an
inline, branch-free Cody-Waite range reduction (``x = n ln2 + r``,
``|r| <= ln2/2``) and a degree-13 Taylor polynomial, exact to a few units in
the last place (tested against numpy over [-700, 700]); it inlines and the
compiler can vectorise the loop around it, where glibc's ``exp`` is an
external call per element.  Arguments are clamped to [-708, 709] (``exp`` of
anything below is flushed to ~0 anyway: the standalone builds link with
``-ffast-math``).  numpy and Cython use the library ``exp``, brian2cuda and
Brian2GeNN (where installed) the device's ``exp``.
"""
from __future__ import annotations

import numpy as np
from brian2 import Function
from brian2.codegen.generators import CPPCodeGenerator, CythonCodeGenerator

__all__ = ["exp_fast", "EXP_FAST_CPP"]

EXP_FAST_CPP = r"""
#include <cstdint>
static inline double _wb_exp_fast(double x)
{
    x = x < -708.0 ? -708.0 : (x > 709.0 ? 709.0 : x);
    const double n = __builtin_floor(x*1.44269504088896340736 + 0.5);
    // ln2 split in a high part with trailing zero bits (n*hi is exact) and the rest (fdlibm)
    const double r = (x - n*6.93147180369123816490e-01) - n*1.90821492927058770002e-10;
    double p = 1.0/6227020800.0;
    p = p*r + 1.0/479001600.0;
    p = p*r + 1.0/39916800.0;
    p = p*r + 1.0/3628800.0;
    p = p*r + 1.0/362880.0;
    p = p*r + 1.0/40320.0;
    p = p*r + 1.0/5040.0;
    p = p*r + 1.0/720.0;
    p = p*r + 1.0/120.0;
    p = p*r + 1.0/24.0;
    p = p*r + 1.0/6.0;
    p = p*r + 0.5;
    p = p*r + 1.0;
    p = p*r + 1.0;
    union { int64_t i; double d; } s;                 // 2**n, n in [-1021, 1023]
    s.i = ((int64_t)n + 1023) << 52;
    return p*s.d;
}
"""


def _make_exp_fast() -> Function:
    f = Function(np.exp, arg_units=[1], return_unit=1, auto_vectorise=False, stateless=True)
    f.implementations.add_implementation(CPPCodeGenerator, code=EXP_FAST_CPP, name="_wb_exp_fast")
    # Cython: the C library's exp.
    f.implementations.add_implementation(CythonCodeGenerator, code="from libc.math cimport exp as _wb_exp_fast",
                                         name="_wb_exp_fast")
    _gpu_implementations(f)
    return f


def _gpu_implementations(f: Function) -> None:
    """brian2cuda and Brian2GeNN, where installed: their own ``exp`` (fast on the GPU)."""
    try:
        from brian2cuda.cuda_generator import CUDACodeGenerator  # optional GPU package: imported only if installed
    except Exception:     # not installed (the usual case), or an incompatible Brian2
        pass
    else:
        f.implementations.add_implementation(
            CUDACodeGenerator, name="_wb_exp_fast",
            code="inline __host__ __device__ double _wb_exp_fast(double x) { return exp(x); }")
    try:
        from brian2genn.genn_generator import GeNNCodeGenerator  # optional GPU package: imported only if installed
    except Exception:
        pass
    else:
        f.implementations.add_implementation(GeNNCodeGenerator, code=None, name="exp")


exp_fast = _make_exp_fast()
