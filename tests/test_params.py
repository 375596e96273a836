"""Parameter declaration, parsing with units, validation errors, hashing."""
import pytest
from brian2 import DimensionMismatchError, Hz, mV, ms, nS, second

from workbench.params import Param, ParameterError, parse_assignments, parse_quantity, resolve

SPEC = {
    "tau": Param(10 * ms, "time constant"),
    "n": Param(5, "count"),
    "gain": Param(1.5, "gain"),
    "flag": Param(False, "a flag"),
    "dataset": Param("digits", "data", choices=("digits", "mnist")),
    "models": Param((), "names", kind=list),
}


@pytest.mark.parametrize("text,expected", [("5*ms", 5 * ms), ("5 ms", 5 * ms), ("-65 mV", -65 * mV),
                                           ("2.5*nS", 2.5 * nS), ("1e3 Hz", 1000 * Hz), ("0.2*second", 0.2 * second)])
def test_parse_quantity(text, expected):
    assert abs(float(parse_quantity(text) - expected)) < 1e-15


def test_parse_quantity_rejects_code():
    with pytest.raises(ValueError):
        parse_quantity("__import__('os')")
    with pytest.raises(ValueError):
        parse_quantity("5 parsecs")


def test_resolve_converts_strings():
    p = resolve(SPEC, {"tau": "20 ms", "n": "7", "gain": "2", "flag": "true", "models": "lif,adex"})
    assert p.tau == 20 * ms and p.n == 7 and p.gain == 2.0 and p.flag is True
    assert p.models == ("lif", "adex")
    assert p["dataset"] == "digits"


def test_unknown_key_names_it_and_lists_valid():
    with pytest.raises(ParameterError) as exc:
        resolve(SPEC, {"tua": "5 ms"})
    msg = str(exc.value)
    assert "'tua'" in msg and "did you mean 'tau'" in msg and "valid parameters" in msg and "gain" in msg


@pytest.mark.parametrize("key,value,fragment", [("tau", "5 mV", "units of"), ("n", "2.5", "expected int"),
                                                ("flag", "maybe", "expected bool"), ("dataset", "cifar", "not one of"),
                                                ("gain", "abc", "expected float")])
def test_wrong_value_names_key(key, value, fragment):
    with pytest.raises(ParameterError) as exc:
        resolve(SPEC, {key: value})
    assert repr(key) in str(exc.value) and fragment in str(exc.value)


def test_hash_is_stable_and_sensitive():
    a = resolve(SPEC, {"tau": "20 ms"})
    b = resolve(SPEC, {"tau": 20 * ms})
    c = resolve(SPEC, {"tau": 21 * ms})
    assert a.hash() == b.hash() != c.hash()
    assert '"tau": "20 ms"' in a.to_json()


def test_parse_assignments():
    assert parse_assignments(["n-exc=400", "dataset=fashion-mnist"]) == {"n_exc": "400", "dataset": "fashion-mnist"}
    with pytest.raises(ParameterError):
        parse_assignments(["n_exc"])


# ---- bounds and finite values (issue 16): checked in resolve(), before anything is built.
# Each fails if check_value() is not called in resolve() or the default rules in _bounds() are dropped.
BOUNDED = {
    "dt": Param(0.1 * ms, "time step"),
    "duration": Param(1 * second, "duration"),
    "rate": Param(20 * Hz, "rate"),
    "t_ref": Param(-1 * ms, "a negative sentinel default: no sign rule"),
    "n": Param(5, "count", min=1),
    "x": Param(0.5, "fraction", min=0, max=1),
}


@pytest.mark.parametrize("key,value,fragment", [
    ("dt", "-1 us", "greater than '0 s'"), ("dt", "0 ms", "greater than '0 s'"),
    ("duration", "-1 s", "at least '0 s'"), ("rate", "-5 Hz", "at least '0 Hz'"),
    ("n", "0", "at least 1"), ("x", "1.5", "at most 1"), ("x", "nan", "not a finite number"),
    ("x", "inf", "not a finite number"), ("duration", float("inf") * second, "not a finite number"),
])
def test_bad_numbers_refused(key, value, fragment):
    with pytest.raises(ParameterError) as exc:
        resolve(BOUNDED, {key: value})
    assert repr(key) in str(exc.value) and fragment in str(exc.value)


def test_bounds_allow_valid_and_sentinels():
    p = resolve(BOUNDED, {"dt": "1 us", "duration": "0 s", "t_ref": "-3 ms", "n": 1, "x": 1})
    assert p.dt == 1e-6 * second and p.t_ref == -3 * ms and p.n == 1


def test_bare_number_names_the_unit():
    with pytest.raises(ParameterError) as exc:
        resolve(BOUNDED, {"duration": "5"})
    msg = str(exc.value)
    assert "no unit" in msg and "duration='1 s'" in msg and "rad" not in msg


def test_parse_bool_reads_the_words_a_boolean_parameter_takes():
    """One home for the spellings of a boolean (the parameter kind and the biosignal memory estimate use it)."""
    from workbench.params import parse_bool
    assert [parse_bool(v) for v in ("on", " Yes", "TRUE", "1", True, "off", "no", "False", "0", False)] == [True] * 5 + [False] * 5
    with pytest.raises(ValueError):
        parse_bool("maybe")
    with pytest.raises(ValueError):
        parse_bool(2)
