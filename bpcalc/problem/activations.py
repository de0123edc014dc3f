"""Every activation, each defined once: its function, its derivative and how it is written.

micrograd keeps an operation's forward and backward pass together; an entry here keeps
everything bpcalc needs of one activation: f and f' written once against the arithmetic
`m` they run in, the rule texts, the worked-line expression and what the activation needs.
The arithmetics (float, hand-rounded fractions, exact SymPy, numpy arrays) and the
renderers look an entry up; nothing else tests an activation's name, so a new activation
is one `register(ActivationSpec(...))` below, plus its tests.

What `m` supplies, in its own number type: `number(Fraction)`, `exp`, `tanh`, `logistic`
(1/(1 + e^-x), evaluated without overflow), `where(condition, a, b)`, `is_positive`,
`at_least(x, bound)`, and `+ - * /` on its numbers (Python ints mix in: `1 - z`). f' is
written from the carried activation z where the lecture does (sigmoid' = β z (1 - z)), so
with hand rounding it uses the rounded z, as a student does.

It lives beside the model because the model and the loader read it (the valid names, the
parameters' defaults, the perceptron rule); the maths is written against the arithmetic
the engine passes in, so it imports no engine (and nothing of bpcalc at all).

An activation over a whole layer (softmax, whose f needs every net of its layer and whose
derivative is a Jacobian) gives `layer_f(m, act, nets) -> outs`; the engine activates the
layer once its nets are settled, and `bpcalc.problem.losses.output_delta`, the one place
that says how an output delta is formed, sums over the Jacobian dz_k/dnet_j =
z_k (1[k = j] - z_j). Its `slope` is the Jacobian's diagonal, shown but never multiplied.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any, NamedTuple, Protocol

# A layer's activation with its parameters, `bpcalc.problem.model.Activation` (not imported:
# the model imports this module).
Activation = Any


class Terms(Protocol):
    """The constructors a worked line's expression is written with (the tree itself is
    `bpcalc.render.worked`'s); an entry builds its f(net) and f' factors from these."""

    def const(self, value: Fraction | int) -> Any: ...
    def sum(self, *terms) -> Any: ...
    def diff(self, left, right) -> Any: ...
    def prod(self, *factors) -> Any: ...
    def quot(self, numerator, denominator) -> Any: ...
    def neg(self, arg) -> Any: ...
    def power(self, base, exponent: int) -> Any: ...
    def exp(self, arg) -> Any: ...
    def func(self, name: str, *args) -> Any: ...
    def threshold(self, arg, bound) -> Any: ...
    def paren(self, arg) -> Any: ...


class Param(NamedTuple):
    """A number an activation takes from the problem file, under the key of its name (one
    value for every layer); `bpcalc.problem.model.Activation` has a field of that name."""

    key: str  # beta, threshold
    default: Fraction
    symbol: str  # how a rule names it: β, θ


class Case(NamedTuple):
    """One case of a piecewise derivative: f' is `slope` where `condition` holds."""

    slope: str  # "1"
    condition: str  # "{net} > 0", with the net's name for {net}
    holds: Callable[[Any, Activation, Any], bool]  # (m, act, net): is this the case?


class ActivationSpec(NamedTuple):
    """One activation: its maths, its texts, and what it needs."""

    name: str
    f: Callable[[Any, Activation, Any], Any]  # (m, act, net) -> z
    slope: Callable[[Any, Activation, Any, Any], Any]  # (m, act, net, z) -> f'(net)
    rule: Callable[[Activation, str, Callable[[str], str]], str]
    # (act, net, param) -> f(net)'s right-hand side: "1/(1 + e^(-net))"; param(key) is the
    # text a parameter is written with (its value, or its symbol)
    slope_rule: Callable[[Activation, str, str, Callable[[str], str]], str]
    # (act, net, f, param) -> f'(net)'s right-hand side in terms of f, the activation's
    # text ("f(net)", or "z4"): "f(net)(1 - f(net))"
    expression: Callable[[Activation, Any, Terms], Any]  # (act, net, terms) -> f(net)
    slope_factors: Callable[[Activation, Any, Any, Terms], list]
    # (act, z, slope, terms) -> the factors of f' as a delta line multiplies them: z and
    # (1 - z) for sigmoid; `slope` is f'(net) itself, for rules written as cases (relu)
    params: tuple[Param, ...] = ()
    cases: tuple[Case, ...] = ()  # a piecewise f', case by case (explain says which held)
    perceptron: bool = False  # no useful derivative: the perceptron rule (f' taken as 1,
    # the output delta (t - z) whatever the loss), so only as the output of a single layer
    unit_slope: bool = False  # f' is 1 for every net: leaving f' out changes nothing
    dies: bool = False  # f' is 0 for every net <= 0: a node can stop learning
    saturation: Callable[[Activation], Fraction] | None = None
    # the scale f' is measured against for saturation (f' < SATURATED_SLOPE x scale);
    # None: the activation does not saturate
    flat: Callable[[Activation], str | None] | None = None
    # where the parameters make f' 0 for every net (sigmoid with β = 0), the warning
    # sentence, {where} standing for the layers it concerns; else None
    layer_f: Callable[[Any, Activation, list], list] | None = None
    # (m, act, nets of the layer) -> its outs: an activation over the whole layer (softmax),
    # whose derivative is the Jacobian z_k (1[k = j] - z_j); only an output layer of 2 or
    # more nodes may have one
    min_outputs: int = 1  # the fewest output nodes it makes sense for (softmax: 2)

    @property
    def layer_wide(self) -> bool:
        return self.layer_f is not None


REGISTRY: dict[str, ActivationSpec] = {}
DEFAULT = "sigmoid"  # the activation of a problem file that names none


def register(spec: ActivationSpec) -> ActivationSpec:
    """Add an activation: every arithmetic, renderer and the loader pick it up by name."""
    REGISTRY[spec.name] = spec
    return spec


def activation_spec(name: str) -> ActivationSpec:
    return REGISTRY[name]


def names() -> tuple[str, ...]:
    """The valid activation names, in the order the help lists them."""
    return tuple(REGISTRY)


def params() -> dict[str, Param]:
    """Every parameter of every activation, by its problem-file key."""
    return {param.key: param for spec in REGISTRY.values() for param in spec.params}


def piecewise_text(cases: tuple[Case, ...], net: str) -> str:
    """`1 if net > 0 else 0`: the cases of a piecewise derivative as one rule."""
    *first, last = cases
    return " else ".join([f"{case.slope} if {case.condition.format(net=net)}" for case in first]
                         + [last.slope])


def _coefficient(value: Fraction, text: str) -> str:
    """`2·` before a term, or nothing for a coefficient of 1."""
    return "" if value == 1 else f"{text}·"


# -- the activations ---------------------------------------------------------------------


def _sigmoid_expression(act: Activation, net, t: Terms):
    """1/(1 + e^-(β net)), the β left out when it is 1."""
    scaled = net if act.beta == 1 else t.prod(t.const(act.beta), net)
    return t.quot(t.const(1), t.paren(t.sum(t.const(1), t.exp(t.neg(scaled)))))


def _sigmoid_slope_factors(act: Activation, z, slope, t: Terms) -> list:
    """β z (1 - z), the β left out when it is 1."""
    beta = [] if act.beta == 1 else [t.const(act.beta)]
    return [*beta, z, t.paren(t.diff(t.const(1), z))]


_SIGMOID_FLAT = ("beta is 0, so every sigmoid node{where} outputs the constant 0.5 and its "
                 "slope f'(net) = beta z (1 - z) is 0: its delta is 0 and the weights into it "
                 "never change (beta: 1 is the usual slope)")

register(ActivationSpec(
    name="sigmoid",
    f=lambda m, act, net: m.logistic(m.number(act.beta) * net),
    slope=lambda m, act, net, z: m.number(act.beta) * z * (1 - z),
    rule=lambda act, net, param: f"1/(1 + e^(-{_coefficient(act.beta, param('beta'))}{net}))",
    slope_rule=lambda act, net, f, param: f"{_coefficient(act.beta, param('beta'))}{f}(1 - {f})",
    expression=_sigmoid_expression,
    slope_factors=_sigmoid_slope_factors,
    params=(Param("beta", Fraction(1), "β"),),
    saturation=lambda act: act.beta,
    flat=lambda act: _SIGMOID_FLAT if act.beta == 0 else None,
))

register(ActivationSpec(
    name="tanh",
    f=lambda m, act, net: m.tanh(net),
    slope=lambda m, act, net, z: 1 - z * z,
    rule=lambda act, net, param: f"tanh({net})",
    slope_rule=lambda act, net, f, param: f"1 - {f}²",
    expression=lambda act, net, t: t.func("tanh", net),
    slope_factors=lambda act, z, slope, t: [t.paren(t.diff(t.const(1), t.power(z, 2)))],
    saturation=lambda act: Fraction(1),
))

_RELU_CASES = (Case("1", "{net} > 0", lambda m, act, net: m.is_positive(net)),
               Case("0", "{net} ≤ 0", lambda m, act, net: not m.is_positive(net)))

register(ActivationSpec(
    name="relu",
    f=lambda m, act, net: m.where(m.is_positive(net), net, m.number(0)),
    slope=lambda m, act, net, z: m.where(m.is_positive(net), m.number(1), m.number(0)),
    rule=lambda act, net, param: f"max(0, {net})",
    slope_rule=lambda act, net, f, param: piecewise_text(_RELU_CASES, net),
    expression=lambda act, net, t: t.func("max", t.const(0), net),
    slope_factors=lambda act, z, slope, t: [slope],
    cases=_RELU_CASES,
    dies=True,
))

register(ActivationSpec(
    name="linear",
    f=lambda m, act, net: net,
    slope=lambda m, act, net, z: m.number(1),
    rule=lambda act, net, param: net,
    slope_rule=lambda act, net, f, param: "1",
    expression=lambda act, net, t: net,
    slope_factors=lambda act, z, slope, t: [],
    unit_slope=True,
))

register(ActivationSpec(
    name="step",
    f=lambda m, act, net: m.where(m.at_least(net, act.threshold), m.number(1), m.number(0)),
    slope=lambda m, act, net, z: m.number(1),  # the perceptron rule's 1
    rule=lambda act, net, param: f"1 if {net} >= {param('threshold')} else 0",
    slope_rule=lambda act, net, f, param: "1",
    expression=lambda act, net, t: t.threshold(net, t.const(act.threshold)),
    slope_factors=lambda act, z, slope, t: [],
    params=(Param("threshold", Fraction(0), "θ"),),
    perceptron=True,
    unit_slope=True,
))

_LEAKY_CASES = (Case("1", "{net} > 0", lambda m, act, net: m.is_positive(net)),
                Case("leak", "{net} ≤ 0", lambda m, act, net: not m.is_positive(net)))

register(ActivationSpec(
    name="leaky_relu",
    f=lambda m, act, net: m.where(m.is_positive(net), net, m.number(act.leak) * net),
    slope=lambda m, act, net, z: m.where(m.is_positive(net), m.number(1), m.number(act.leak)),
    rule=lambda act, net, param: f"{net} if {net} > 0 else {param('leak')}·{net}",
    slope_rule=lambda act, net, f, param: f"1 if {net} > 0 else {param('leak')}",
    expression=lambda act, net, t: t.func("leaky", net, t.const(act.leak)),
    slope_factors=lambda act, z, slope, t: [slope],
    params=(Param("leak", Fraction(1, 100), "λ"),),
    cases=_LEAKY_CASES,
))


def _softmax(m, act: Activation, nets: list) -> list:
    """z_k = e^(net_k) / Σ_j e^(net_j); every net shifted by `m.shift(nets)` (the largest,
    in numbers; 0 in exact closed forms) first, so that no exponential overflows."""
    shift = m.shift(nets)
    powers = [m.exp(net - shift) for net in nets]
    total = sum(powers[1:], powers[0])
    return [power / total for power in powers]


def _no_single_net(m, act, net):
    raise TypeError("softmax is an activation of a whole layer (layer_f)")


register(ActivationSpec(
    name="softmax",
    f=_no_single_net,
    slope=lambda m, act, net, z: z * (1 - z),  # the Jacobian's diagonal, for display
    rule=lambda act, net, param: f"e^({net}) / Σ_j e^(net_j)",
    slope_rule=lambda act, net, f, param: f"{f}(1 - {f}) (diagonal; ∂z_k/∂net_j = "
                                          "z_k(1[k = j] - z_j))",
    expression=lambda act, net, t: t.func("softmax", net),
    slope_factors=lambda act, z, slope, t: [z, t.paren(t.diff(t.const(1), z))],
    layer_f=_softmax,
    min_outputs=2,
))
