"""The backward step-through: one frame per step, and the HTML page driven in headless
Chromium (loads with no console errors; Next, the arrow keys and the slider move the
highlighted node)."""

import json
import re

import pytest

import backprop_by_hand
from micrograd_club.engine import Value
from micrograd_club.viz import backward_steps, save_backward_html
from micrograd_club.viz.graph import CURRENT, GraphTooLargeError


def notes_loss():
    return backprop_by_hand.build_network()["L"]


def outlined(source):
    """Names of the boxes outlined as 'just completed' in DOT source."""
    return re.findall(rf'border="3" color="{CURRENT}"[^>]*><tr><td><b>([^<]*)</b>', source)


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
    assert "<b>z1</b></td><td>data 0.5000</td><td>grad not computed yet" in h_frame.source
    assert "grad not computed yet" not in frames[-1].source


def test_html_is_one_self_contained_file(tmp_path, needs_dot):
    path = save_backward_html(notes_loss(), tmp_path / "backprop.html")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count('<div class="frame"') == 15
    assert page.count("<svg") == 15
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing fetched
    assert "∂L/∂z1 = ∂L/∂(w1·x)" not in page and "∂L/∂z1 = ∂L/∂h · σ&#x27;(z1)" in page


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
