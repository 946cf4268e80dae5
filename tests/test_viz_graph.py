"""Graph diagrams: every edge's local derivative, every node's grad, roles, highlighting,
collapsing neurons, deterministic DOT, and rendering with Graphviz."""

import html
import os
import random
import re
import struct

import graphviz
import pytest

import backprop_by_hand
from micrograd_club import Value
from micrograd_club.losses import mse
from micrograd_club.nn import MLP, Neuron, Parameter
from micrograd_club.viz import (
    GraphTooLargeError,
    GraphvizNotFoundError,
    backward_steps,
    draw_dot,
    draw_graph,
    explain,
    save_backward_html,
    save_graph,
)
from micrograd_club.viz import graph as graph_module
from micrograd_club._io import PNG_DPI
from micrograd_club.viz.graph import BORDERS, COLORS, HIGHLIGHT, Diagram, write_graph
from micrograd_club.viz.trace import accumulation_note


def notes_network(backward=True):
    net = backprop_by_hand.build_network()
    if backward:
        net["L"].backward()
    return net


def edge_text(source):
    """Every edge label of DOT source as a reader sees it (lines joined by newlines), one per line."""
    labels = re.findall(r"-> \w+ \[label=<((?:[^<>]|<br/>)*)>", source)
    return "\n".join(html.unescape(label.replace("<br/>", "\n")) for label in labels)


def box(source, name):
    """The label of the value box called ``name`` in DOT source."""
    match = re.search(rf"<b>{re.escape(name)}</b></td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>", source)
    assert match, f"no box for {name}"
    return match.group(1), match.group(2)


def test_section_4_7_edges_carry_local_derivatives_and_flows():
    edges = edge_text(draw_graph(notes_network()["L"]).source)
    for label in [
        "∂(w1·x)/∂w1 = x = 1.0000",
        "∂(w1·x)/∂x = w1 = 0.4000",
        "∂z1/∂b1 = 1.0000",
        "∂h/∂z1 = σ'(z1) = 0.2350",
        "∂(w2·h)/∂w2 = h = 0.6225",
        "∂(w2·h)/∂h = w2 = 0.3000",
        "∂y/∂b2 = 1.0000",
        "∂(t − y)/∂y = -1.0000",
        "flow: -0.1133 × 0.3000 = -0.0340",  # ∂L/∂h = ∂L/∂(w2·h) × w2
        "flow: -0.0340 × 0.2350 = -0.0080",  # ∂L/∂z1 = ∂L/∂h × σ'(z1)
    ]:
        assert label in edges, label


def test_section_4_7_nodes_show_data_and_grad():
    source = draw_graph(notes_network()["L"]).source
    expected = {
        "x": ("1.0000", "-0.0032"),
        "w1": ("0.4000", "-0.0080"),
        "b1": ("0.1000", "-0.0080"),
        "z1": ("0.5000", "-0.0080"),
        "h": ("0.6225", "-0.0340"),
        "w2": ("0.3000", "-0.0705"),
        "b2": ("0.2000", "-0.1133"),
        "y": ("0.3867", "-0.1133"),
        "L": ("0.0064", "1.0000"),
    }
    for name, (data, grad) in expected.items():
        assert box(source, name) == (f"data {data}", f"grad {grad}"), name


def test_before_backward_grads_are_not_computed_yet():
    source = draw_graph(notes_network(backward=False)["L"]).source
    assert box(source, "h") == ("data 0.6225", "grad not computed yet")
    assert "grad 0.0000" not in source and "flow:" not in source
    assert "σ'(z1) = 0.2350" in edge_text(source)  # local derivatives exist from the forward pass


def test_a_grad_set_to_none_is_drawn_as_not_computed_and_explained_without_a_note(capsys):
    """PyTorch's way to zero a gradient, p.grad = None, made draw_graph and explain fail with
    "must be real number, not NoneType" (the note on added-up grads compared None with numbers)."""
    net = notes_network()
    net["w1"].grad = net["w2"].grad = None
    source = draw_graph(net["L"]).source
    assert box(source, "w1") == ("data 0.4000", "grad not computed yet")
    assert box(source, "b1") == ("data 0.1000", "grad -0.0080") and "note:" not in source
    assert accumulation_note(net["L"]) is None
    explain(net["L"])
    assert "∂L/∂w1 = ∂L/∂z1 · ∂z1/∂w1" in capsys.readouterr().out  # the trace computes its own grads


def test_a_plus_a_draws_two_edges_and_grad_two():
    """Each edge carries its own share of ∂b/∂a and says which of the two it is: both read
    "∂b/∂a = 1.0000" beside a box whose grad, like the trace's ∂b/∂a, is 2."""
    a = Value(3.0, "a")
    b = a + a
    b.label = "b"
    b.backward()
    assert a.grad == 2.0
    source = draw_graph(b).source
    edges = re.findall(r"^\s*v0 -> v1op", source, flags=re.M)
    assert len(edges) == 2
    assert edge_text(source) == ("∂b/∂a (edge 1 of 2) = 1.0000\nflow: 1.0000 × 1.0000 = 1.0000\n"
                                 "∂b/∂a (edge 2 of 2) = 1.0000\nflow: 1.0000 × 1.0000 = 1.0000")
    assert box(source, "a") == ("data 3.0000", "grad 2.0000")


def test_leaves_are_coloured_by_role_with_a_legend():
    source = draw_graph(notes_network()["L"]).source
    for name, kind in [("w1", "parameter"), ("x", "input"), ("0.5", "constant"), ("h", "computed"), ("L", "output")]:
        line = next(line for line in source.splitlines() if f"<b>{name}</b>" in line)
        assert f'bgcolor="{COLORS[kind]}"' in line, name
    assert "legend" in source and ">parameter<" in source and ">constant<" in source


@pytest.mark.parametrize("stepper", [False, True], ids=["diagram", "stepper frame"])
def test_leaves_differ_by_border_too_for_grayscale_and_colour_blind_readers(stepper):
    loss = notes_network()["L"]
    source = backward_steps(loss, same_layout=False)[0].source if stepper else draw_graph(loss).source
    for name, border in [("w1", 'border="2"'), ("x", 'style="dashed"'), ("0.5", 'style="dotted"')]:
        line = next(line for line in source.splitlines() if f"<b>{name}</b>" in line)
        assert line.count(border) == 3, name  # every cell of the box: name, data, grad
    for name in ("h", "L"):
        line = next(line for line in source.splitlines() if f"<b>{name}</b>" in line)
        assert "dashed" not in line and "dotted" not in line and 'border="2"' not in line, name
    legend = next(line for line in source.splitlines() if line.lstrip().startswith("legend"))
    for kind in ("parameter", "input", "constant"):
        assert re.search(rf'<td bgcolor="{COLORS[kind]}" {BORDERS[kind].strip()}>{kind}</td>', legend), kind


def test_highlight_marks_the_path_from_a_weight_to_the_loss():
    net = notes_network()
    source = draw_graph(net["L"], highlight=net["w1"]).source
    outlined = set(re.findall(rf'border="3" color="{HIGHLIGHT}"[^>]*><tr><td[^>]*><b>([^<]*)</b>', source))
    assert outlined == {"w1", "w1·x", "z1", "h", "w2·h", "y", "t − y", "(t − y)²", "L"}
    with pytest.raises(ValueError, match="highlight"):
        draw_graph(net["L"], highlight=Value(1.0))


def test_output_is_deterministic_and_has_no_ids():
    first = draw_graph(notes_network()["L"]).source
    second = draw_graph(notes_network()["L"]).source
    assert first == second
    assert "0x" not in first and str(id(Value)) not in first


def test_draw_dot_takes_micrograds_format_and_rankdir_and_renders_svg(tmp_path, needs_dot):
    # micrograd's trace_graph notebook: draw_dot(root, format='svg', rankdir='LR'), then dot.render('gout')
    x = Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    dot = draw_dot(y)
    assert dot.format == "svg" and "rankdir=LR" in dot.source
    assert dot.source == draw_graph(y, rankdir="LR").source
    dot.render(tmp_path / "gout")
    assert (tmp_path / "gout.svg").read_text().lstrip().startswith("<?xml")
    png = draw_dot(y, "png", "TB")
    assert png.format == "png" and "rankdir=TB" in png.source
    assert draw_dot(y, collapse=None, rankdir="auto").source == draw_graph(y).source
    with pytest.raises(ValueError, match="unknown format: 'gif87'"):
        draw_dot(y, format="gif87")
    with pytest.raises(TypeError, match="format is a file format such as 'svg'"):
        draw_dot(y, format=None)


@pytest.mark.parametrize("fused", [True, False])
def test_large_graph_asks_for_collapse(fused):
    random.seed(1337)
    model = MLP(2, [16, 16, 1], fused=fused)
    out = model([0.5, -1.0])
    with pytest.raises(GraphTooLargeError, match=r"has \d+ value nodes.*collapse='neuron'"):
        draw_graph(out)


def test_a_graph_still_too_large_once_collapsed_is_not_told_to_collapse():
    """A loss over many examples, collapsed, was told "Pass collapse='neuron'" all the same;
    and a chain, which has no neurons, was not told that collapsing found none."""
    model = MLP(2, [3, 1], seed=0)
    loss = mse([model([0.1 * i, 0.2]) for i in range(10)], [0.0] * 10)
    with pytest.raises(GraphTooLargeError) as refused:
        draw_graph(loss, collapse="neuron", max_nodes=20)
    message = str(refused.value)
    order = loss.topological_order()
    drawn = len(graph_module.drawn_nodes(order, "neuron")[2])
    assert message.startswith(f"this graph has {drawn} value nodes, more than max_nodes=20 can draw legibly even "
                              f"with its 40 neurons collapsed ({len(order)} nodes in all)")
    assert "one example's output" in message
    assert "Pass collapse" not in message
    chain = Value(0.5, "x")
    for _ in range(40):
        chain = chain * 1.5 + 1
    with pytest.raises(GraphTooLargeError, match="collapse='neuron' found no neurons"):
        draw_graph(chain, collapse="neuron")


def test_a_huge_graph_is_refused_before_its_nodes_are_named(monkeypatch):
    """Refusing a chain of 400,000 nodes took seconds, naming every node first."""
    chain = Value(0.5, "x")
    for _ in range(100):
        chain = chain.tanh()
    monkeypatch.setattr(graph_module, "node_names", lambda *args, **kwargs: pytest.fail("named the nodes"))
    with pytest.raises(GraphTooLargeError, match="this graph has 101 value nodes, more than max_nodes=100"):
        draw_graph(chain, max_nodes=100)
    with pytest.raises(GraphTooLargeError, match="101 value nodes.*found no neurons"):  # looked for, then not named
        draw_graph(chain, max_nodes=100, collapse="neuron")


@pytest.mark.parametrize("fused", [True, False])
def test_collapsed_mlp_draws_one_node_per_neuron(fused):
    random.seed(1337)
    model = MLP(2, [16, 16, 1], fused=fused)
    out = model([0.5, -1.0])
    out.backward()
    source = draw_graph(out, collapse="neuron").source
    assert source.count("Σwx+b → ReLU") == 32 and source.count("Σwx+b → linear") == 1
    assert len(re.findall(r"^\s*v\d+ \[label=<", source, flags=re.M)) == 2 + 33  # inputs + neurons
    first = model.layers[0].neurons[0]
    assert f"w = {first.w[0].data:.4f}" in source  # 2-input neurons show their weights on the edges
    assert source.count(f'bgcolor="{COLORS["neuron"]}"') == 32 + 1  # the hidden neurons, and the legend's
    assert re.search(rf'bgcolor="{COLORS["output"]}".*Σwx\+b → linear', source)  # the result is the output


@pytest.mark.parametrize("fused", [True, False])
def test_collapsed_neurons_are_named_by_layer_and_position(fused):
    model = MLP(2, [3, 3, 1], seed=4, fused=fused)
    x = [Value(0.5, "x1"), Value(-1.0, "x2")]
    out = model(x)
    source = draw_graph(out, collapse="neuron").source
    for layer_index, layer in enumerate(model.layers[:2], start=1):
        inputs = x if layer_index == 1 else [n(x) for n in model.layers[0].neurons]
        for k, neuron in enumerate(layer.neurons, start=1):
            data = neuron(inputs).data
            assert re.search(rf"<b>neuron {layer_index}\.{k}</b>.*?</td><td>data {data:.4f}</td>", source)


@pytest.mark.parametrize("fused", [True, False])
def test_a_collapsed_neuron_writes_its_bias_as_the_diagram_writes_numbers(fused):
    """The notes' 1-1-1 network collapsed: its neurons read "1 weights, b = 0.1000" whatever the
    precision asked for (and a bias of 3e-05 read b = 0.0000, as if it were 0)."""
    model = MLP(1, [1, 1], activation="sigmoid", seed=0, fused=fused)
    model.layers[0].neurons[0].b.data, model.layers[1].neurons[0].b.data = 0.1, 3e-05
    source = draw_graph(model([Value(1.0, "x")]), collapse="neuron", precision=2).source
    assert "Σwx+b → σ, 1 weight, b = 0.10<" in source
    assert "Σwx+b → linear, 1 weight, b = 3.00e-05<" in source
    assert "Σwx+b → ReLU, 2 weights, b = 0.0000<" in draw_graph(Neuron(2, seed=0)([1.0, 2.0]), collapse="neuron").source


@pytest.mark.parametrize("fused", [True, False])
def test_a_collapsed_diagram_draws_the_highlighted_path_in_red_edges_too(fused):
    """Collapsed, highlight= outlined the neurons on the path but left every edge between
    them grey, so the path from a weight to the output was not a path."""
    model = MLP(2, [3, 1], seed=0, fused=fused)
    x1 = Value(0.5, "x1")
    out = model([x1, Value(0.3, "x2")])
    red_edges = r'-> v\d+ \[[^\]]*color="{}"'.format(HIGHLIGHT)
    source = draw_graph(out, collapse="neuron", highlight=model.layers[0].neurons[1].w[0]).source
    assert len(re.findall(red_edges, source)) == 1  # neuron 1.2 -> neuron 2.1
    assert len(re.findall(red_edges, draw_graph(out, collapse="neuron", highlight=x1).source)) == 3 + 3


@pytest.mark.parametrize("fused", [True, False])
def test_collapse_keeps_parameters_used_elsewhere(fused):
    model = MLP(1, [2, 1], seed=0, fused=fused)
    loss = model(0.5) + 0.01 * sum(p * p for p in model.parameters())
    source = draw_graph(loss, collapse="neuron", max_nodes=500).source
    for p in model.parameters():  # each parameter still feeds its p·p box
        assert f"<b>{p.label}</b>" in source
    with pytest.raises(ValueError, match="collapse"):
        draw_graph(loss, collapse="layer")


def test_collapse_walks_down_each_neurons_sum_once_not_every_sum_of_the_graph(monkeypatch):
    # find_neurons used to walk down from every + to see whether a neuron ended there: down the
    # whole of a loss's long sum over the examples from each of its +, quadratic in the examples.
    model = MLP(2, [3, 1], seed=0, fused=False)  # micrograd's shape: b + w1·x1 + w2·x2, a chain of +
    loss = mse([model([0.1 * i, -0.2 * i]) for i in range(20)], [1.0] * 20)  # … + (y − ŷ)² + …, 19 more +
    walked = []
    walk = graph_module._weighted_sum
    monkeypatch.setattr(graph_module, "_weighted_sum", lambda top, *rest: walked.append(top) or walk(top, *rest))
    neurons = graph_module.find_neurons(loss.topological_order())
    assert len(neurons) == 20 * (3 + 1) and len(walked) == len(neurons)
    assert sorted(neuron["summary"].split(",")[0] for neuron in neurons.values()) == \
        ["Σwx+b → ReLU"] * 60 + ["Σwx+b → linear"] * 20


def test_naming_neurons_by_layer_goes_through_them_as_often_for_a_deep_graph_as_for_a_shallow_one(
        counting_iterations):
    # Each layer's neurons were picked out of all of them: quadratic in the depth (an RNN-like
    # chain of a neuron applied 10,000 times took seconds to collapse before max_nodes refused it).
    CountingDict = counting_iterations(dict)
    passes = []
    for depth in (3, 40):
        neuron, y = Neuron(1, activation="tanh", seed=0), 0.5
        for _ in range(depth):
            y = neuron([y])
        order = y.topological_order()
        neurons = CountingDict(graph_module.find_neurons(order))
        CountingDict.passes = 0
        graph_module._name_by_layer(neurons, order)
        passes.append(CountingDict.passes)
        assert [neurons[node]["name"] for node in order if node in neurons] == [
            f"neuron {layer}.1" for layer in range(1, depth + 1)]
    assert passes[0] == passes[1]


def test_a_product_of_one_input_named_star_is_no_neurons_term():
    w, b = Parameter(0.5, "w"), Parameter(0.1, "b")
    odd = Value.from_op(2 * w.data, "*", (w,), (2.0,))  # an op of your own called "*", with one input
    assert graph_module.find_neurons((b + odd).tanh().topological_order()) == {}  # was an IndexError


def test_collapse_hides_the_parameters_of_a_linear_neuron():
    for fused in (True, False):
        model = MLP(1, [1], activation="tanh", seed=0, fused=fused)  # one linear neuron, one input
        source = draw_graph(model(Value(0.5, "x")), collapse="neuron").source
        assert "Σwx+b → linear, 1 weight," in source
        assert "<b>w1</b>" not in source and "<b>b</b>" not in source, fused


def test_a_fused_neuron_is_one_op_node_with_every_local_derivative():
    n = Neuron(2, activation="sigmoid", seed=0)
    x = [Value(0.5, "x1"), Value(-1.0, "x2")]
    h = n(x)
    h.label = "h"
    h.backward()
    source = draw_graph(h).source
    assert source.count('label="Σwx+b" fillcolor') == 1  # one op node for Σw·x + b
    w1, w2 = (f"{w.data:.4f}" for w in n.w)
    for label in [
        "∂(Σwx+b)/∂w1 = x1 = 0.5000",
        "∂(Σwx+b)/∂w2 = x2 = -1.0000",
        f"∂(Σwx+b)/∂x1 = w1 = {w1}",
        f"∂(Σwx+b)/∂x2 = w2 = {w2}",
        "∂(Σwx+b)/∂b = 1.0000",
        "∂h/∂(Σwx+b) = σ'(Σwx+b) = ",
    ]:
        assert label in edge_text(source), label
    assert len(re.findall(r"-> v\d+op \[label=", source)) == 6  # five edges into Σwx+b, one into σ
    unfused = Neuron(2, activation="sigmoid", seed=0, fused=False)
    assert draw_graph(unfused(x)).source.count('label="*" fillcolor') == 2  # micrograd's shape: every multiply


def test_dot_source_without_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on PATH
    net = notes_network()
    path = tmp_path / "graph.dot"
    save_graph(net["L"], path)
    assert path.read_text(encoding="utf-8").startswith("digraph {")
    with pytest.raises(GraphvizNotFoundError, match=r"apt-get install graphviz(.|\n)*brew(.|\n)*conda"):
        save_graph(net["L"], tmp_path / "graph.svg")
    assert not (tmp_path / "graph.svg").exists()
    with pytest.raises(ValueError, match="cannot tell the format"):
        save_graph(net["L"], tmp_path / "graph.jpg2")


@pytest.mark.parametrize("extension, magic", [(".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_save_graph_renders_files(tmp_path, needs_dot, extension, magic):
    path = tmp_path / f"graph{extension}"
    save_graph(notes_network()["L"], path)
    assert path.read_bytes().startswith(magic)
    assert os.listdir(tmp_path) == [path.name]


def test_png_files_are_drawn_at_the_plots_resolution(tmp_path, needs_dot):
    """Graphviz alone draws a PNG at 96 dpi, soft on a slide or on paper: save_graph draws it at
    PNG_DPI, as the plots are, and leaves the diagram itself as it was."""
    diagram = draw_graph(notes_network()["L"])
    source = diagram.source
    write_graph(diagram, tmp_path / "graph.png")
    width_at_96_dpi = png_size(diagram.pipe(format="png"))[0]
    width = png_size((tmp_path / "graph.png").read_bytes())[0]
    assert width == pytest.approx(width_at_96_dpi * PNG_DPI / 96, rel=0.02)
    assert diagram.source == source


def test_save_graph_draws_a_png_for_print_at_the_dpi_asked_for(tmp_path, needs_dot):
    """A PNG at 150 dpi is sharp on a slide but soft on paper: dpi=300 draws one for a handout."""
    L = notes_network()["L"]
    save_graph(L, tmp_path / "slide.png")
    save_graph(L, tmp_path / "handout.png", dpi=300)
    slide, handout = (png_size((tmp_path / name).read_bytes()) for name in ("slide.png", "handout.png"))
    assert handout[0] == pytest.approx(slide[0] * 300 / PNG_DPI, rel=0.02)
    assert handout[1] == pytest.approx(slide[1] * 300 / PNG_DPI, rel=0.02)
    save_graph(L, tmp_path / "graph.svg", dpi=300)  # sharp at any size: the same picture
    assert (tmp_path / "graph.svg").read_bytes() == graph_module.pipe(draw_graph(L), "svg")


@pytest.mark.parametrize("dpi, error, message", [
    (0, ValueError, "dpi must be a whole number from 1 to 1,200, got 0"),
    (30000, ValueError, "dpi must be a whole number from 1 to 1,200, got 30000"),
    (300.0, TypeError, "dpi must be a whole number, got float"),
    ("300", TypeError, "dpi must be a whole number, got str"),
])
def test_save_graph_refuses_a_dpi_it_cannot_draw_before_drawing(tmp_path, dpi, error, message):
    with pytest.raises(error, match=f"^{message}"):
        save_graph(notes_network()["L"], tmp_path / "graph.png", dpi=dpi)
    assert os.listdir(tmp_path) == []


def png_size(png):
    """(width, height) in pixels, from the PNG's IHDR chunk."""
    return struct.unpack(">II", png[16:24])


def test_jupyter_without_graphviz_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on PATH
    bundle = draw_graph(notes_network()["L"])._repr_mimebundle_()
    assert "apt-get install graphviz" in bundle["text/plain"] and ".source" in bundle["text/plain"]


def test_on_windows_a_graphviz_installed_but_not_on_path_is_named_with_its_folder(tmp_path, graphviz_off_path):
    folder = graphviz_off_path
    expected = f"Graphviz is installed in {folder}, but that folder is not on PATH"
    with pytest.raises(GraphvizNotFoundError) as caught:
        save_graph(notes_network()["L"], tmp_path / "graph.svg")
    assert str(caught.value).startswith(expected) and "Path > New" in str(caught.value)
    assert draw_graph(notes_network()["L"])._repr_mimebundle_()["text/plain"].startswith(expected)
    (folder / "dot.exe").unlink()  # not installed after all: say how to install it
    with pytest.raises(GraphvizNotFoundError, match="winget install graphviz"):
        save_graph(notes_network()["L"], tmp_path / "graph.svg")


def test_jupyter_shows_the_diagram_inline(needs_dot):
    bundle = draw_graph(notes_network()["L"])._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_pipe_runs_graphviz_as_graphviz_pipe_does(needs_dot):
    """With the diagram's own layout engine, and dot's failure raised, not an empty picture."""
    diagram = draw_graph(notes_network()["L"])
    diagram.engine = "neato"
    assert graph_module.pipe(diagram, "svg") == diagram.pipe(format="svg")
    broken = graphviz.Digraph(body=["a -> ;"])
    with pytest.raises(graphviz.CalledProcessError, match="syntax error"):
        graph_module.pipe(broken, "svg")


def test_graphviz_is_stopped_when_it_takes_too_long(tmp_path, monkeypatch, needs_dot):
    """x·x·…·x, 149 nodes within max_nodes, kept dot busy for more than nine minutes, in
    save_graph, the step-through and Jupyter's picture alike."""
    monkeypatch.setattr(graph_module, "DOT_SECONDS", 1e-9)  # as if every diagram took too long
    L = notes_network()["L"]
    with pytest.raises(GraphTooLargeError, match=r"^Graphviz's dot was stopped after 1e-09 s laying out L \(15 "
                                                 r"values\): .*draw a smaller piece.*save_graph\(root, 'graph.dot'\)"):
        save_graph(L, tmp_path / "graph.svg")
    assert not (tmp_path / "graph.svg").exists()
    assert draw_graph(L)._repr_mimebundle_()["text/plain"].startswith("Graphviz's dot was stopped after")
    with pytest.raises(GraphTooLargeError, match="^Graphviz's dot was stopped"):
        save_backward_html(L, tmp_path / "steps.html")


def test_what_to_draw_instead_of_a_graph_too_slow_to_draw_fits_how_it_was_drawn(tmp_path, monkeypatch, needs_dot):
    """The 60 s message told every diagram to pass collapse='neuron', the collapsed ones and
    x·x·…·x, which has no neurons, included."""
    monkeypatch.setattr(graph_module, "DOT_SECONDS", 1e-9)
    model = MLP(2, [3, 1], seed=0)
    loss = mse([model([0.1 * i, 0.2]) for i in range(3)], [0.0] * 3)
    x = Value(2.0, "x")
    power = x
    for _ in range(10):
        power = power * x

    def too_slow(root, **options):
        with pytest.raises(GraphTooLargeError) as stopped:
            draw_graph(root, **options).pipe(format="svg")
        assert stopped.value.limit == "DOT_SECONDS" and str(stopped.value).startswith(stopped.value.reason)
        return str(stopped.value)

    assert "Pass collapse='neuron'" in too_slow(loss)
    collapsed = too_slow(loss, collapse="neuron")
    assert "collapse" not in collapsed and "Draw one example's output, model(X[0])" in collapsed
    for drawing in (too_slow(power), too_slow(power, collapse="neuron")):
        assert "collapse" not in drawing and "Draw a smaller piece of it, e.g. a few steps of a long chain" in drawing
    with pytest.raises(GraphTooLargeError, match=r"laying out L \(31 values\).*Draw one example's output"):
        save_graph(loss, tmp_path / "graph.png", collapse="neuron")  # drawn from a copy, at PNG_DPI
    assert too_slow(power).endswith("or write the DOT text with save_graph(root, 'graph.dot') and run dot on it "
                                    "yourself, which has no time limit.")


def test_a_chain_too_large_to_draw_is_not_told_to_collapse_its_neurons():
    """x·x·…·x has no Parameters, so no neurons to collapse."""
    x = Value(2.0, "x")
    power = x
    for _ in range(10):
        power = power * x
    with pytest.raises(GraphTooLargeError) as refused:
        draw_graph(power, max_nodes=5)
    assert refused.value.limit == "max_nodes" and refused.value.reason == ("this graph has 11 value nodes, more than "
                                                                           "max_nodes=5 can draw legibly")
    assert str(refused.value) == (f"{refused.value.reason}. Draw a smaller piece of it, e.g. a few steps of a long "
                                  "chain; or raise max_nodes (a picture of thousands of nodes is unreadable, and slow "
                                  "to draw).")


def test_a_diagrams_own_render_pipe_and_jupyter_pictures_stop_graphviz_too(tmp_path, monkeypatch, needs_dot):
    """micrograd's trace_graph notebook draws with draw_dot(y).render(...), and Jupyter can ask
    for a PNG or JPEG: graphviz's own render and pipe have no time limit, so each would hang."""
    monkeypatch.setattr(graph_module, "DOT_SECONDS", 1e-9)
    monkeypatch.chdir(tmp_path)
    dot = draw_dot(notes_network()["L"])
    for draw in (lambda: dot.render(format="svg"), lambda: dot.render("graph", view=False),
                 lambda: dot.render(outfile="out.png"), lambda: dot.pipe(), lambda: dot.pipe(format="png")):
        with pytest.raises(GraphTooLargeError, match="^Graphviz's dot was stopped after 1e-09 s laying out L"):
            draw()
    assert sorted(os.listdir(tmp_path)) == ["Diagram.gv", "graph", "out.gv"]  # the DOT sources, no picture
    for mimetype in ("image/png", "image/jpeg", "image/svg+xml"):
        bundle = dot._repr_mimebundle_(include=[mimetype])
        assert bundle["text/plain"].startswith("Graphviz's dot was stopped after")


@pytest.mark.parametrize("arguments", [
    {}, {"format": "png"}, {"filename": "graph"}, {"filename": "graph.gv", "directory": "sub", "format": "svg"},
    {"filename": "graph", "cleanup": True}, {"outfile": "picture.svg"}, {"outfile": "p.png", "filename": "src.dot"},
    {"format": "svg", "renderer": "cairo"}, {"filename": "graph", "engine": "neato", "format": "svg"},
])
def test_a_diagram_renders_as_graphvizs_digraph_does(tmp_path, monkeypatch, needs_dot, arguments):
    """Diagram.render draws through pipe (stopped after DOT_SECONDS) but names, returns and
    writes the files as graphviz's own render does."""
    made = {}
    for kind in (graphviz.Digraph, Diagram):
        folder = tmp_path / kind.__name__
        folder.mkdir()
        monkeypatch.chdir(folder)
        diagram = kind(name="g")
        diagram.edge("a", "b")
        path = diagram.render(**arguments)
        made[kind] = path, sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert made[Diagram] == made[graphviz.Digraph]


def test_a_diagrams_pipe_returns_what_graphvizs_does(capsys, needs_dot):
    diagram, plain = Diagram(), graphviz.Digraph()
    for graph in (diagram, plain):
        graph.node("a", shape="no_such_shape")  # dot warns on stderr, and graphviz passes that on unless quiet
    assert diagram.pipe(format="svg") == plain.pipe(format="svg")
    assert diagram.pipe(format="svg", encoding="utf-8") == plain.pipe(format="svg", encoding="utf-8")
    assert capsys.readouterr().err.count("no_such_shape") == 4
    diagram.pipe(format="svg", quiet=True)
    assert capsys.readouterr().err == ""
    with pytest.raises(ValueError, match="unknown format: 'gif87'"):
        diagram.pipe(format="gif87")
    with pytest.raises(ValueError, match="cannot tell the format of outfile 'picture'"):
        diagram.render(outfile="picture")


def test_a_diagram_without_graphviz_says_how_to_install_it_as_graphviz_own_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on PATH
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz") as caught:
        draw_dot(notes_network()["L"]).render(tmp_path / "graph")
    assert isinstance(caught.value, graphviz.ExecutableNotFound)  # code written for graphviz catches it


def test_readme_pictures_script_draws_them(tmp_path, needs_dot):
    import importlib.util

    script = os.path.join(os.path.dirname(__file__), os.pardir, "docs", "make_pictures.py")
    spec = importlib.util.spec_from_file_location("make_pictures", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.draw_diagrams(str(tmp_path))
    assert [os.path.basename(p) for p in written] == ["backprop_4_7.svg", "mlp_neurons.svg"]
    with open(written[0], encoding="utf-8") as svg:
        first = svg.read()
    assert "<svg" in first and "σ&#39;(z1) = 0.2350" in first
    committed = os.path.join(os.path.dirname(script), "images", "backprop_4_7.svg")
    assert os.path.exists(committed)


def drawn_texts(root):
    """The texts of ``root``'s diagram as dot draws them: its SVG's <text> elements, unescaped."""
    svg = draw_graph(root).pipe(format="svg").decode()
    return [html.unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


@pytest.mark.parametrize("label, shown", [
    *((label, label) for label in [r"\lambda", r"C:\tmp", r"\E", r"\N", "a&amp;b", '"hi"<b>']),
    # a newline, a tab or a terminal's escape is not allowed in an HTML-like label (dot stopped
    # with a syntax error) and a surrogate cannot be sent to dot at all: each is shown as a repr writes it
    ("loss\nmse", r"loss\nmse"), ("a\tb", r"a\tb"), ("\x1b[31mred", r"\x1b[31mred"), ("caf\udce9", r"caf\udce9"),
])
def test_a_label_is_drawn_as_written_and_its_control_characters_written_out(label, shown, needs_dot):
    x = Value(2.0, label)
    y = x * Value(3.0, "w")
    y.label = "y"
    y.backward()
    texts = drawn_texts(y)
    assert f"∂y/∂{shown} = w = 3.0000" in texts
    assert shown in texts  # the value box too


@pytest.mark.parametrize("op", ["sin\\", "a\nb", "\\N"])
def test_an_op_of_your_own_is_drawn_with_its_name_as_written(op, needs_dot):
    """A backslash at the end of an op's name escaped the closing quote of its label (a DOT
    syntax error), and \\N was drawn as the node's id."""
    y = Value.from_op(6.0, op, (Value(2.0, "x"),), (3.0,))
    assert op.replace("\n", r"\n") in drawn_texts(y)


def test_unnamed_inputs_are_numbered_left_to_right():
    out = MLP(3, [2, 1], seed=0)([10.0, 20.0, 30.0])
    source = draw_graph(out, collapse="neuron").source
    assert [box(source, f"v{i}")[0] for i in (1, 2, 3)] == ["data 10.0000", "data 20.0000", "data 30.0000"]


def test_collapsed_neurons_name_what_is_built_on_them():
    out = MLP(2, [2, 1], seed=0)([1.0, 2.0])
    source = draw_graph(out * 2 - 1, collapse="neuron").source
    names = set(re.findall(r"<b>([^<]*)</b>", source))
    assert {"neuron 1.1", "neuron 1.2", "neuron 2.1", "(neuron 2.1)·2"} <= names
    assert not any("Σwx+b" in name for name in names)  # the hidden pre-activations name nothing shown


def test_a_neuron_used_on_several_examples_keeps_its_name():
    """On a loss over two examples, layer 1's neurons were numbered across the examples:
    "neuron 1.2" was n1.1 run on the second example, and neuron 1.2 itself was "neuron 1.3"."""
    model = MLP(2, [2, 1], seed=0)
    loss = mse([model(x) for x in ([1.0, -1.0], [0.5, 2.0])], [1.0, -1.0])
    neurons = graph_module.find_neurons(loss.topological_order())
    for neuron in neurons.values():  # the bias is labelled n<layer>.<k>.b
        assert neuron["name"] == f"neuron {neuron['bias'].label[1:-2]}"
    names = set(re.findall(r"<b>([^<]*)</b>", draw_graph(loss, collapse="neuron").source))
    assert {"neuron 1.1", "neuron 1.2", "neuron 2.1", "(neuron 1.1)#2", "(neuron 1.2)#2", "(neuron 2.1)#2"} <= names


def _svg_size(graph):
    svg = graph.pipe(format="svg").decode()
    width, height = re.search(r'<svg width="(\d+)pt" height="(\d+)pt"', svg).groups()
    return int(width), int(height)


def test_a_long_chain_runs_down_the_page_so_it_fits_a_notebook_cell(needs_dot):
    net = notes_network()
    graph = draw_graph(net["L"], highlight=net["w1"])  # the README's call
    assert "rankdir=TB" in graph.source
    width, height = _svg_size(graph)
    assert width < 1000 and width < height
    lr_width, _ = _svg_size(draw_graph(net["L"], highlight=net["w1"], rankdir="LR"))
    assert lr_width > 3 * width  # what "auto" avoids: a strip several screens wide


def test_a_neuron_with_many_inputs_fans_out_left_to_right(needs_dot):
    out = Neuron(8, seed=0)([Value(float(i), f"x{i}") for i in range(8)])
    out.backward()
    graph = draw_graph(out)
    assert "rankdir=LR" in graph.source
    assert _svg_size(graph)[0] < _svg_size(draw_graph(out, rankdir="TB"))[0]


def test_rankdir_is_checked():
    net = notes_network()
    assert "rankdir=BT" in draw_graph(net["L"], rankdir="BT").source
    with pytest.raises(ValueError, match="rankdir must be one of 'auto', 'LR', 'TB'"):
        draw_graph(net["L"], rankdir="lr")


def test_a_single_value_is_drawn_left_to_right():
    assert "rankdir=LR" in draw_graph(Value(1.0, "x")).source  # top to bottom the legend would sit beside it


def test_draw_graph_refuses_what_is_not_a_value():
    with pytest.raises(TypeError, match="draw_graph expects a Value .* got str"):
        draw_graph("x")


def test_a_diagram_in_a_plain_repl_says_what_it_is_and_how_to_see_it():
    text = repr(draw_graph(notes_network()["L"]))
    assert text.startswith("<Diagram of L (15 values): a picture in Jupyter;") and "save_graph" in text
    assert ".source" in text and len(text) < 150
    assert repr(draw_graph(Value(2.0, "x"))).startswith("<Diagram of x (1 value): ")


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda L: draw_graph(L, precision=2.5), TypeError, "precision must be a whole number, got float: 2.5"),
        (lambda L: draw_graph(L, precision=-1), ValueError, "precision must be a whole number from 0 to 17, got -1"),
        (lambda L: draw_graph(L, max_nodes="10"), TypeError, "max_nodes must be a whole number, got str"),
        (lambda L: draw_graph(L, max_nodes=0), ValueError, "max_nodes must be at least 1, got 0"),
        (lambda L: explain(L, precision="4"), TypeError, "precision must be a whole number, got str"),
        (lambda L: save_backward_html(L, "steps.html", max_steps=2.5), TypeError, "max_steps must be a whole number"),
    ],
)
def test_counts_of_the_drawings_are_checked_by_name(call, error, message):
    x = Value(2.0, "x")
    L = (x * x).tanh()
    L.backward()
    with pytest.raises(error, match=message):  # not a format-specifier error from deep inside
        call(L)


def test_the_diagram_names_an_unlabelled_root_as_the_trace_and_the_step_through_do():
    """explain and backward_steps took root_name, draw_graph did not: with root_name="f" the
    chain rule spoke of ∂f/∂x while the picture of the same graph still called the result L."""
    x, y = Value(3.0, "x"), Value(2.0, "y")
    f = x * x + y
    f.backward()
    source = draw_graph(f, root_name="f").source
    assert box(source, "f") == ("data 11.0000", "grad 1.0000") and "<b>L</b>" not in source
    assert "∂f/∂(x·x) = 1.0000" in edge_text(source)
    last_frame = backward_steps(f, root_name="f", same_layout=False)[-1].source
    assert re.findall(r"<b>([^<]*)</b>", last_frame) == re.findall(r"<b>([^<]*)</b>", source)
