"""bpcalc: worked-example solver for backpropagation.

The Python API (bpcalc.api) is imported on first use, so `import bpcalc` (and the command
line, which reads `__version__`) loads no engine, SymPy, numpy or matplotlib:

    import bpcalc
    solution = bpcalc.solve("slides_2-2-1.yaml")   # or a dict, or bpcalc.solve(text=...)
    solution.final_weights["w47"]
"""

from bpcalc.errors import ProblemError as BpcalcError

__version__ = "0.1.0"
__all__ = ["BpcalcError", "CheckReport", "Picture", "Solution", "check", "solve"]
_API = frozenset({"CheckReport", "Picture", "Solution", "check", "solve"})


def __getattr__(name: str):
    """bpcalc.solve and the rest of the API, imported when first asked for (PEP 562)."""
    if name in _API:
        from bpcalc import api

        value = getattr(api, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'bpcalc' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
