"""The backward step-through: one frame per step, every frame in the same layout, and the
HTML page driven in headless Chromium (loads with no console errors; Next, the arrow keys
and the slider move the highlighted node; the controls stay on screen)."""

import html
import json
import re

import numpy as np
import pytest

import backprop_by_hand
from micrograd_club.engine import Value
from micrograd_club.losses import sse
from micrograd_club.nn import MLP
from micrograd_club.viz import backward_steps, draw_graph, save_backward_html, stepper
from micrograd_club.viz import graph as graph_module
from micrograd_club.viz.graph import CURRENT, HIGHLIGHT, GraphTooLargeError, GraphvizNotFoundError, pipe


def notes_loss():
    return backprop_by_hand.build_network()["L"]


def outlined(source):
    """Names of the boxes outlined as 'just completed' in DOT source."""
    return re.findall(rf'border="3" color="{CURRENT}"[^>]*><tr><td[^>]*><b>([^<]*)</b>', source)


def test_one_frame_per_node_with_gradients_appearing_in_order():
    loss = notes_loss()
    frames = list(backward_steps(loss))
    assert len(frames) == len(loss.topological_order())
    first = frames[0]
    assert first.step.name == "L" and outlined(first.source) == ["L"]
    assert first.source.count("grad not computed yet") == len(frames) - 1
    names = [frame.step.name for frame in frames]
    assert names.index("y") < names.index("h") < names.index("z1") < names.index("w1")
    h_frame = frames[names.index("h")]
    assert outlined(h_frame.source) == ["h"] and "grad -0.0340" in h_frame.source
    assert h_frame.step.text == "∂L/∂h = ∂L/∂(w2·h) · ∂(w2·h)/∂h = (-0.1133) × (0.3000) = -0.0340"
    assert re.search(r"<b>z1</b></td><td[^>]*>data 0.5000</td><td[^>]*>grad not computed yet", h_frame.source)
    assert "grad not computed yet" not in frames[-1].source


def test_collapsed_steps_are_the_nodes_drawn_named_as_drawn():
    """Collapsed to neurons, the step-through went through every hidden weight and Σwx+b too
    (15 of its 27 frames outlined nothing), and its lines named nodes as the picture does not:
    "∂L/∂(Σwx+b)#4" for the box "neuron 2.1", and v1 for the square where the picture's v1 is
    1 − neuron 2.1."""
    model = MLP(2, [3, 1], activation="sigmoid", seed=0)
    loss = sse([model([Value(0.5, "x1"), Value(0.3, "x2")])], [1.0])
    frames = list(backward_steps(loss, collapse="neuron", same_layout=False))
    for frame in frames:
        assert outlined(frame.source) == [frame.step.name]
        assert "Σwx+b)" not in frame.step.text and "#" not in frame.step.text
    lines = {frame.step.name: frame.step.text for frame in frames}
    assert len(frames) == 11 and lines["v1"].startswith("∂L/∂v1 = ∂L/∂(v1²) · ∂(v1²)/∂v1 = ")
    assert lines["neuron 2.1"] == "∂L/∂(neuron 2.1) = ∂L/∂v1 · ∂v1/∂(neuron 2.1) = (0.8444) × (-1.0000) = -0.8444"
    assert lines["x1"].startswith("∂L/∂x1 = ∂L/∂(neuron 1.3) · ∂(neuron 1.3)/∂x1 + ")
    for fused in (True, False):  # a neuron at the root is named for what it is, not written out from hidden nodes
        out = MLP(2, [2, 1], seed=0, fused=fused)([Value(0.5, "x1"), Value(0.3, "x2")])
        first = backward_steps(out, collapse="neuron", same_layout=False)[0].step.text
        assert first == "∂(neuron 2.1)/∂(neuron 2.1) = 1 (the start of the backward pass)"
    loss.backward()  # the folded chain gives backward()'s gradient
    x1 = next(frame.step for frame in frames if frame.step.name == "x1")
    assert x1.grad == pytest.approx(x1.node.grad, rel=1e-12)


def test_html_is_one_self_contained_file(tmp_path, needs_dot):
    path = save_backward_html(notes_loss(), tmp_path / "backprop.html")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count('<div class="frame"') == 15
    assert page.count("<svg") == 15
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing fetched
    assert "∂L/∂z1 = ∂L/∂(w1·x)" not in page and "∂L/∂z1 = ∂L/∂h · σ&#x27;(z1)" in page


def test_the_page_says_what_a_shorthand_stands_for_as_the_trace_does(tmp_path, needs_dot):
    """A name too long to write out is v1: explain printed "where v1 = w1·x1 + w2·x2 + b" under
    its lines, but the page stepped through ∂L/∂v1 = tanh'(v1) without ever saying what v1 is."""
    x1, x2, w1, w2, b = (Value(d, name) for d, name in [(2, "x1"), (0, "x2"), (-3, "w1"), (1, "w2"), (6.88, "b")])
    out = (w1 * x1 + w2 * x2 + b).tanh()
    steps = backward_steps(out, same_layout=False)
    assert steps.key == "where v1 = w1·x1 + w2·x2 + b" and "∂L/∂v1" in steps[1].step.text
    page = save_backward_html(out, tmp_path / "p.html").read_text(encoding="utf-8")
    assert '<p id="key">where v1 = w1·x1 + w2·x2 + b</p>' in page
    assert 'id="key"' not in save_backward_html(notes_loss(), tmp_path / "q.html").read_text(encoding="utf-8")


def contrast(foreground, background="#ffffff"):
    """WCAG's contrast ratio of two colours written #rrggbb (4.5 is its minimum for text)."""
    def luminance(colour):
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    darker, lighter = sorted([luminance(foreground), luminance(background)])
    return (lighter + 0.05) / (darker + 0.05)


def test_every_text_colour_of_the_page_is_readable_on_white():
    colours = re.findall(r"(?<![-\w])color: (#[0-9a-fA-F]{6})", stepper.PAGE)
    assert len(colours) >= 4  # the body, the hint, the steps to come, the steps done
    assert {colour: round(contrast(colour), 1) for colour in colours if contrast(colour) < 4.5} == {}


# Machado, Oliveira and Fernandes (2009): how a full protanope or deuteranope sees linear RGB
COLOUR_BLIND = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
}


def colour_difference(first, second, seen_by):
    """CIE76 ΔE between two #rrggbb colours as a colour-blind eye sees them (ΔE ≈ 2 is just
    noticeable, 20 clearly apart)."""
    def lab(colour):
        srgb = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
        linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
        linear = np.clip(np.array(COLOUR_BLIND[seen_by]) @ linear, 0, 1)
        xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
        f = np.cbrt(np.maximum(xyz / [0.95047, 1.0, 1.08883], (6 / 29) ** 3))  # ignores the linear part near black
        return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])
    return float(np.linalg.norm(lab(first) - lab(second)))


def test_the_node_just_completed_stands_out_in_every_eye():
    """Its yellow outline had 1.9:1 on white (WCAG asks 3:1 of the parts of a picture that carry
    meaning), and on the highlighted path it differed from the path's red outline by colour alone."""
    assert contrast(CURRENT) >= 3 and contrast(HIGHLIGHT) >= 3
    assert all(colour_difference(CURRENT, HIGHLIGHT, eye) > 40 for eye in COLOUR_BLIND)
    net = backprop_by_hand.build_network()
    frames = backward_steps(net["L"], highlight=net["w1"], same_layout=False)
    h_frame = next(frame for frame in frames if frame.step.name == "h")  # h is on w1's path
    boxes = re.findall(r'<table border="3" color="(#\w+)"([^>]*)><tr><td[^>]*><b>([^<]*)</b>', h_frame.source)
    shapes = {name: (colour, 'style="rounded"' in rest) for colour, rest, name in boxes}
    assert shapes.pop("h") == (CURRENT, True)  # set apart in gray too, by its rounded corners
    assert shapes and set(shapes.values()) == {(HIGHLIGHT, False)}
    assert re.search(rf'<td color="{CURRENT}" border="3" style="rounded">grad just completed', h_frame.source)


def test_html_refuses_huge_graphs(tmp_path):
    with pytest.raises(GraphTooLargeError, match="15 steps, more than max_steps=10"):
        save_backward_html(notes_loss(), tmp_path / "big.html", max_steps=10)
    assert not (tmp_path / "big.html").exists()


@pytest.fixture
def chromium_page(browser_path):
    """A page of headless Chromium, and the list of problems it reports (errors, requests)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=browser_path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        try:
            page = browser.new_page()
            problems = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("request", lambda r: problems.append(r.url) if not r.url.startswith("file:") else None)
            yield page, problems
        finally:
            browser.close()


def stepper_state(page):
    """The visible frame, the node outlined in it, and the line shown above it."""
    return page.evaluate(
        """() => {
            const frame = [...document.querySelectorAll('.frame')].filter(f => !f.hidden);
            const marked = frame[0].querySelector('[stroke="%s"]');
            const node = marked && marked.closest('g.node');
            return {visible: frame.length, step: frame[0].dataset.step,
                    node: node ? node.querySelector('title').textContent : null,
                    line: document.getElementById('line').textContent};
        }""" % CURRENT
    )


def test_html_stepper_in_headless_chromium(tmp_path, needs_dot, chromium_page):
    page, problems = chromium_page
    path = save_backward_html(notes_loss(), tmp_path / "backprop.html")
    z1_step = str([frame.step.name for frame in backward_steps(notes_loss())].index("z1"))
    page.goto(path.as_uri())
    start = stepper_state(page)
    assert start["visible"] == 1 and start["step"] == "0" and start["node"]
    assert start["line"].startswith("∂L/∂L = 1")
    page.click("#next")
    after_next = stepper_state(page)
    assert after_next["step"] == "1" and after_next["node"] != start["node"]
    page.keyboard.press("ArrowRight")
    assert stepper_state(page)["step"] == "2"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert stepper_state(page) == start
    page.fill("#slider", z1_step)  # drag to the step of z1
    at_z1 = stepper_state(page)
    assert at_z1["step"] == z1_step and at_z1["line"].startswith("∂L/∂z1 = ∂L/∂h · σ'(z1)")
    assert problems == []


# ----- with the keyboard only -----


def focused(page):
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


def test_the_keyboard_reaches_and_scrolls_the_diagram_area(tmp_path, needs_dot, chromium_page):
    """The diagram area scrolls, but nothing in it takes the keyboard's focus, so where a browser
    does not make scrolling areas focusable itself (Safari; axe-core's scrollable-region-focusable)
    a keyboard-only user could not bring the rest of a wide diagram or the list of steps into view."""
    page, problems = chromium_page
    page.set_viewport_size({"width": 1024, "height": 700})
    page.goto(save_backward_html(notes_loss(), tmp_path / "p.html").as_uri())
    assert page.evaluate("document.getElementById('stage').tabIndex") == 0
    tabbed = []
    for _ in range(3):
        page.keyboard.press("Tab")
        tabbed.append(focused(page))
    assert tabbed == ["next", "slider", "stage"]  # Previous is disabled at the first step
    page.keyboard.press("PageDown")
    assert page.evaluate("document.getElementById('stage').scrollTop") > 0
    assert problems == []


def test_a_button_that_becomes_disabled_hands_the_focus_on(tmp_path, needs_dot, chromium_page):
    """Pressing Next to the last step disabled the focused button, which dropped the focus to the
    page: nothing was outlined, and a screen reader said nothing."""
    page, problems = chromium_page
    page.goto(save_backward_html(a_plus_a(), tmp_path / "p.html").as_uri())
    steps = page.evaluate("document.querySelectorAll('.frame').length")
    for button, end in (("#next", steps), ("#prev", 1)):
        page.focus(button)
        for _ in range(steps + 2):  # pressed once or twice too often
            page.keyboard.press("Enter")
        assert page.inner_text("#counter") == f"step {end} of {steps}" and focused(page) == "slider"
        assert page.evaluate("document.activeElement.matches(':focus-visible')")
    assert problems == []


def test_the_browsers_own_shortcuts_are_not_taken_for_stepping(tmp_path, needs_dot, chromium_page):
    """Alt+← (back a page) and Ctrl+→ stepped through the diagrams instead, and the browser never saw them."""
    page, problems = chromium_page
    page.goto(save_backward_html(notes_loss(), tmp_path / "p.html").as_uri())
    page.keyboard.press("ArrowRight")
    for chord in ("Alt+ArrowLeft", "Control+ArrowRight", "Meta+ArrowRight"):
        page.keyboard.press(chord)
        assert stepper_state(page)["step"] == "1", chord
    assert problems == []


def test_a_screen_reader_hears_each_step(tmp_path, needs_dot, chromium_page):
    """Stepping changed only what the page shows: the chain-rule line was not announced, the
    slider said "0" for step 1, the list numbered that step 0, and the picture's name was all
    of its texts in a row, which never said which node was outlined."""
    page, problems = chromium_page
    page.goto(save_backward_html(notes_loss(), tmp_path / "p.html").as_uri())
    page.click("#next")
    line = page.get_by_role("status")  # a live region: read out when it changes
    assert line.count() == 1 and line.inner_text().startswith("∂L/∂((t − y)²) = 0.5000")
    assert page.get_attribute("#slider", "aria-valuetext") == page.inner_text("#counter") == "step 2 of 15"
    assert page.evaluate("document.querySelector('ol').start + [...document.querySelectorAll('ol li')]"
                         ".findIndex(item => item.className === 'current')") == 2
    picture = page.get_by_role("img")  # the frames not shown are hidden from it too
    assert picture.count() == 1 and picture.get_attribute("aria-label") == (
        "step 2 of 15: the backward graph of L, with (t − y)² outlined, the node whose gradient was just completed")
    assert problems == []


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_a_printed_page_shows_the_whole_diagram_without_the_controls(tmp_path, needs_dot, chromium_page, rankdir):
    """Printed for a handout, the page showed only what its scrolling diagram area had in view:
    the notes' network drawn left to right (5,000 pixels wide) was cut off at the paper's edge."""
    page, problems = chromium_page
    page.goto(save_backward_html(notes_loss(), tmp_path / "p.html", rankdir=rankdir).as_uri())
    page.emulate_media(media="print")
    fits = page.evaluate(
        """() => {
            const box = document.querySelector('.frame:not([hidden]) svg').getBoundingClientRect();
            const stage = document.getElementById('stage');
            return {inside: box.left >= 0 && box.right <= document.documentElement.clientWidth
                            && box.height <= window.innerHeight,
                    clipped: getComputedStyle(stage).overflow !== 'visible',
                    controls: document.getElementById('next').offsetParent !== null};
        }"""
    )
    assert fits == {"inside": True, "clipped": False, "controls": False}
    assert problems == []


HOSTILE_LABEL = "<!--<script>"  # would switch the HTML parser into a mode that swallows the page's script


def test_labels_cannot_break_out_of_the_steps_data(tmp_path, needs_dot):
    a = Value(2.0, HOSTILE_LABEL)
    page = save_backward_html(a * Value(3.0, "q"), tmp_path / "p.html").read_text(encoding="utf-8")
    data = re.search(r'<script type="application/json" id="steps">(.*?)</script>', page, re.S).group(1)
    assert "<" not in data
    assert any(HOSTILE_LABEL in line for line in json.loads(data))


def test_a_page_with_a_hostile_label_still_steps_in_chromium(tmp_path, needs_dot, chromium_page):
    page, problems = chromium_page
    path = save_backward_html(Value(2.0, HOSTILE_LABEL) * Value(3.0, "q"), tmp_path / "p.html")
    page.goto(path.as_uri())
    assert stepper_state(page)["line"].startswith("∂L/∂L = 1")
    page.click("#next")
    assert stepper_state(page)["step"] == "1" and HOSTILE_LABEL in page.inner_text("body")
    assert problems == []


# ----- every frame in the same layout -----


def svg_frames(page):
    """The SVG of each frame of a saved page."""
    return re.findall(r'<div class="frame"[^>]*>(<svg.*?</svg>)\s*</div>', page, re.S)


def layout_of(svg):
    """What must not change from step to step: the drawing's size, where each node is (the
    place of its first text: a box's name, an op's symbol), and every edge's path."""
    size = re.search(r'<svg width="([^"]*)" height="([^"]*)"\s+viewBox="([^"]*)"', svg).groups()
    nodes = {
        title: re.search(r'<text[^>]*? x="([^"]*)" y="([^"]*)"', body).groups()
        for title, body in re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]*)</title>(.*?)</g>', svg, re.S)
        if "<text" in body
    }
    edges = re.findall(r'<g id="edge\d+" class="edge">\s*<title>([^<]*)</title>\s*<path[^>]* d="([^"]*)"', svg)
    return size, nodes, sorted(edges)


def a_plus_a():
    a = Value(2.0, "a")
    return (a + a) * Value(3.0, "q")  # a feeds the + twice: two edges with the same ends


def small_mlp():
    import random

    random.seed(4)
    return MLP(3, [4, 4, 1])([Value(1.0), Value(-2.0), Value(0.5)])


@pytest.mark.parametrize(
    "root, options",
    [(notes_loss, {}), (a_plus_a, {}), (small_mlp, {"collapse": "neuron"})],
    ids=["notes", "multi-edge", "collapsed-neurons"],
)
def test_every_frame_of_the_page_has_the_same_layout(tmp_path, needs_dot, root, options):
    page = save_backward_html(root(), tmp_path / "p.html", **options).read_text(encoding="utf-8")
    layouts = [layout_of(svg) for svg in svg_frames(page)]
    assert len(layouts) == page.count('<div class="frame"') > 1
    first = layouts[0]
    assert len(first[1]) >= 4 and len(first[2]) >= 3
    for step, layout in enumerate(layouts):
        assert layout[0] == first[0], f"step {step} is drawn at another size"
        assert layout[1] == first[1], f"nodes moved at step {step}"
        assert layout[2] == first[2], f"edges moved at step {step}"


def test_both_edges_of_a_plus_a_keep_their_own_path(tmp_path, needs_dot):
    page = save_backward_html(a_plus_a(), tmp_path / "p.html").read_text(encoding="utf-8")
    for svg in svg_frames(page):
        a_to_plus = [path for title, path in layout_of(svg)[2] if title == "v0&#45;&gt;v1op"]
        assert len(a_to_plus) == 2 and a_to_plus[0] != a_to_plus[1]


def test_backward_steps_frames_for_jupyter_do_not_jump(needs_dot):
    frames = list(backward_steps(notes_loss()))
    layouts = [layout_of(pipe(frame, "svg").decode("utf-8")) for frame in frames]
    assert all(layout == layouts[0] for layout in layouts)
    loose = [layout_of(pipe(frame, "svg").decode("utf-8")) for frame in backward_steps(notes_loss(), same_layout=False)]
    assert loose[0][1] != loose[-1][1]  # laid out one by one, the frames would jump


def test_a_box_is_as_big_in_every_frame(needs_dot):
    """Every grad cell is as wide as the widest grad text, and unmarked boxes keep room for
    the mark, so no box changes size when its gradient arrives or it is outlined."""
    sources = [frame.source for frame in backward_steps(notes_loss())]
    widths = {width for source in sources for width in re.findall(r'<td[^>]* width="(\d+)">grad ', source)}
    assert len(widths) == 1 and int(widths.pop()) > 100
    boxes_with_room = [source.count('<table border="3"') for source in sources]
    assert boxes_with_room == [source.count("<table") - 1 for source in sources]  # all but the legend


# ----- the controls stay on screen -----


def test_the_controls_come_before_the_diagrams_in_a_header_that_stays(tmp_path, needs_dot):
    page = save_backward_html(notes_loss(), tmp_path / "p.html").read_text(encoding="utf-8")
    header = re.search(r"<header>(.*?)</header>", page, re.S).group(1)
    for control in ('id="prev"', 'id="next"', 'id="slider"', 'id="line"', 'class="hint"'):
        assert control in header
    assert page.index("</header>") < page.index('<div class="frame"')
    assert re.search(r"header \{[^}]*position: sticky", page)
    assert re.search(r"#stage \{[^}]*overflow: auto", page)  # the diagrams scroll, not the page
    assert "scrollIntoView" not in page  # it scrolls the page too, and the header off it
    assert "&larr;</kbd> <kbd>&rarr;</kbd>" in header


def on_screen(page):
    """Where the controls, the chain-rule line and the outlined node are, seen from the window."""
    return page.evaluate(
        """() => {
            const box = el => { const r = el.getBoundingClientRect();
                                return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
            const frame = [...document.querySelectorAll('.frame')].find(f => !f.hidden);
            const stage = document.getElementById('stage') || document.documentElement;
            return {scrollY: window.scrollY, height: window.innerHeight, width: window.innerWidth,
                    controls: ['#prev', '#next', '#slider', '#line', '.hint'].map(s => document.querySelector(s))
                                                                          .filter(el => el).map(box),
                    node: box(frame.querySelector('[stroke="%s"]').closest('g.node')),
                    stage: {top: stage.getBoundingClientRect().top + stage.clientTop,
                            left: stage.getBoundingClientRect().left + stage.clientLeft,
                            bottom: stage.getBoundingClientRect().top + stage.clientTop + stage.clientHeight,
                            right: stage.getBoundingClientRect().left + stage.clientLeft + stage.clientWidth}};
        }""" % CURRENT
    )


@pytest.mark.parametrize("width, height", [(1280, 800), (1024, 768), (1920, 1080)])
@pytest.mark.parametrize("root", [notes_loss, a_plus_a], ids=["notes", "small"])
def test_controls_and_the_marked_node_stay_in_view(tmp_path, needs_dot, chromium_page, width, height, root):
    page, problems = chromium_page
    page.set_viewport_size({"width": width, "height": height})
    path = save_backward_html(root(), tmp_path / "p.html")
    page.goto(path.as_uri())
    steps = page.evaluate("document.querySelectorAll('.frame').length")
    for step in range(steps):
        seen = on_screen(page)
        assert seen["scrollY"] == 0, f"step {step}: the page scrolled"
        for control in seen["controls"]:
            assert 0 <= control["top"] and control["bottom"] <= seen["height"], f"step {step}: a control is off screen"
            assert 0 <= control["left"] and control["right"] <= seen["width"], f"step {step}: a control is off screen"
        node, stage = seen["node"], seen["stage"]
        assert stage["top"] <= node["top"] and node["bottom"] <= stage["bottom"], f"step {step}: node not in view"
        assert stage["left"] <= node["left"] and node["right"] <= stage["right"], f"step {step}: node not in view"
        page.keyboard.press("ArrowRight")
    assert len(seen["controls"]) == 5 and problems == []


def test_backward_steps_names_an_unlabelled_root_the_same_in_pictures_and_lines():
    x = Value(2.0, label="x")
    frames = list(backward_steps(x * x, root_name="y", same_layout=False))
    assert [frame.step.text.split(" = ")[0] for frame in frames] == ["∂y/∂y", "∂y/∂x"]
    assert "<b>y</b>" in frames[0].source and "<b>L</b>" not in frames[0].source


def test_save_backward_html_refuses_a_picture_name_and_a_non_value(tmp_path):
    x = Value(2.0, label="x")
    with pytest.raises(ValueError, match=r"writes a web page, not a picture: end '.*steps.svg' with .html"):
        save_backward_html(x * x, tmp_path / "steps.svg")
    with pytest.raises(TypeError, match="save_backward_html expects a Value .* got float"):
        save_backward_html(2.0, tmp_path / "steps.html")
    assert list(tmp_path.iterdir()) == []


def test_backward_steps_is_a_list_of_frames_with_a_short_repr():
    steps = backward_steps(notes_loss(), same_layout=False)
    assert isinstance(steps, list) and len(steps) == 15 and steps[0].step.name == "L"
    assert repr(steps) == ("<BackwardSteps of L: 15 diagrams, one per step; display(steps[i]) in Jupyter, "
                           "steps[i].step.text is its chain-rule line>")
    assert repr(backward_steps(Value(2.0, "x"), same_layout=False)).startswith("<BackwardSteps of x: 1 diagram, one ")
    with pytest.raises(TypeError, match="expects a Value"):
        backward_steps([notes_loss()])  # at the call, not when the first frame is asked for


@pytest.mark.parametrize("call", [
    lambda loss: backward_steps(loss, colapse="neuron"),
    lambda loss: backward_steps(loss, show_grads=True),  # draw_graph's, but every frame shows the grads known so far
    lambda loss: save_backward_html(loss, "steps.html", colapse="neuron"),
])
def test_a_misspelt_option_is_named_as_the_function_called_not_render(call):
    with pytest.raises(TypeError, match=r"^(backward_steps|save_backward_html)\(\) got an unexpected keyword argument "
                                        r"'(colapse|show_grads)'; its options are .*collapse"):
        call(notes_loss())


# ----- inline in Jupyter -----

INLINE_FRAME = re.compile(r'<div [^<>]*><p [^<>]*>[^<>]*</p><iframe title="[^"<>]*" style="[^"<>]*" '
                          r'srcdoc="([^"<>]*)"></iframe></div>')


def test_in_jupyter_the_steps_show_inline_as_the_page_that_is_saved(tmp_path, needs_dot):
    # backward_steps(loss) as a cell's last line showed only its text repr; the stepper page is in a
    # frame of its own (srcdoc), so its ids, styles and keys stay apart from the notebook's.
    loss = notes_loss()
    shown = INLINE_FRAME.fullmatch(backward_steps(loss)._repr_html_())
    assert shown, "not one iframe holding the page"
    assert html.unescape(shown.group(1)) == save_backward_html(loss, tmp_path / "p.html").read_text(encoding="utf-8")


def test_the_inline_stepper_steps_in_chromium(needs_dot, chromium_page):
    page, problems = chromium_page
    page.set_content(backward_steps(notes_loss())._repr_html_())
    (frame,) = [frame for frame in page.frames if frame is not page.main_frame]
    start = stepper_state(frame)
    assert start["step"] == "0" and start["line"].startswith("∂L/∂L = 1")
    frame.click("#next")
    assert stepper_state(frame)["step"] == "1"
    covered = page.evaluate("""() => {  // the line for viewers that strip frames is under the frame
        const box = document.querySelector('p').getBoundingClientRect();
        return document.elementFromPoint(box.left + 5, box.top + 5).tagName;
    }""")
    assert covered == "IFRAME"
    assert problems == []


def test_where_a_viewer_strips_the_frame_a_line_says_how_to_see_the_steps(needs_dot):
    shown = backward_steps(notes_loss())._repr_html_()
    without_frame = re.sub(r"<iframe .*?</iframe>", "", shown, flags=re.S)  # as GitHub's notebook viewer shows it
    assert re.sub(r"<[^>]*>", "", without_frame) == (
        "Backpropagation, step by step: run this cell to step through it (in a notebook opened from a file, "
        "Jupyter shows it once the notebook is trusted: File → Trust Notebook).")


def shown_text(shown):
    """The text of what ``_repr_html_`` shows in place of the page, which must not be the page."""
    assert shown is not None and "<iframe" not in shown
    return html.unescape(re.sub(r"<[^>]*>", "", shown))


def test_without_dot_or_with_too_many_frames_jupyter_says_why_above_the_text_repr(monkeypatch):
    """Jupyter showed the text repr alone, which does not say why there is no page."""
    steps = backward_steps(notes_loss(), same_layout=False)
    monkeypatch.setattr(stepper, "MAX_STEPS", len(steps) - 1)
    # each frame is a run of dot: a page of thousands would hang the cell
    assert shown_text(steps._repr_html_()) == (
        f"{len(steps)} steps are more than the {len(steps) - 1} frames shown as one page (each is a run of "
        f"Graphviz's dot, and the page grows with the square of the steps)\n{steps!r}")
    monkeypatch.undo()

    def no_dot(diagram, fmt):
        raise GraphvizNotFoundError("install Graphviz")

    monkeypatch.setattr(stepper, "pipe", no_dot)
    assert shown_text(steps._repr_html_()) == f"{graph_module.missing_dot_advice()}\n{steps!r}"
    advice = "add it (Start menu: Edit environment variables > Path > New > C:\\Tools & Apps\\Graphviz\\bin)"
    monkeypatch.setattr(stepper, "missing_dot_advice", lambda: advice)  # as on Windows, with dot not on PATH
    assert html.escape(advice) in steps._repr_html_() and shown_text(steps._repr_html_()).startswith(advice)
    assert stepper.BackwardSteps()._repr_html_() is None  # nothing to show: the repr says 0 diagrams


def svg_without_dot(diagram, fmt):
    """Stands in for dot where only the page around the frames matters, not their drawings."""
    return b'<?xml version="1.0"?>\n<svg></svg>'


def test_jupyter_shows_inline_every_page_save_backward_html_writes_by_default(tmp_path, monkeypatch):
    monkeypatch.setattr(stepper, "pipe", svg_without_dot)
    frame = backward_steps(Value(2.0, "x"), same_layout=False)[0]
    assert "<iframe" in stepper.BackwardSteps([frame] * stepper.MAX_STEPS)._repr_html_()
    assert "<iframe" not in stepper.BackwardSteps([frame] * (stepper.MAX_STEPS + 1))._repr_html_()
    chain = Value(0.5, "x")
    for _ in range(stepper.MAX_STEPS):
        chain = chain.tanh()
    with pytest.raises(GraphTooLargeError, match=rf"has {stepper.MAX_STEPS + 1} steps, more than "
                                                 rf"max_steps={stepper.MAX_STEPS} frames"):
        save_backward_html(chain, tmp_path / "long.html")


def test_backward_steps_refuses_a_graph_too_large_to_draw_before_tracing_or_drawing_it(monkeypatch):
    """A chain of 40,000 nodes took half a minute to be refused by the first frame: every node was
    traced and every grad text measured by Graphviz first."""
    chain = Value(0.5, "x")
    for _ in range(200):
        chain = chain.tanh()
    monkeypatch.setattr(stepper, "_trace", lambda *args, **kwargs: pytest.fail("traced the graph"))
    monkeypatch.setattr(stepper, "grad_cell_width", lambda *args, **kwargs: pytest.fail("ran dot"))
    with pytest.raises(GraphTooLargeError, match="this graph has 201 value nodes, more than max_nodes=150"):
        backward_steps(chain)
    with pytest.raises(GraphTooLargeError, match="201 value nodes, more than max_nodes=100"):
        backward_steps(chain, max_nodes=100)
    with pytest.raises(TypeError, match="^max_nodes must be a whole number, got str"):
        backward_steps(Value(2.0, "x"), max_nodes="150")


class Traced(Exception):
    """Raised in place of tracing: backward_steps got past its size check."""


def test_backward_steps_refuses_by_default_what_draw_graph_refuses(monkeypatch):
    def trace(*args, **kwargs):
        raise Traced

    monkeypatch.setattr(stepper, "_trace", trace)
    chain = Value(0.5, "x")
    while len(chain.topological_order()) < graph_module.MAX_NODES:
        chain = chain.tanh()
    draw_graph(chain)
    with pytest.raises(Traced):
        backward_steps(chain)
    chain = chain.tanh()
    with pytest.raises(GraphTooLargeError, match=f"more than max_nodes={graph_module.MAX_NODES}"):
        draw_graph(chain)
    with pytest.raises(GraphTooLargeError, match=f"more than max_nodes={graph_module.MAX_NODES}"):
        backward_steps(chain)


def test_jupyter_says_so_when_graphviz_takes_too_long(monkeypatch, needs_dot):
    """With same_layout=False no frame is drawn until Jupyter shows them, and a frame that took
    too long made Jupyter show the text repr alone, without a word of why."""
    steps = backward_steps(Value(2.0, "x") * 3, same_layout=False)
    assert "<iframe" in steps._repr_html_()
    monkeypatch.setattr(graph_module, "DOT_SECONDS", 1e-9)  # as if every frame took too long
    shown = shown_text(steps._repr_html_())
    assert shown.startswith("Graphviz's dot was stopped after 1e-09 s laying out L (3 values)")
    assert shown.endswith(f"run dot on it yourself, which has no time limit.\n{steps!r}")


def test_a_page_of_more_than_a_hundred_frames_is_refused_by_default(tmp_path, monkeypatch):
    """Each frame pictures every node, so the page grows with the square of the steps: a chain of
    150 nodes, within the default limits, was written as a page of 52 MB."""
    monkeypatch.setattr(stepper, "pipe", svg_without_dot)
    chain = Value(0.5, "x")
    for _ in range(100):
        chain = chain.tanh()
    with pytest.raises(GraphTooLargeError, match=r"has 101 steps, more than max_steps=100 frames \(each frame "
                                                 r"pictures every node, so the page grows with the square"
                                                 r".*; or raise max_steps \("):
        save_backward_html(chain, tmp_path / "long.html")
    assert not (tmp_path / "long.html").exists()
    save_backward_html(chain, tmp_path / "long.html", max_steps=101, same_layout=False)  # when asked for


def test_a_collapsed_mlp_is_as_many_steps_as_it_draws(tmp_path, monkeypatch):
    """MLP(2, [16, 16, 1]) collapsed is 35 boxes, but the page was refused for its 404 nodes."""
    monkeypatch.setattr(stepper, "pipe", svg_without_dot)
    out = MLP(2, [16, 16, 1], seed=0)([Value(0.5, "x1"), Value(-1.0, "x2")])
    assert len(out.topological_order()) > stepper.MAX_STEPS
    page = save_backward_html(out, tmp_path / "mlp.html", collapse="neuron", same_layout=False)
    assert page.read_text(encoding="utf-8").count('<div class="frame"') == 2 + 16 + 16 + 1
    with pytest.raises(GraphTooLargeError, match="has 35 steps, more than max_steps=34"):
        save_backward_html(out, tmp_path / "mlp.html", collapse="neuron", max_steps=34)


def test_the_saved_page_is_headed_by_the_title_given(tmp_path, monkeypatch):
    monkeypatch.setattr(stepper, "pipe", svg_without_dot)
    path = save_backward_html(notes_loss(), tmp_path / "steps.html", title="Gradients <of> L", same_layout=False)
    page = path.read_text(encoding="utf-8")
    assert "<title>Gradients &lt;of&gt; L</title>" in page and "<h1>Gradients &lt;of&gt; L</h1>" in page
