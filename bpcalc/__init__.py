"""bpcalc: worked-example solver for backpropagation."""

__version__ = "0.1.0"
