"""Regressions found by running the README's commands as a student and an instructor."""

from typer.testing import CliRunner

from bpcalc.cli import app

SLIDES = "problems/slides_2-2-1.yaml"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_change_heading_uses_the_notations_weight_letter():
    notes = run("solve", SLIDES, "--notation", "notes")
    assert notes.exit_code == 0
    assert "change Δθ" in notes.output and "change Δw" not in notes.output
    paper = run("solve", SLIDES, "--notation", "paper", "--format", "markdown")
    assert paper.exit_code == 0
    assert r"change $\Delta W$" in paper.output
    slides = run("solve", SLIDES)
    assert "change Δw" in slides.output


def test_check_step_out_of_range_names_the_step_count(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("step 5:\n  z4: .7\n")
    result = run("check", SLIDES, str(answers))
    assert result.exit_code == 2
    assert "this problem has 1 step (epochs x patterns), not step 5" in result.output


def test_examples_output_ending_in_slash_is_a_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("examples", "xor", "-o", "sub/")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sub" / "xor.yaml").read_text().startswith("# XOR")
    again = run("examples", "xor", "-o", "sub/")
    assert again.exit_code == 2
    assert "--output: 'sub/xor.yaml' exists" in again.output


def test_diagram_and_plot_take_notation_like_solve():
    diagram = run("diagram", SLIDES, "--step", "1", "--notation", "notes")
    assert diagram.exit_code == 0, diagram.output
    assert ">u4 = 1.25<" in diagram.output and ">o4 = 0.7773<" in diagram.output
    plot = run("plot", "problems/xor.yaml", "--notation", "notes")
    assert plot.exit_code == 0, plot.output
    assert ">error Err<" in plot.output  # the notation's error symbol on the axis
    # the caption's formula is typeset (mathtext glyph by glyph), not the raw Σ_k text
    assert "Σ_k" not in plot.output and ">E<" in plot.output and ">r<" in plot.output


def test_explain_takes_weight_names_of_every_notation():
    plain = run("explain", SLIDES, "w14")
    assert plain.exit_code == 0
    change = "Δw14 = -C ∂E/∂w14 = -1 × 0.0103849 = -0.0103849"
    assert change in plain.output
    for name in ("v14", "θ41", "theta41"):  # textbook v; notes write theta to-from
        result = run("explain", SLIDES, name)
        assert result.exit_code == 0, (name, result.output)
        assert change in result.output
    backwards = run("explain", SLIDES, "θ14")
    assert backwards.exit_code == 2
    assert "WEIGHT: this network has no weight from node 4 to node 1" in backwards.output
    assert "WEIGHT: expected a weight name" in run("explain", SLIDES, "v1x").output


def test_output_column_heading_names_every_letter_in_the_column():
    textbook = run("solve", SLIDES, "--convention", "textbook")
    assert "x_j / a_j / y_j = f(h_j)" in textbook.output and "│ x1 " in textbook.output
    paper = run("solve", SLIDES, "--notation", "paper")
    assert "x_j / a_j = f(z_j)" in paper.output
    assert "z_j = f(net_j)" in run("solve", SLIDES).output


def test_perceptron_backward_table_says_why_the_slope_is_one():
    result = run("solve", "problems/perceptron_and.yaml", "--steps", "1")
    assert result.exit_code == 0
    assert "step: f'(net) taken as 1 (the perceptron rule)" in result.output
    assert "perceptron rule" not in run("solve", SLIDES).output


def test_steps_with_summary_is_refused_not_ignored():
    result = run("solve", "problems/xor.yaml", "--steps", "1", "--summary")
    assert result.exit_code == 2
    assert "--steps: give --steps or --summary, not both" in result.output


def test_detected_rounding_line_fits_when_it_only_explains_a_mistake(tmp_path):
    # eta left out, with 4-place hand rounding: .5122 needs the rounding, nothing is right
    answers = tmp_path / "answers.yaml"
    answers.write_text("w34: .8608\nv13: .5122\n")
    result = run("check", "problems/paper_2-1-1.yaml", str(answers))
    assert result.exit_code == 3
    text = " ".join(result.output.split())
    assert "Score: 0/2 right" in text
    assert "mistakes are reproduced with that rounding" in text
    assert "w34 wrong: the learning rate left out (η taken as 1 instead of 0.1)" in text


def test_version_option():
    from bpcalc import __version__

    result = run("--version")
    assert result.exit_code == 0
    assert result.output == f"bpcalc {__version__}\n"


def test_generate_counts_one_variant_in_the_singular(tmp_path):
    out = tmp_path / "set"
    result = run("generate", "templates/slides_2-2-1_variants.yaml", "-n", "1", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert f"wrote 1 variant to {out}/" in result.output
    assert ": 1 variant\n" in (out / "index.md").read_text()


def test_check_table_shows_the_step_when_every_answer_is_of_a_later_step(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("step 2:\n  z7: .5466\n")
    result = run("check", "problems/xor.yaml", str(answers))
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if "name" in line)
    assert "step" in header
    assert "step" not in run("check", SLIDES, "problems/answers/slides_2-2-1_correct.yaml"
                             ).output.splitlines()[2]


def test_explain_step_takes_last_like_diagram():
    last = run("explain", "problems/xor.yaml", "w47", "--step", "last")
    assert last.exit_code == 0, last.output
    assert "step 20 (epoch 5, pattern 4" in last.output
    assert last.output == run("explain", "problems/xor.yaml", "w47", "--step", "20").output
    bad = run("explain", "problems/xor.yaml", "w47", "--step", "x")
    assert bad.exit_code == 2 and "--step: expected a step number or last" in bad.output


def test_shown_digits_round_halves_as_check_judges_them(tmp_path):
    # delta rule, step 1: E = ½ (1 - .25)² = .28125 exactly; 4 digits by hand: .2813
    work = run("solve", "problems/delta_rule.yaml", "--steps", "1", "--show", "work")
    assert "E = 0.5 * (t4 - z4)^2 = 0.5 * (1 - 0.25)^2 = 0.28125" in work.output  # 6 digits
    from bpcalc.text import format_float

    assert format_float(0.28125, 4) == "0.2813"  # 4 digits, as the slides' worked lines
    answers = tmp_path / "answers.yaml"
    answers.write_text("error: .2813\n")
    judged = run("check", "problems/delta_rule.yaml", str(answers), "--no-detect-rounding")
    assert judged.exit_code == 0, judged.output
