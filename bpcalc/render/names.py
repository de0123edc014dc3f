"""The names and formulas each convention prints, kept apart from any renderer.

A student checks the output against their own course material, so every symbol (net or h,
z or a/y, C or η, w or v) and every rule must read as that material writes it. Pure data
and string functions (no rich), so the terminal, Markdown and LaTeX renderers share them.
New notation sets (e.g. a paper's z/a/δ/η, lecture notes' u/o/θ) are one more table entry.
"""

from __future__ import annotations

from typing import NamedTuple

from bpcalc.problem import losses
from bpcalc.problem.activations import activation_spec
from bpcalc.problem.model import Activation, Network, WeightKey
from bpcalc.text import fraction_text


class Notation(NamedTuple):
    """One convention's symbols and rule texts; indices are appended as `net4`, `w47`.
    (A NamedTuple: a frozen dataclass of these 25 fields took 4 ms to define, on every
    start that prints a table or a key.)"""

    name: str
    source: str  # where the notation comes from, for the header
    net: str  # weighted input sum of a node
    input_out: str  # value of an input (and bias) node
    hidden_out: str  # activation of a hidden node
    output_out: str  # activation of an output node
    delta: str
    rate: str  # learning rate
    error: str
    target: str
    hidden_weight: str  # letter of weights into a hidden layer
    output_weight: str  # letter of weights into the output layer
    residual: str  # the output error term, without the loss factor
    squared_error: str  # one output's term of the loss
    hidden_delta_rule: str
    update_rule: str
    change_rule: str  # the signed change added to the old weight
    update_sign: int  # +1: w + rate δ out (gradient in δ's sign); -1: w - rate δ out
    # How the material orders and indexes things (worked lines follow it):
    weight_first_forward: bool = False  # θ_iℓ o_ℓ, W a (else z_i w_ij)
    weight_first_backward: bool = False  # w_jk δ_k (else δ_k w_jk)
    slope_first: bool = False  # f'(net_j) Σ_k ... (else Σ_k ... f'(net_j), as the slides)
    weight_index: str = "ij"  # ij: w_<from><to>; ji: θ_<to><from>; layer: W^l_<to><from>
    bias_weight: str = ""  # letter of bias weights where the material names them apart (b)
    weight_ij: str = "w_ij"  # the weight from i to j, as written in the rules
    source_out: str = "z"  # the letter of the sending node's output in the update rule

    # -- symbols -------------------------------------------------------------------------

    def activation_symbol(self, kind: str, layer: int = 0) -> str:
        """The letter of a node's output: slides z everywhere; textbook x (inputs), a
        (hidden nodes, and the bias feeding a layer above the first) or y (outputs)."""
        if kind == "input" or (kind == "bias" and layer == 0):
            return self.input_out
        return self.output_out if kind == "output" else self.hidden_out

    def activation_heading(self) -> str:
        """Heading for the node-output column (inputs and bias too): `z_j`, or `x_j / a_j /
        y_j` where the notation gives inputs, hidden and output nodes their own letters."""
        letters = dict.fromkeys((self.input_out, self.hidden_out, self.output_out))
        return " / ".join(f"{letter}_j" for letter in letters)

    def change_heading(self) -> str:
        """Heading for weight changes in the notation's own weight letter: Δw, Δθ, ΔW."""
        return f"Δ{self.output_weight}"

    def net_name(self, node_id: int) -> str:
        return f"{self.net}{node_id}"

    def activation_name(self, kind: str, node_id: int, layer: int = 0) -> str:
        return f"{self.activation_symbol(kind, layer)}{node_id}"

    def delta_name(self, node_id: int) -> str:
        return f"{self.delta}{node_id}"

    def weight_parts(self, network: Network, key: WeightKey) -> tuple[str, str, str]:
        """(letter, index, layer superscript) of a weight: (w, 47, ''), (θ, 74, ''),
        (W, 74, 2) or, for a bias weight in the paper's notation, (b, 7, 2)."""
        i, j = key
        if self.weight_index == "ij":
            name = self.weight_name(key, network.node_kind(j) == "output")
            letter = name[0]
            return letter, name[1:], ""
        sep = "" if i < 10 and j < 10 else "_"
        if self.weight_index == "ji":
            return self.output_weight, f"{j}{sep}{i}", ""
        layer = str(network.layer_of(j))
        if self.bias_weight and network.node_kind(i) == "bias":
            return self.bias_weight, str(j), layer
        return self.output_weight, f"{j}{sep}{i}", layer

    def weight_text(self, network: Network, key: WeightKey) -> str:
        """A weight's printed name: w47, v14, θ74, W^2_74, b^2_7."""
        letter, index, sup = self.weight_parts(network, key)
        return f"{letter}^{sup}_{index}" if sup else f"{letter}{index}"

    def weight_name(self, key: WeightKey, into_output: bool = True) -> str:
        """`w47` (or `w4_17` past single digits, as the contract names them); the textbook
        writes `v14` for a weight into a hidden layer."""
        letter = self.output_weight if into_output else self.hidden_weight
        i, j = key
        return f"{letter}{i}{j}" if i < 10 and j < 10 else f"{letter}{i}_{j}"

    # -- formulas ------------------------------------------------------------------------

    def output_delta_rule(self, loss: str = losses.DEFAULT, perceptron: bool = False,
                          delta: losses.OutputDelta | None = None) -> str:
        """The output delta as computed, in the form `delta` (the problem's
        `output_delta`) names: the loss's factor (2 for sse, 2/K for mse) shown, the
        perceptron's plain error where the output is a step, a closed form where f'
        cancels, the chain through dE/dz, or softmax's sum over every output."""
        if perceptron:
            return f"{self.delta}_j = {self.residual}"
        spec = losses.loss_spec(loss)
        if delta is None or (delta.form == "residual" and delta.slope):
            return f"{self.delta}_j = {_spaced(spec.factor_text)}{self.residual} f'({self.net}_j)"
        d, t, z = self.delta, self.target, self.output_out
        slides = self.update_sign > 0
        if delta.form == "residual":  # a closed form: f' cancelled against dE/dz
            factor = "" if delta.factor == 1 else f"{fraction_text(delta.factor)} "
            return f"{d}_j = {factor}{self.residual}"
        if delta.form == "chain":
            gradient = self.symbols(spec.gradient_text, "j")
            slope = f" f'({self.net}_j)"
            return f"{d}_j = ({_negated(gradient) if slides else gradient}){slope}"
        if delta.form == "softmax_cross_entropy":
            if slides:
                return f"{d}_k = {t}_k - {z}_k Σ_j {t}_j"
            return f"{d}_k = {z}_k Σ_j {t}_j - {t}_k"
        sign = "-" if slides else ""
        return f"{d}_k = {sign}Σ_j ∂{self.error}/∂{z}_j {z}_j (1[j = k] - {z}_k)"

    def output_gradient(self, loss: str) -> str:
        """∂E/∂z_j as the loss writes it: what softmax's delta sums (`∂E/∂z_j = -(t_j -
        z_j)` for half_sse, in the notation's letters and the residual's sign)."""
        spec = losses.loss_spec(loss)
        z = self.output_out
        if spec.squared:
            factor = _spaced(spec.factor_text)
            residual = self.residual
            text = f"-{factor}{residual}" if self.update_sign > 0 else f"{factor}{residual}"
        else:
            text = self.symbols(spec.gradient_text, "j")
        return f"∂{self.error}/∂{z}_j = {text}"

    def symbols(self, text: str, index: str = "k") -> str:
        """A loss entry's text (t_k, z_k) in this notation's letters, indexed `index`."""
        marked = text.replace("t_k", "\x00")  # the target's letter may be another's output
        return (marked.replace("z_k", f"{self.output_out}_{index}")
                .replace("\x00", f"{self.target}_{index}"))

    def loss_formula(self, loss: str = losses.DEFAULT) -> str:
        spec = losses.loss_spec(loss)
        if not spec.squared:
            return f"{self.error} = {self.symbols(spec.formula)}"
        return f"{self.error} = {_spaced(spec.scale_text)}Σ_k {self.squared_error}"

    def momentum_rules(self) -> tuple[str, str]:
        """The update and the change with momentum α: `w_ij ← w_ij + Δw_ij(n)` and
        `Δw_ij(n) = C δ_j z_i + α Δw_ij(n-1)`, the change's sign the convention's."""
        left, _, right = self.change_rule.partition(" = ")
        weight = left.removeprefix("Δ")
        return (f"{weight} ← {weight} + {left}(n)",
                f"{left}(n) = {right} + α {left}(n-1)")

    def activation_rule(self, act: Activation) -> str:
        """f(net) for one layer, with its β or threshold where they are not the default."""
        rule = activation_spec(act.name).rule(act, self.net, parameter_values(act))
        return f"f({self.net}) = {rule}"


def parameter_values(act: Activation):
    """The text of each of an activation's parameters, as its rules write it: its value."""
    return lambda key: fraction_text(getattr(act, key))


def _spaced(text: str) -> str:
    return f"{text} " if text else ""


def _negated(text: str) -> str:
    """-(text), written as a hand derivation would: `-t_j/z_j` -> `t_j/z_j`, `a - b` ->
    `b - a` (a top-level difference of two terms), else `-(text)`."""
    depth, cut = 0, None
    for position, char in enumerate(text):
        depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(char, 0)
        if depth == 0 and text.startswith(" - ", position):
            if cut is not None:
                return f"-({text})"
            cut = position
        elif depth == 0 and text.startswith(" + ", position):
            return f"-({text})"
    if cut is not None:
        return f"{text[cut + 3:]} - {text[:cut]}"
    return text[1:] if text.startswith("-") else f"-{text}"


NOTATIONS: dict[str, Notation] = {
    "slides": Notation(
        name="slides",
        source="lecture slides",
        net="net",
        input_out="z",
        hidden_out="z",
        output_out="z",
        delta="δ",
        rate="C",
        error="E",
        target="t",
        hidden_weight="w",
        output_weight="w",
        residual="(t_j - z_j)",
        squared_error="(t_k - z_k)²",
        hidden_delta_rule="δ_j = f'(net_j) Σ_k δ_k w_jk",
        update_rule="w_ij ← w_ij + C δ_j z_i",
        change_rule="Δw_ij = C δ_j z_i",
        update_sign=1,
    ),
    "textbook": Notation(
        name="textbook",
        source="Marsland, Machine Learning: An Algorithmic Perspective",
        net="h",
        input_out="x",
        hidden_out="a",
        output_out="y",
        delta="δ",
        rate="η",
        error="E",
        target="t",
        hidden_weight="v",
        output_weight="w",
        residual="(y_j - t_j)",
        squared_error="(y_k - t_k)²",
        hidden_delta_rule="δ_j = f'(h_j) Σ_k δ_k w_jk",
        update_rule="w_ij ← w_ij - η δ_j a_i  (v_ij into a hidden layer)",
        change_rule="Δw_ij = -η δ_j a_i",
        update_sign=-1,
        weight_first_backward=True,
        slope_first=True,
        source_out="a",
    ),
    "paper": Notation(
        name="paper",
        source="the 1986 backprop paper explainer: z = W a + b, a = σ(z)",
        net="z",
        input_out="x",
        hidden_out="a",
        output_out="a",
        delta="δ",
        rate="η",
        error="L",
        target="y",
        hidden_weight="W",
        output_weight="W",
        residual="(a_j - y_j)",
        squared_error="(a_k - y_k)²",
        hidden_delta_rule="δ^l = ((W^(l+1))ᵀ δ^(l+1)) ⊙ σ'(z^l)",
        update_rule="W^l_ji ← W^l_ji - η δ_j a_i  (b^l_j: bias weights)",
        change_rule="ΔW^l_ji = -η δ_j a_i",
        update_sign=-1,
        weight_first_forward=True,
        weight_first_backward=True,
        weight_index="layer",
        bias_weight="b",
        weight_ij="W^l_ji",
        source_out="a",
    ),
    "notes": Notation(
        name="notes",
        source="lecture notes: u = Σ θ o, o = σ(u)",
        net="u",
        input_out="o",
        hidden_out="o",
        output_out="o",
        delta="δ",
        rate="η",
        error="Err",
        target="y",
        hidden_weight="θ",
        output_weight="θ",
        residual="(o_j - y_j)",
        squared_error="(o_k - y_k)²",
        hidden_delta_rule="δ_i = σ'(u_i) Σ_j δ_j θ_ji",
        update_rule="θ_ji ← θ_ji - η δ_j o_i",
        change_rule="Δθ_ji = -η δ_j o_i",
        update_sign=-1,
        weight_first_forward=True,
        slope_first=True,
        weight_index="ji",
        weight_ij="θ_ji",
        source_out="o",
    ),
}


def notation_for(name: str, symbols: str | None = None) -> Notation:
    """The notation to print: `symbols` (slides, textbook, paper, notes) with the signs of
    convention `name`; without `symbols`, the convention's own. Unknown names list the
    known ones."""
    chosen = symbols or name
    try:
        notation = NOTATIONS[chosen]
    except KeyError:
        known = ", ".join(sorted(NOTATIONS))
        raise KeyError(f"unknown notation {chosen!r} (known: {known})") from None
    if name not in CONVENTION_SIGNS:
        known = ", ".join(sorted(CONVENTION_SIGNS))
        raise KeyError(f"unknown convention {name!r} (known: {known})")
    sign = CONVENTION_SIGNS[name]
    return notation if notation.update_sign == sign else _with_sign(notation, sign)


# The sign of delta and of the update rule each convention uses.
CONVENTION_SIGNS = {"slides": 1, "textbook": -1}


def _with_sign(n: Notation, sign: int) -> Notation:
    """A notation's symbols with the other convention's signs: (t - z) or (z - t) and
    w + rate δ out or w - rate δ out, written in the notation's own letters."""
    t, o, d, rate = n.target, n.output_out, n.delta, n.rate
    w, src = n.weight_ij, n.source_out
    op, neg = ("+", "") if sign > 0 else ("-", "-")
    return n._replace(
        residual=f"({t}_j - {o}_j)" if sign > 0 else f"({o}_j - {t}_j)",
        squared_error=f"({t}_k - {o}_k)²" if sign > 0 else f"({o}_k - {t}_k)²",
        update_rule=f"{w} ← {w} {op} {rate} {d}_j {src}_i",
        change_rule=f"Δ{w} = {neg}{rate} {d}_j {src}_i",
        update_sign=sign,
    )


def weight_label(notation: Notation, network: Network, key: WeightKey) -> str:
    """A weight's printed name, knowing from the network which layer it feeds."""
    return notation.weight_text(network, key)


def node_numbering(network: Network, dash: str = "-") -> str:
    """'inputs 1-2, bias 3; hidden 4-5, bias 6; output 7': the ids a reader must know."""
    parts = []
    last = len(network.layers) - 1
    for layer in network.layers:
        kind = "inputs" if layer.index == 0 else "output" if layer.index == last else "hidden"
        ids = layer.node_ids
        text = f"{kind} {ids[0]}" if len(ids) == 1 else f"{kind} {ids[0]}{dash}{ids[-1]}"
        if layer.bias_id is not None:
            text += f", bias {layer.bias_id}"
        parts.append(text)
    return "; ".join(parts)
