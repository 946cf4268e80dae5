"""Optimizers and learning-rate schedulers: step by step against torch.optim in float64, by
hand, and on the notes' worked example (section 4.7); plus parameter groups, state dicts,
and every error message."""

import json
import math
import re
import warnings

import pytest
from hypothesis import given

from micrograd_club import Value, optim
from micrograd_club.engine import is_grad_enabled, no_grad
from micrograd_club.nn import MLP
from micrograd_club.optim import SGD, Adagrad, Adam, AdamW, ExponentialLR, LambdaLR, RMSprop, StepLR
from strategies import away_from_zero, learning_rates, momentum_coefficients, real_lists


@pytest.fixture
def torch():
    return pytest.importorskip(
        "torch", reason="torch is not installed, so there is no torch.optim to compare against"
    )


def close(expected):
    """Equal up to rounding: 1e-12 relative."""
    return pytest.approx(expected, rel=1e-12, abs=1e-15)


# ----- the test problem: the same loss on Values and on torch tensors -----

START = (-1.2, 1.0, 0.5)


def loss_function(x, y, z):
    """Rosenbrock's curved valley in (x, y) plus a term coupling z; any objects with + − * ** work."""
    return (1 - x) ** 2 + 5 * (y - x * x) ** 2 + (y * z - 0.3) ** 2 + 0.1 * z**4


def in_groups(params, first_group):
    """All parameters in one group, or x in a group of its own with the overrides ``first_group``."""
    if first_group is None:
        return params
    return [{"params": params[:1], **first_group}, {"params": params[1:]}]


def trajectory(module, params, name, kwargs, first_group=None, steps=10, scheduler=None):
    """Train ``params`` with ``module.<name>`` (micrograd_club.optim or torch.optim); return the
    parameters after every step and the learning rates of every epoch."""
    optimizer = getattr(module, name)(in_groups(params, first_group), **kwargs)
    lr_scheduler = scheduler(module, optimizer) if scheduler else None
    history, lrs = [], []
    for _ in range(steps):
        optimizer.zero_grad()
        loss_function(*params).backward()
        optimizer.step()
        if lr_scheduler:
            lr_scheduler.step()
            lrs.append(lr_scheduler.get_last_lr())
        history.append([p.item() for p in params])
    return history, lrs


def our_trajectory(*args, **kwargs):
    return trajectory(optim, [Value(v) for v in START], *args, **kwargs)


def torch_trajectory(torch, *args, **kwargs):
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in START]
    return trajectory(torch.optim, params, *args, **kwargs)


def assert_same_trajectory(ours, theirs):
    assert len(ours) == len(theirs)
    for step, (our_params, their_params) in enumerate(zip(ours, theirs), start=1):
        assert our_params == close(their_params), f"parameters differ after step {step}"


# ----- every optimizer against torch.optim -----

# (optimizer, keyword arguments, overrides for a first parameter group or None for one group)
TORCH_CASES = [
    ("SGD", {}, None),
    ("SGD", {"lr": 0.01}, None),
    ("SGD", {"lr": 0.01, "weight_decay": 0.1}, None),
    ("SGD", {"lr": 0.01, "momentum": 0.9}, None),
    ("SGD", {"lr": 0.01, "momentum": 0.9, "dampening": 0.3}, None),
    ("SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05}, None),
    ("SGD", {"lr": 0.01}, {"lr": 0.03, "momentum": 0.5}),
    ("RMSprop", {}, None),
    ("RMSprop", {"lr": 0.005, "alpha": 0.9, "eps": 1e-6}, None),
    ("RMSprop", {"lr": 0.005, "momentum": 0.9}, None),
    ("RMSprop", {"lr": 0.005, "centered": True}, None),
    ("RMSprop", {"lr": 0.005, "centered": True, "momentum": 0.5, "weight_decay": 0.1}, None),
    ("RMSprop", {}, {"centered": True, "alpha": 0.95}),
    ("Adagrad", {}, None),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}, None),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.1, "weight_decay": 0.1, "eps": 1e-3}, None),
    ("Adagrad", {"lr": 0.1}, {"lr_decay": 0.2}),
    ("Adam", {}, None),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99)}, None),
    ("Adam", {"lr": 0.05, "betas": (0.9, 0.6), "amsgrad": True}, None),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "eps": 1e-3}, None),
    ("Adam", {"lr": 0.05}, {"betas": (0.5, 0.9), "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}, None),
    ("AdamW", {}, None),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.5, "amsgrad": True}, None),
    ("AdamW", {"lr": 0.05}, {"weight_decay": 0.0}),
    # maximize: every optimizer steps up the gradient; with weight decay and momentum, torch negates ∇L first
    ("SGD", {"lr": 0.001, "momentum": 0.9, "weight_decay": 0.1, "maximize": True}, None),
    ("RMSprop", {"lr": 0.001, "centered": True, "weight_decay": 0.1, "maximize": True}, None),
    ("Adagrad", {"lr": 0.01, "weight_decay": 0.1, "maximize": True}, None),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "maximize": True}, None),
    ("AdamW", {"lr": 0.01, "maximize": True}, None),
]


def case_id(case):
    name, kwargs, first_group = case
    settings = ",".join(f"{k}={v}" for k, v in kwargs.items()) or "defaults"
    return f"{name}({settings})" + (f"+group{first_group}" if first_group else "")


@pytest.mark.parametrize("name, kwargs, first_group", TORCH_CASES, ids=[case_id(c) for c in TORCH_CASES])
def test_ten_steps_match_torch_optim_in_float64(torch, name, kwargs, first_group):
    ours, _ = our_trajectory(name, kwargs, first_group)
    theirs, _ = torch_trajectory(torch, name, kwargs, first_group)
    assert_same_trajectory(ours, theirs)
    assert ours[-1] != list(START)


def state_after_ten_steps(module, params, name, kwargs, first_group):
    """Each parameter's optimizer state (numbers, not tensors) after ten steps on the test problem."""
    optimizer = getattr(module, name)(in_groups(params, first_group), **kwargs)
    for _ in range(10):
        optimizer.zero_grad()
        loss_function(*params).backward()
        optimizer.step()
    return [{key: getattr(value, "item", lambda: value)() for key, value in optimizer.state[p].items()} for p in params]


@pytest.mark.parametrize("name, kwargs, first_group", TORCH_CASES, ids=[case_id(c) for c in TORCH_CASES])
def test_the_state_after_ten_steps_is_torch_optim_s(torch, name, kwargs, first_group):
    """What an optimizer keeps per parameter (``state``, and so ``state_dict()``) has torch's names
    and numbers, the step count included, which no update rule here reads (RMSprop's)."""
    ours = state_after_ten_steps(optim, [Value(v) for v in START], name, kwargs, first_group)
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in START]
    theirs = state_after_ten_steps(torch.optim, params, name, kwargs, first_group)
    for our_state, their_state in zip(ours, theirs):
        assert sorted(our_state) == sorted(their_state)
        assert our_state == {key: value if value is None else close(value) for key, value in their_state.items()}


def closure_trajectory(module, params, name, kwargs, steps=10):
    """As ``trajectory``, with PyTorch's ``optimizer.step(closure)``: the losses it returned
    and the parameters after every step."""
    optimizer = getattr(module, name)(params, **kwargs)

    def closure():
        optimizer.zero_grad()
        loss = loss_function(*params)
        loss.backward()
        return loss

    losses, history = [], []
    for _ in range(steps):
        losses.append(optimizer.step(closure).item())
        history.append([p.item() for p in params])
    return losses, history


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adagrad", "Adam", "AdamW"])
def test_step_with_a_closure_matches_torch_and_returns_the_loss(torch, name):
    our_losses, ours = closure_trajectory(optim, [Value(v) for v in START], name, {"lr": 0.01})
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in START]
    their_losses, theirs = closure_trajectory(torch.optim, params, name, {"lr": 0.01})
    assert our_losses == close(their_losses)
    assert_same_trajectory(ours, theirs)


def test_step_runs_the_closure_with_the_graph_on_and_returns_what_it_returns():
    w = Value(3.0)
    optimizer = SGD([w], lr=0.1)

    def closure():
        optimizer.zero_grad()
        loss = w * w
        loss.backward()  # raises inside no_grad() unless step switches the graph on
        return loss

    with no_grad():
        loss = optimizer.step(closure)
    assert loss.data == 9.0 and w.data == pytest.approx(3.0 - 0.1 * 6.0)
    assert is_grad_enabled()
    assert optimizer.step() is None  # without a closure, as in PyTorch


def test_maximize_steps_up_the_gradient():
    w = Value(1.0)
    optimizer = SGD([w], lr=0.1, maximize=True)
    w.grad = 2.0
    optimizer.step()
    assert w.data == 1.0 + 0.1 * 2.0


def test_adamw_decays_the_weight_itself_not_the_gradient():
    """First step by hand: θ ← θ·(1 − ηλ), then Adam's first step, η·sign(∇L); Adam with the
    same λ adds λθ to ∇L instead, and its first step is then η·sign(∇L + λθ)."""
    theta = Value(2.0)
    optimizer = AdamW([theta], lr=0.1, weight_decay=0.5)
    theta.grad = -0.25
    optimizer.step()
    assert theta.data == pytest.approx(2.0 * (1 - 0.1 * 0.5) + 0.1, rel=1e-7)  # ε = 1e-8 in |g| + ε
    coupled = Value(2.0)
    adam = Adam([coupled], lr=0.1, weight_decay=0.5)
    coupled.grad = -0.25  # ∇L + λθ = −0.25 + 1.0 > 0: the coupled step goes the other way
    adam.step()
    assert coupled.data == pytest.approx(2.0 - 0.1, rel=1e-7)
    assert AdamW([Value(0.0)]).defaults["weight_decay"] == 0.01


def test_a_state_dict_saved_before_maximize_existed_still_loads():
    w = Value(1.0)
    saved = {"state": {}, "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0,
                                            "amsgrad": False, "params": [0]}]}
    optimizer = Adam([w])
    optimizer.load_state_dict(saved)
    assert optimizer.param_groups[0]["maximize"] is False
    assert optimizer.param_groups[0]["decoupled_weight_decay"] is False


def test_amsgrad_case_really_uses_the_running_maximum():
    """The amsgrad case compared with torch above is one where the maximum matters."""
    params = [Value(v) for v in START]
    optimizer = Adam(params, lr=0.05, betas=(0.9, 0.6), amsgrad=True)
    for _ in range(10):
        optimizer.zero_grad()
        loss_function(*params).backward()
        optimizer.step()
    assert any(s["max_exp_avg_sq"] > s["exp_avg_sq"] for s in optimizer.state.values())
    plain, _ = our_trajectory("Adam", {"lr": 0.05, "betas": (0.9, 0.6)})
    assert [p.data for p in params] != plain[-1]


def step_lr(module, optimizer):
    return module.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)  # the same path in both


def test_schedulers_import_from_lr_scheduler_as_in_pytorch():
    from micrograd_club.optim.lr_scheduler import ExponentialLR as FromSubmodule

    assert FromSubmodule is ExponentialLR is optim.lr_scheduler.ExponentialLR


def test_sgd_with_step_lr_matches_torch(torch):
    ours, our_lrs = our_trajectory("SGD", {"lr": 0.02, "momentum": 0.9}, scheduler=step_lr)
    theirs, their_lrs = torch_trajectory(torch, "SGD", {"lr": 0.02, "momentum": 0.9}, scheduler=step_lr)
    assert_same_trajectory(ours, theirs)
    assert our_lrs == [close(lrs) for lrs in their_lrs]
    assert our_lrs[-1] == close([0.02 * 0.5**3])


# ----- by hand, without torch -----


def test_sgd_step_is_theta_minus_lr_times_gradient_and_reads_only_grad():
    w, b = Value(2.0), Value(-1.0)
    w.grad, b.grad = 3.0, -0.5  # no graph at all: step() only reads .grad
    SGD([w, b], lr=0.1).step()
    assert (w.data, b.data) == (close(2.0 - 0.1 * 3.0), close(-1.0 + 0.1 * 0.5))
    assert (w.grad, b.grad) == (3.0, -0.5)


def test_sgd_weight_decay_adds_lambda_theta_to_the_gradient():
    w = Value(2.0)
    w.grad = 3.0
    SGD([w], lr=0.1, weight_decay=0.5).step()
    assert w.data == close(2.0 - 0.1 * (3.0 + 0.5 * 2.0))


def test_sgd_weight_decay_is_the_gradient_of_half_lambda_theta_squared():
    def train(weight_decay, penalty):
        params = [Value(v) for v in START]
        optimizer = SGD(params, lr=0.01, momentum=0.5, weight_decay=weight_decay)
        for _ in range(5):
            optimizer.zero_grad()
            loss = loss_function(*params) + sum(0.5 * penalty * p * p for p in params)
            loss.backward()
            optimizer.step()
        return [p.data for p in params]

    assert train(weight_decay=0.3, penalty=0.0) == close(train(weight_decay=0.0, penalty=0.3))


def test_sgd_momentum_by_hand_in_the_notes_form():
    """v = γv + η∇L, θ = θ − v with γ = 0.9, η = 0.1 and ∇L = 1, 1, −2."""
    theta = Value(1.0)
    optimizer = SGD([theta], lr=0.1, momentum=0.9)
    seen = []
    for gradient in (1.0, 1.0, -2.0):
        theta.grad = gradient
        optimizer.step()
        seen.append(theta.data)
    # v₁ = 0.1, θ = 0.9;  v₂ = 0.09 + 0.1 = 0.19, θ = 0.71;  v₃ = 0.171 − 0.2 = −0.029, θ = 0.739
    assert seen == [close(0.9), close(0.71), close(0.739)]


@given(gamma=momentum_coefficients(), lr=learning_rates(), gradients=real_lists(1, 10))
def test_sgd_momentum_equals_the_notes_velocity_form(gamma, lr, gradients):
    theta = Value(1.0)
    optimizer = SGD([theta], lr=lr, momentum=gamma)
    expected, v = 1.0, 0.0
    for gradient in gradients:
        theta.grad = gradient
        optimizer.step()
        v = gamma * v + lr * gradient
        expected -= v
        assert theta.data == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_sgd_nesterov_by_hand():
    theta = Value(1.0)
    optimizer = SGD([theta], lr=0.1, momentum=0.9, nesterov=True)
    theta.grad = 1.0
    optimizer.step()  # b = 1, step along g + γb = 1.9
    assert theta.data == close(1.0 - 0.19)
    optimizer.step()  # b = 0.9 + 1 = 1.9, step along 1 + 0.9·1.9 = 2.71
    assert theta.data == close(0.81 - 0.271)


def test_sgd_dampening_skips_the_first_step_as_in_torch():
    theta = Value(1.0)
    optimizer = SGD([theta], lr=0.1, momentum=0.5, dampening=0.5)
    theta.grad = 2.0
    optimizer.step()  # b = g = 2 (not (1 − 0.5)·2)
    assert theta.data == close(0.8)
    optimizer.step()  # b = 0.5·2 + 0.5·2 = 2
    assert theta.data == close(0.6)


@given(gradient=away_from_zero(1e-3), lr=learning_rates())
def test_adam_first_step_moves_by_lr_times_sign_of_gradient(gradient, lr):
    theta = Value(0.5)
    theta.grad = gradient
    Adam([theta], lr=lr).step()
    # m̂ = g and √v̂ = |g| after one step, so θ moves by η·g/(|g| + ε) ≈ η·sign(g)
    assert theta.data == close(0.5 - lr * gradient / (abs(gradient) + 1e-8))
    assert (0.5 - theta.data) / lr == pytest.approx(math.copysign(1.0, gradient), rel=1e-4)


def test_adam_bias_correction_keeps_steps_at_lr_for_a_constant_gradient():
    theta = Value(0.0)
    optimizer = Adam([theta], lr=0.01)
    for t in range(1, 6):
        theta.grad = 4.0
        optimizer.step()
        assert theta.data == pytest.approx(-0.01 * t, rel=1e-8)
    assert optimizer.state[theta]["step"] == 5


def test_adam_steps_by_lr_even_when_the_gradient_squared_over_1_minus_beta2_overflows():
    theta = Value(0.0)
    theta.grad = 1e155  # v = 0.001·g² = 1e307, and v/(1 − β₂) would be inf: √v/√(1 − β₂) is 1e155
    Adam([theta], lr=0.01).step()
    assert theta.data == pytest.approx(-0.01, rel=1e-12)


def test_centered_rmsprop_survives_a_variance_rounded_below_zero():
    theta = Value(0.0)
    optimizer = RMSprop([theta], lr=0.01, alpha=0.9, centered=True)
    for _ in range(400):  # a constant gradient: v − ḡ² is about 0 and once rounds below it
        theta.grad = 1e-5
        optimizer.step()
    assert math.isfinite(theta.data)


@pytest.mark.parametrize("make", [lambda p: Adam(p, eps=0), lambda p: RMSprop(p, eps=0), lambda p: Adagrad(p, eps=0)])
def test_eps_0_and_a_gradient_that_was_always_0_gives_nan_as_in_pytorch(make):
    theta = Value(1.0)
    theta.grad = 0.0
    make([theta]).step()  # 0 / (√0 + 0): torch gives nan, not an exception
    assert math.isnan(theta.data)


@pytest.mark.parametrize("name", ["Adam", "RMSprop", "Adagrad"])
def test_eps_0_and_a_gradient_whose_square_underflows_steps_to_infinity_as_in_pytorch(name):
    theta = Value(0.5)
    theta.grad = 1e-170  # g² = 1e-340 rounds to 0, so the step is g / 0
    getattr(optim, name)([theta], lr=0.1, eps=0.0).step()
    assert theta.data == -math.inf


def test_rmsprop_first_steps_by_hand():
    plain, centered = Value(1.0), Value(1.0)
    plain.grad = centered.grad = 2.0
    RMSprop([plain], lr=0.01).step()
    RMSprop([centered], lr=0.01, centered=True).step()
    v = 0.01 * 2.0**2  # (1 − α)·g²
    assert plain.data == close(1.0 - 0.01 * 2.0 / (math.sqrt(v) + 1e-8))
    g_avg = 0.01 * 2.0  # (1 − α)·g
    assert centered.data == close(1.0 - 0.01 * 2.0 / (math.sqrt(v - g_avg**2) + 1e-8))


def test_adagrad_steps_by_hand_with_lr_decay():
    theta = Value(1.0)
    optimizer = Adagrad([theta], lr=0.1, lr_decay=0.5, initial_accumulator_value=1.0)
    theta.grad = 3.0
    optimizer.step()  # s = 1 + 9
    first = 1.0 - 0.1 * 3.0 / (math.sqrt(10.0) + 1e-10)
    assert theta.data == close(first)
    theta.grad = -1.0
    optimizer.step()  # η₂ = 0.1 / (1 + 0.5), s = 10 + 1
    assert theta.data == close(first + 0.1 / 1.5 * 1.0 / (math.sqrt(11.0) + 1e-10))


def test_notes_section_4_7_example_one_sgd_step():
    """x = 1, t = 0.5, w1 = 0.4, b1 = 0.1, w2 = 0.3, b2 = 0.2, η = 0.1. The expected values are
    computed here with math. (The notes print w1 ≈ 0.4007994 and w2 ≈ 0.3070506, but the exact
    values are 0.40079851… and 0.30705011…, so their digits are not asserted.)"""
    x, t = 1.0, 0.5
    w1, b1, w2, b2 = Value(0.4), Value(0.1), Value(0.3), Value(0.2)

    def loss():
        h = (w1 * x + b1).sigmoid()
        y = w2 * h + b2
        return 0.5 * (y - t) ** 2

    before = loss()
    before.backward()
    SGD([w1, b1, w2, b2], lr=0.1).step()

    h = 1 / (1 + math.exp(-(0.4 * x + 0.1)))
    y = 0.3 * h + 0.2
    dL_dy = y - t
    dL_dz1 = dL_dy * 0.3 * h * (1 - h)
    assert w2.data == close(0.3 - 0.1 * dL_dy * h)
    assert b2.data == close(0.2 - 0.1 * dL_dy)
    assert w1.data == close(0.4 - 0.1 * dL_dz1 * x)
    assert b1.data == close(0.1 - 0.1 * dL_dz1)
    assert loss().data < before.data


# ----- learning-rate schedulers -----


def lrs_over_epochs(optimizer, scheduler, epochs=10):
    """The learning rate of every group in epochs 0, 1, …, stepping as in a training loop."""
    lrs = []
    for epoch in range(epochs):
        if epoch > 0:
            optimizer.step()
            scheduler.step()
        lrs.append(scheduler.get_last_lr())
        assert lrs[-1] == [group["lr"] for group in optimizer.param_groups]
    return lrs


def two_group_sgd(module, make_param):
    return module.SGD(
        [{"params": [make_param(1.0)]}, {"params": [make_param(2.0)], "lr": 0.02}], lr=0.1, momentum=0.9
    )


SCHEDULER_CASES = {
    "StepLR(step_size=3, gamma=0.5)": lambda s, opt: s.StepLR(opt, step_size=3, gamma=0.5),
    "StepLR(step_size=1)": lambda s, opt: s.StepLR(opt, step_size=1),
    "ExponentialLR(gamma=0.9)": lambda s, opt: s.ExponentialLR(opt, gamma=0.9),
    "LambdaLR(0.95**epoch)": lambda s, opt: s.LambdaLR(opt, lambda epoch: 0.95**epoch),
    "LambdaLR(one per group)": lambda s, opt: s.LambdaLR(opt, [lambda e: 1 / (1 + e), lambda e: 1.0 + e]),
}


@pytest.mark.parametrize("case", sorted(SCHEDULER_CASES))
def test_scheduler_learning_rates_match_torch(torch, case):
    make = SCHEDULER_CASES[case]
    our_optimizer = two_group_sgd(optim, Value)
    their_optimizer = two_group_sgd(torch.optim, lambda v: torch.tensor(v, dtype=torch.float64))
    ours = make(optim.lr_scheduler, our_optimizer)
    theirs = make(torch.optim.lr_scheduler, their_optimizer)
    our_lrs, their_lrs = lrs_over_epochs(our_optimizer, ours), lrs_over_epochs(their_optimizer, theirs)
    assert our_lrs == [close(lrs) for lrs in their_lrs]
    assert ours.last_epoch == theirs.last_epoch == 9
    assert ours.base_lrs == theirs.base_lrs == [0.1, 0.02]


def one_param_sgd(lr=1.0):
    return SGD([Value(0.0)], lr=lr)


def test_step_lr_by_hand():
    optimizer = one_param_sgd()
    lrs = lrs_over_epochs(optimizer, StepLR(optimizer, step_size=3, gamma=0.5))
    assert [lr for (lr,) in lrs] == [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125]


def test_exponential_lr_by_hand():
    optimizer = one_param_sgd()
    lrs = lrs_over_epochs(optimizer, ExponentialLR(optimizer, gamma=0.5), epochs=4)
    assert lrs == [[1.0], [0.5], [0.25], [0.125]]


def test_lambda_lr_by_hand_with_one_function_per_group():
    optimizer = SGD([{"params": [Value(0.0)], "lr": 0.3}, {"params": [Value(0.0)]}], lr=1.0)
    scheduler = LambdaLR(optimizer, [lambda epoch: 1 / (1 + epoch), lambda epoch: 2.0**epoch])
    lrs = lrs_over_epochs(optimizer, scheduler, epochs=4)
    assert lrs == [[close(0.3 / (1 + e)), 2.0**e] for e in range(4)]


def test_scheduler_records_initial_lr_and_counts_epochs():
    optimizer = one_param_sgd(lr=0.1)
    scheduler = ExponentialLR(optimizer, gamma=0.5)
    assert optimizer.param_groups[0]["initial_lr"] == 0.1
    assert scheduler.last_epoch == 0
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    assert scheduler.last_epoch == 3
    assert optimizer.param_groups[0]["initial_lr"] == 0.1
    assert optimizer.param_groups[0]["lr"] == close(0.1 * 0.5**3)
    scheduler.get_last_lr().append(99.0)
    assert scheduler.get_last_lr() == [close(0.0125)]
    # a second scheduler keeps the recorded initial_lr, as in torch
    assert LambdaLR(optimizer, lambda epoch: 1.0).base_lrs == [0.1]


def resumed_schedule(module, schedulers, make_param):
    """Three epochs of StepLR, then a new optimizer and scheduler loaded from their state dicts."""
    optimizer = module.SGD([make_param(1.0)], lr=0.1)
    scheduler = schedulers.StepLR(optimizer, step_size=2, gamma=0.5)
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    saved_optimizer, saved_scheduler = optimizer.state_dict(), scheduler.state_dict()
    resumed_optimizer = module.SGD([make_param(1.0)], lr=5.0)
    resumed_optimizer.load_state_dict(saved_optimizer)
    resumed = schedulers.StepLR(resumed_optimizer, step_size=2, gamma=0.5)
    resumed.load_state_dict(saved_scheduler)
    return lrs_over_epochs(resumed_optimizer, resumed, epochs=5)


def chained_schedule(module, schedulers, make_param):
    """StepLR and ExponentialLR on one optimizer: their factors multiply."""
    optimizer = module.SGD([make_param(1.0)], lr=0.1)
    both = [schedulers.StepLR(optimizer, step_size=3, gamma=0.5), schedulers.ExponentialLR(optimizer, 0.9)]
    lrs = []
    for _ in range(10):
        optimizer.step()
        for scheduler in both:
            scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    return lrs


@pytest.mark.parametrize("schedule", [resumed_schedule, chained_schedule])
def test_resumed_and_chained_schedules_match_torch(torch, schedule):
    ours = schedule(optim, optim.lr_scheduler, Value)
    theirs = schedule(torch.optim, torch.optim.lr_scheduler, lambda v: torch.tensor(v, dtype=torch.float64))
    assert ours == theirs


def warmup_scheduler_class(schedulers):
    """A scheduler of your own as PyTorch's docs write one: ``super().__init__(optimizer, last_epoch)``
    and a ``get_lr()`` from ``base_lrs`` and ``last_epoch``."""

    class Warmup(schedulers.LRScheduler):
        def __init__(self, optimizer, warmup_epochs, last_epoch=-1):
            self.warmup_epochs = warmup_epochs
            super().__init__(optimizer, last_epoch)

        def get_lr(self):
            return [base_lr * min(1.0, (self.last_epoch + 1) / self.warmup_epochs) for base_lr in self.base_lrs]

    return Warmup


RESUMABLE_SCHEDULERS = {
    "StepLR": lambda s, opt, last_epoch: s.StepLR(opt, step_size=3, gamma=0.5, last_epoch=last_epoch),
    "ExponentialLR": lambda s, opt, last_epoch: s.ExponentialLR(opt, 0.9, last_epoch),
    "LambdaLR": lambda s, opt, last_epoch: s.LambdaLR(opt, lambda epoch: 1 / (1 + epoch), last_epoch=last_epoch),
    "your own": lambda s, opt, last_epoch: warmup_scheduler_class(s)(opt, 4, last_epoch),
}


def resumed_with_last_epoch(module, make_scheduler, make_param):
    """PyTorch's way to resume: five epochs, then a new optimizer loaded from the saved one and a
    scheduler made with ``last_epoch=4``; the learning rates of both runs."""
    optimizer = module.SGD([{"params": [make_param(1.0)]}, {"params": [make_param(2.0)], "lr": 0.02}], lr=0.1)
    scheduler = make_scheduler(module.lr_scheduler, optimizer, -1)
    first_run = lrs_over_epochs(optimizer, scheduler, epochs=5)
    resumed_optimizer = module.SGD([{"params": [make_param(1.0)]}, {"params": [make_param(2.0)]}], lr=7.0)
    resumed_optimizer.load_state_dict(optimizer.state_dict())
    resumed = make_scheduler(module.lr_scheduler, resumed_optimizer, 4)
    return first_run, lrs_over_epochs(resumed_optimizer, resumed, epochs=6), resumed.last_epoch


@pytest.mark.parametrize("name", sorted(RESUMABLE_SCHEDULERS))
def test_schedulers_take_last_epoch_and_resume_as_torch_does(torch, name):
    make = RESUMABLE_SCHEDULERS[name]
    ours = resumed_with_last_epoch(optim, make, Value)
    theirs = resumed_with_last_epoch(torch.optim, make, lambda v: torch.tensor(v, dtype=torch.float64))
    assert ours[0] == [close(lrs) for lrs in theirs[0]]
    assert ours[1] == [close(lrs) for lrs in theirs[1]]
    assert ours[2] == theirs[2] == 10


def test_a_scheduler_of_your_own_written_for_pytorch_warms_up():
    optimizer = one_param_sgd(lr=0.1)
    lrs = lrs_over_epochs(optimizer, warmup_scheduler_class(optim.lr_scheduler)(optimizer, 4), epochs=6)
    assert lrs == [[close(0.025)], [close(0.05)], [close(0.075)], [0.1], [0.1], [0.1]]


def test_resuming_a_schedule_needs_the_initial_lr_and_a_whole_last_epoch():
    with pytest.raises(KeyError, match=r"'initial_lr' is not specified in param_groups\[0\].*last_epoch=3: load"):
        StepLR(one_param_sgd(), step_size=2, last_epoch=3)
    with pytest.raises(KeyError, match=r"'initial_lr' is not specified .*last_epoch=0"):  # 0 resumes too, as in torch
        StepLR(one_param_sgd(), step_size=2, last_epoch=0)
    with pytest.raises(TypeError, match="last_epoch must be a whole number, got float: 3.0"):
        ExponentialLR(one_param_sgd(), 0.9, last_epoch=3.0)
    with pytest.raises(ValueError, match="last_epoch must be at least -1, got -2"):
        LambdaLR(one_param_sgd(), lambda epoch: 1.0, last_epoch=-2)


def step_lr_after_three_epochs():
    """An SGD at lr 0.1 and its StepLR(step_size=2, gamma=0.5), three epochs on."""
    optimizer = one_param_sgd(lr=0.1)
    scheduler = StepLR(optimizer, step_size=2, gamma=0.5)
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    return optimizer, scheduler


def test_scheduler_state_dict_round_trip_continues_the_schedule():
    optimizer, scheduler = step_lr_after_three_epochs()
    saved_optimizer = json.loads(json.dumps(optimizer.state_dict()))
    saved_scheduler = json.loads(json.dumps(scheduler.state_dict()))
    assert "optimizer" not in saved_scheduler
    assert saved_scheduler["last_epoch"] == 3
    scheduler.state_dict()["base_lrs"].append(1.0)
    assert scheduler.base_lrs == [0.1]

    resumed_optimizer = one_param_sgd(lr=5.0)
    resumed_optimizer.load_state_dict(saved_optimizer)
    resumed = StepLR(resumed_optimizer, step_size=7, gamma=0.9)
    resumed.load_state_dict(saved_scheduler)
    continued = lrs_over_epochs(optimizer, scheduler, epochs=5)
    assert lrs_over_epochs(resumed_optimizer, resumed, epochs=5) == continued
    assert scheduler.get_last_lr() == [0.1 * 0.5**3]


def test_lambda_lr_state_dict_leaves_out_the_functions():
    optimizer = one_param_sgd()
    saved = LambdaLR(optimizer, lambda epoch: 0.5).state_dict()
    assert "lr_lambdas" not in saved
    assert json.loads(json.dumps(saved)) == saved


def saved_step_lr(**changes):
    """A StepLR's state dict after three epochs, as JSON gives it back, with ``changes``."""
    _, scheduler = step_lr_after_three_epochs()
    return {**json.loads(json.dumps(scheduler.state_dict())), **changes}


@pytest.mark.parametrize(
    "make, saved, error, message",
    [
        (lambda opt: ExponentialLR(opt, 0.9), saved_step_lr(), ValueError,
         r"ExponentialLR.load_state_dict: .* \(it has \['step_size'\]\): was it saved from a different scheduler"),
        (lambda opt: StepLR(opt, 3), ExponentialLR(one_param_sgd(), 0.9).state_dict(), ValueError,
         r"\(it lacks \['step_size'\]\): was it saved from a different scheduler than StepLR"),
        (lambda opt: LambdaLR(opt, lambda e: 1.0), saved_step_lr(), ValueError, r"it has \['gamma', 'step_size'\]"),
        (lambda opt: StepLR(opt, 3), {**saved_step_lr(), "optimizer": None}, ValueError, r"it has \['optimizer'\]"),
        (lambda opt: StepLR(opt, 3), None, TypeError, "expects what scheduler.state_dict\\(\\) returns, a dict"),
        (lambda opt: StepLR(opt, 3), saved_step_lr(last_epoch="3"), TypeError,
         "last_epoch must be a whole number, got str"),
        (lambda opt: StepLR(opt, 3), saved_step_lr(step_size=0), ValueError, "step_size must be at least 1, got 0"),
        (lambda opt: StepLR(opt, 3), saved_step_lr(gamma="0.5"), TypeError, "gamma value must be a number"),
        (lambda opt: StepLR(opt, 3), saved_step_lr(base_lrs=[0.1, 0.1]), ValueError,
         "base_lrs must be a list of 1 learning rate, one per parameter group"),
        (lambda opt: StepLR(opt, 3), saved_step_lr(_last_lr=[math.nan]), ValueError,
         "Invalid learning rate in _last_lr: nan"),
        (lambda opt: ExponentialLR(opt, 0.9), {**ExponentialLR(one_param_sgd(), 0.9).state_dict(), "gamma": -0.5},
         ValueError, "Invalid gamma value: -0.5"),
        (lambda opt: StepLR(opt, 3), saved_step_lr(_step_count="4"), TypeError,
         "_step_count must be a whole number, got str"),
        (lambda opt: StepLR(opt, 3), saved_step_lr(_is_initial="False"), TypeError,
         "_is_initial must be True or False, got str"),
    ],
    ids=["StepLR into ExponentialLR", "ExponentialLR into StepLR", "StepLR into LambdaLR", "an optimizer",
         "not a dict", "a str last_epoch", "step_size 0", "a str gamma", "two groups' rates", "a nan rate",
         "ExponentialLR's negative gamma", "a str step count", "a str _is_initial"],
)
def test_a_scheduler_state_that_does_not_fit_is_refused_and_changes_nothing(make, saved, error, message):
    """A state from another kind of scheduler, or a damaged one, once loaded without a word
    and failed many epochs later (step_size 0: ZeroDivisionError) or ran the wrong schedule."""
    optimizer = one_param_sgd(lr=0.1)
    scheduler = make(optimizer)
    before = scheduler.state_dict()
    with pytest.raises(error, match=message):
        scheduler.load_state_dict(saved)
    assert scheduler.state_dict() == before and scheduler.optimizer is optimizer


def test_a_scheduler_state_saved_before_the_step_count_was_kept_still_loads():
    """Earlier versions saved no _step_count or _is_initial: such a state is not from another
    kind of scheduler, and continues the schedule as a state saved now does."""
    optimizer, scheduler = step_lr_after_three_epochs()
    saved = json.loads(json.dumps(scheduler.state_dict()))
    older = {key: value for key, value in saved.items() if key not in ("_step_count", "_is_initial")}
    resumed = []
    for state in (saved, older):
        resumed_optimizer = one_param_sgd(lr=5.0)
        resumed_optimizer.load_state_dict(optimizer.state_dict())
        resumed_scheduler = StepLR(resumed_optimizer, step_size=7, gamma=0.9)
        resumed_scheduler.load_state_dict(state)
        resumed.append(lrs_over_epochs(resumed_optimizer, resumed_scheduler, epochs=3))
    assert resumed[1] == resumed[0] == [[0.05], [0.025], [0.025]]


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda opt: StepLR("sgd", 3), TypeError, "str is not an Optimizer"),
        (lambda opt: LambdaLR(None, lambda e: 1.0), TypeError, "NoneType is not an Optimizer"),
        (lambda opt: StepLR(opt, 0), ValueError, "step_size must be at least 1, got 0"),
        (lambda opt: StepLR(opt, 2.5), TypeError, "step_size must be a whole number, got float: 2.5"),
        (lambda opt: StepLR(opt, 3, gamma=-0.5), ValueError, "Invalid gamma value: -0.5"),
        (lambda opt: ExponentialLR(opt, gamma="0.9"), TypeError, "gamma value must be a number, got str"),
        (lambda opt: LambdaLR(opt, [lambda e: 1.0] * 2), ValueError, "Expected 1 lr_lambdas, but got 2"),
        (lambda opt: LambdaLR(opt, 0.5), TypeError, "lr_lambda must be a function of the epoch, got float"),
    ],
)
def test_scheduler_errors(make, error, message):
    with pytest.raises(error, match=re.escape(message)):
        make(one_param_sgd())


# ----- parameter groups, zero_grad, state -----


def test_zero_grad_sets_every_grad_to_zero_in_every_group():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    optimizer = Adam([{"params": [a, b]}, {"params": [c], "lr": 0.1}])
    (a * b * c).backward()
    assert (a.grad, b.grad, c.grad) == (6.0, 3.0, 2.0)
    optimizer.zero_grad()
    assert (a.grad, b.grad, c.grad) == (0.0, 0.0, 0.0)


def test_params_may_be_a_generator_and_groups_override_defaults():
    values = [Value(1.0), Value(2.0)]
    optimizer = SGD((v for v in values), lr=0.1)
    assert optimizer.param_groups[0]["params"] == values
    for _ in range(2):
        for v in values:
            v.grad = 1.0
        optimizer.step()
    assert [v.data for v in values] == [close(0.8), close(1.8)]

    w, b, extra = Value(0.0), Value(0.0), Value(0.0)
    grouped = SGD([{"params": [w]}, {"params": b, "lr": 0.5, "momentum": 0.9}], lr=0.1)
    assert grouped.defaults == dict(lr=0.1, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                                    maximize=False)
    assert [g["lr"] for g in grouped.param_groups] == [0.1, 0.5]
    assert [g["momentum"] for g in grouped.param_groups] == [0, 0.9]
    assert grouped.param_groups[1]["params"] == [b]
    grouped.add_param_group({"params": [extra], "weight_decay": 0.01})
    assert grouped.param_groups[2] == {"params": [extra], **grouped.defaults, "weight_decay": 0.01}
    w.grad = b.grad = extra.grad = 1.0
    grouped.step()
    assert (w.data, b.data, extra.data) == (close(-0.1), close(-0.5), close(-0.1))


def test_state_is_kept_per_parameter_keyed_by_the_value_itself():
    a, b = Value(1.0), Value(1.0)  # equal data, still two parameters
    optimizer = SGD([a, b], lr=0.1, momentum=0.9)
    a.grad, b.grad = 1.0, -2.0
    optimizer.step()
    assert optimizer.state[a] == {"momentum_buffer": 1.0}
    assert optimizer.state[b] == {"momentum_buffer": -2.0}
    without_momentum = SGD([a], lr=0.1)
    without_momentum.step()
    assert without_momentum.state_dict()["state"] == {}


def test_repr_lists_each_group_like_torch():
    optimizer = SGD([{"params": [Value(0.0)]}, {"params": [Value(0.0)], "lr": 0.5}], lr=0.1)
    text = repr(optimizer)
    assert text.startswith("SGD (\nParameter Group 0\n    dampening: 0\n")
    assert "Parameter Group 1" in text and "    lr: 0.5" in text and text.endswith(")")


# ----- state_dict / load_state_dict -----


STATEFUL = [
    (SGD, {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    (RMSprop, {"lr": 0.005, "momentum": 0.5, "centered": True}),
    (Adagrad, {"lr": 0.1, "lr_decay": 0.1}),
    (Adam, {"lr": 0.05, "amsgrad": True}),
]


def train(optimizer, params, steps):
    for _ in range(steps):
        optimizer.zero_grad()
        loss_function(*params).backward()
        optimizer.step()
    return [p.data for p in params]


def grouped(optimizer_class, params, kwargs):
    second_group = {"params": params[2:], **kwargs, "weight_decay": 0.1}
    return optimizer_class([{"params": params[:2], **kwargs}, second_group])


@pytest.mark.parametrize("optimizer_class, kwargs", STATEFUL, ids=[c.__name__ for c, _ in STATEFUL])
def test_state_dict_round_trip_through_json_continues_identically(optimizer_class, kwargs):
    uninterrupted_params = [Value(v) for v in START]
    uninterrupted = train(grouped(optimizer_class, uninterrupted_params, kwargs), uninterrupted_params, 8)

    params = [Value(v) for v in START]
    optimizer = grouped(optimizer_class, params, kwargs)
    train(optimizer, params, 4)
    saved = json.loads(json.dumps(optimizer.state_dict()))
    assert [g["params"] for g in saved["param_groups"]] == [[0, 1], [2]]
    assert sorted(saved["state"]) == ["0", "1", "2"]

    after_four_steps = [p.data for p in params]
    fresh_params = [Value(v) for v in after_four_steps]
    # default hyper-parameters: the saved ones come with the state dict
    fresh = optimizer_class([{"params": fresh_params[:2]}, {"params": fresh_params[2:]}])
    fresh.load_state_dict(saved)
    assert [{k: v for k, v in g.items() if k != "params"} for g in fresh.param_groups] == [
        {k: v for k, v in g.items() if k != "params"} for g in saved["param_groups"]
    ]
    assert train(optimizer, params, 4) == uninterrupted
    assert train(fresh, fresh_params, 4) == uninterrupted

    forgetful_params = [Value(v) for v in after_four_steps]  # the same start, but no state
    assert train(grouped(optimizer_class, forgetful_params, kwargs), forgetful_params, 4) != uninterrupted


def test_state_dict_is_a_snapshot_and_load_copies():
    w = Value(1.0)
    optimizer = SGD([w], lr=0.1, momentum=0.9)
    w.grad = 1.0
    optimizer.step()
    saved = optimizer.state_dict()
    assert saved == {
        "state": {0: {"momentum_buffer": 1.0}},
        "param_groups": [
            {"lr": 0.1, "momentum": 0.9, "dampening": 0, "weight_decay": 0, "nesterov": False, "maximize": False,
             "params": [0]}
        ],
    }
    optimizer.step()
    optimizer.param_groups[0]["lr"] = 0.5
    assert saved["state"][0]["momentum_buffer"] == 1.0 and saved["param_groups"][0]["lr"] == 0.1

    optimizer.load_state_dict(saved)
    saved["state"][0]["momentum_buffer"] = 100.0
    saved["param_groups"][0]["lr"] = 100.0
    assert optimizer.state[w] == {"momentum_buffer": 1.0}
    assert optimizer.param_groups[0]["lr"] == 0.1 and optimizer.param_groups[0]["params"] == [w]


@pytest.mark.parametrize(
    "saved_from, message",
    [
        (lambda: SGD([{"params": [Value(0.0)]}, {"params": [Value(1.0)]}]), "different number of parameter"),
        (lambda: SGD([Value(0.0)]), "doesn't match the size of optimizer's group"),
        (lambda: SGD([Value(0.0), Value(1.0)]), "has no ['amsgrad', 'betas', 'eps'] in a parameter group"),
    ],
)
def test_load_state_dict_rejects_a_mismatched_state_dict(saved_from, message):
    optimizer = Adam([Value(0.0), Value(0.0)])
    with pytest.raises(ValueError, match=re.escape(message)):
        optimizer.load_state_dict(saved_from().state_dict())


def test_load_state_dict_checks_the_loaded_hyperparameters():
    optimizer = SGD([Value(0.0)], lr=0.1)
    saved = optimizer.state_dict()
    saved["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError, match=re.escape("Invalid learning rate: -1.0")):
        optimizer.load_state_dict(saved)
    assert optimizer.param_groups[0]["lr"] == 0.1


@pytest.mark.parametrize("state, message", [
    ({"2": {}}, "has state for parameter '2', but its param_groups number the parameters 0 to 1"),
    ({"x": {}}, "has state for parameter 'x', but"),
    ({"0": 5}, "state for parameter '0' must be a dict, as Adam.state_dict() gives; got 5"),
    ({"0": {"step": 1, "exp_avg": "0.1", "exp_avg_sq": 0.0}}, "'0': exp_avg must be a number, as Adam.state_dict()"),
    ({"0": {"step": 1, "exp_avg": 0.1}}, "'0' has no ['exp_avg_sq'], which Adam.state_dict() gives; got"),
    ({"0": {"step": 1, "exp_avg": 10**400, "exp_avg_sq": 0.0}}, "'0': exp_avg is a 401-digit number, too large"),
    ({"0": {"step": 1, "exp_avg": 0.1, "exp_avg_sq": -0.5}}, "'0': exp_avg_sq is -0.5, but it counts steps or adds "
                                                             "up squares, so it is never negative"),
    ({"1": {"step": -2, "exp_avg": 0.1, "exp_avg_sq": 0.5}}, "'1': step is -2, but it counts steps"),
    ({"0": {"step": 1.5, "exp_avg": 0.1, "exp_avg_sq": 0.5}}, "'0': step is 1.5, but it counts steps, a whole number"),
    ({"0": {"step": math.nan, "exp_avg": 0.1, "exp_avg_sq": 0.5}}, "'0': step is nan, but it counts steps"),
])
def test_load_state_dict_checks_each_parameters_state_and_changes_nothing_when_it_is_wrong(state, message):
    """A state for a parameter the groups do not have was a KeyError, one that is not a dict
    of numbers a TypeError at the next step(), and by then the groups were already replaced.
    A negative sum of squares or step count (a damaged file) loaded, and the next step()
    raised a bare "math domain error"."""
    params = [Value(1.0), Value(2.0)]
    optimizer = Adam(params, lr=0.1)
    saved = json.loads(json.dumps(optimizer.state_dict()))
    saved["state"], saved["param_groups"][0]["lr"] = state, 0.5
    with pytest.raises(ValueError, match=re.escape(message)):
        optimizer.load_state_dict(saved)
    assert optimizer.param_groups[0]["lr"] == 0.1 and optimizer.state == {}


def test_an_optimizer_of_your_own_loads_the_state_it_saved():
    """Only what an optimizer keeps from its first step is checked: state of any other kind
    that an optimizer of your own keeps (here a list of past gradients) loads as it was saved."""

    class Lookback(SGD):
        def _update(self, theta, g, group, state):
            state.setdefault("last_grads", []).append(g)
            theta.data -= group["lr"] * sum(state["last_grads"]) / len(state["last_grads"])

    w = Value(1.0)
    optimizer = Lookback([w], lr=0.1)
    for g in (0.5, 0.25):
        w.grad = g
        optimizer.step()
    saved = json.loads(json.dumps(optimizer.state_dict()))
    other = Lookback([Value(1.0)], lr=0.1)
    other.load_state_dict(saved)
    assert list(other.state.values()) == [{"last_grads": [0.5, 0.25]}]


# ----- invalid hyper-parameters and parameters -----

INVALID_HYPERPARAMETERS = [
    (SGD, {"lr": -0.1}, "Invalid learning rate: -0.1 (must be a finite number ≥ 0)"),
    (SGD, {"lr": float("nan")}, "Invalid learning rate: nan"),
    (SGD, {"lr": float("inf")}, "Invalid learning rate: inf"),
    (SGD, {"momentum": -0.5}, "Invalid momentum value: -0.5 (must be in [0, 1))"),
    (SGD, {"momentum": 1.0}, "Invalid momentum value: 1.0 (must be in [0, 1))"),
    (SGD, {"dampening": 1.5}, "Invalid dampening value: 1.5 (must be in [0, 1])"),
    (SGD, {"weight_decay": -1e-4}, "Invalid weight_decay value: -0.0001"),
    (SGD, {"nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
    (SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "Nesterov momentum requires a momentum"),
    (RMSprop, {"lr": -1}, "Invalid learning rate: -1"),
    (RMSprop, {"alpha": -0.1}, "Invalid alpha value: -0.1"),
    (RMSprop, {"alpha": 1.5}, "Invalid alpha value: 1.5 (must be in [0, 1])"),
    (RMSprop, {"eps": -1e-8}, "Invalid epsilon value: -1e-08"),
    (RMSprop, {"momentum": 1.2}, "Invalid momentum value: 1.2"),
    (RMSprop, {"weight_decay": -1}, "Invalid weight_decay value: -1"),
    (Adagrad, {"lr": -0.01}, "Invalid learning rate: -0.01"),
    (Adagrad, {"lr_decay": -0.1}, "Invalid lr_decay value: -0.1"),
    (Adagrad, {"initial_accumulator_value": -1}, "Invalid initial_accumulator_value value: -1"),
    (Adagrad, {"eps": -1.0}, "Invalid epsilon value: -1.0"),
    (Adagrad, {"weight_decay": -1}, "Invalid weight_decay value: -1"),
    (Adam, {"lr": -1e-3}, "Invalid learning rate: -0.001"),
    (Adam, {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0 (must be in [0, 1))"),
    (Adam, {"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
    (Adam, {"betas": (0.9,)}, "betas must be a pair (β₁, β₂) such as (0.9, 0.999), got (0.9,)"),
    (Adam, {"eps": -1.0}, "Invalid epsilon value: -1.0"),
    (Adam, {"weight_decay": -1}, "Invalid weight_decay value: -1"),
]


@pytest.mark.parametrize(
    "optimizer_class, kwargs, message",
    INVALID_HYPERPARAMETERS,
    ids=[f"{c.__name__}{kw}" for c, kw, _ in INVALID_HYPERPARAMETERS],
)
def test_invalid_hyperparameter_raises_value_error_naming_it(optimizer_class, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        optimizer_class([Value(1.0)], **kwargs)
    # the same value as a per-group override is rejected too
    with pytest.raises(ValueError, match=re.escape(message)):
        optimizer_class([{"params": [Value(1.0)], **kwargs}])


def test_invalid_constructor_default_raises_even_when_every_group_overrides_it():
    with pytest.raises(ValueError, match=re.escape("Invalid learning rate: -1")):
        SGD([{"params": [Value(1.0)], "lr": 0.1}], lr=-1)


def test_hyperparameter_that_is_not_a_number_raises_type_error():
    with pytest.raises(TypeError, match=re.escape("learning rate must be a number, got str '0.1'")):
        SGD([Value(1.0)], lr="0.1")
    message = "beta parameter at index 1 must be a number, got NoneType"
    with pytest.raises(TypeError, match=re.escape(message)):
        Adam([Value(1.0)], betas=(0.9, None))


LEAF = Value(1.0)

BAD_PARAMS = [
    (Value(1.0), TypeError, "should be an iterable of Values or dicts, but got Value"),
    (3, TypeError, "should be an iterable of Values or dicts, but got int"),
    ({"params": [LEAF]}, TypeError, "but got dict; pass a list such as [w, b] or [{'params': [w, b], 'lr': 0.1}]"),
    ([LEAF, 2.0], TypeError, "optimizer can only optimize Values, but one of the params is float"),
    ([], ValueError, "optimizer got an empty parameter list"),
    ((v for v in []), ValueError, "optimizer got an empty parameter list: params is a generator"),
    ([[LEAF], [Value(2.0)]], TypeError, "is list (a list of lists? Join them, a.parameters() + b.parameters()"),
    ([LEAF, LEAF], ValueError, "appears more than once"),
    ([{"params": [LEAF]}, {"params": [LEAF]}], ValueError, "appears more than once"),
    ([{"params": {LEAF}}], TypeError, "ordered collections"),
    ([LEAF * 2], ValueError, "can't optimize a non-leaf Value"),
    ([{"lr": 0.1}], ValueError, "a parameter group needs a 'params' entry"),
    (MLP(2, [1]), TypeError, "but got MLP; pass the model's parameters, model.parameters(), not the model itself"),
    (MLP(2, [1]).parameters, TypeError, "but got method; call the method: model.parameters(), with the brackets"),
]


@pytest.mark.parametrize("params, error, message", BAD_PARAMS)
def test_bad_params_raise_a_helpful_error(params, error, message):
    with pytest.raises(error, match=re.escape(message)):
        SGD(params, lr=0.1)


def test_add_param_group_needs_a_dict():
    optimizer = SGD([Value(1.0)])
    with pytest.raises(TypeError, match="param_group must be a dict, but got list"):
        optimizer.add_param_group([Value(2.0)])


def test_stepping_the_scheduler_before_the_optimizer_warns_as_pytorch_does():
    w = Value(1.0)
    optimizer = SGD([w], lr=0.1)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.5)
    with pytest.warns(UserWarning, match=r"lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
        scheduler.step()
    with warnings.catch_warnings():  # once, at the first step() after creation, as in PyTorch
        warnings.simplefilter("error")
        scheduler.step()
    in_order = SGD([Value(1.0)], lr=0.1)
    scheduler = StepLR(in_order, step_size=1, gamma=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            in_order.step()
            scheduler.step()
    assert scheduler.get_last_lr() == [0.1 * 0.5**3]


def test_pytorch_style_optimizer_calls_run_or_say_what_to_pass():
    w = Value(1.0)
    w.grad = 2.0
    optimizer = SGD([w], lr=0.1)
    optimizer.zero_grad(set_to_none=True)
    assert w.grad == 0.0
    with pytest.raises(TypeError, match=r"is tuple \(pass model.parameters\(\), not named_parameters\(\)\)"):
        SGD([("w", w)], lr=0.1)


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9), lambda ps: Adam(ps, lr=0.1)])
def test_a_parameter_whose_grad_is_none_is_skipped_as_torch_optim_skips_it(make):
    """PyTorch's ``p.grad = None`` means "no gradient": step() leaves p and its state alone
    (it used to fail with "unsupported operand type(s) for *: 'float' and 'NoneType'")."""
    w, b = Value(1.0), Value(2.0)
    optimizer = make([w, b])
    w.grad, b.grad = None, 0.5
    optimizer.step()
    assert w.data == 1.0 and w not in optimizer.state and b.data < 2.0
    w.grad = 0.5
    optimizer.step()
    moved, b_at = w.data, b.data
    w.grad = None
    optimizer.step()  # momentum and Adam's running mean would move w again with a grad of 0
    assert w.data == moved and b.data < b_at


def test_a_generator_of_parameters_given_to_two_optimizers_says_why_the_second_is_empty():
    model = MLP(2, [1], seed=0)
    params = (p for p in model.parameters())
    SGD(params, lr=0.1)
    with pytest.raises(ValueError, match="generator.*read only once.*list"):
        Adam(params, lr=0.1)
    with pytest.raises(ValueError, match=r"^optimizer got an empty parameter list$"):
        SGD([], lr=0.1)  # a list that is empty is just empty


def test_passing_the_loss_to_step_says_to_call_backward_first():
    w = Value(1.0)
    loss = w * w
    with pytest.raises(TypeError, match=r"got Value: .*call loss\.backward\(\) and then optimizer\.step\(\)"):
        SGD([w], lr=0.1).step(loss)
    assert w.data == 1.0


# two RMSprop steps with momentum, by hand from torch's documented update
def test_rmsprop_momentum_by_hand():
    theta = Value(1.0)
    optimizer = RMSprop([theta], lr=0.01, momentum=0.9)
    theta.grad = 2.0
    optimizer.step()
    theta.grad = 2.0
    optimizer.step()
    v1 = 0.01 * 4.0                      # (1 − α)·g²
    b1 = 2.0 / (math.sqrt(v1) + 1e-8)
    v2 = 0.99 * v1 + 0.01 * 4.0
    b2 = 0.9 * b1 + 2.0 / (math.sqrt(v2) + 1e-8)
    assert theta.data == pytest.approx(1.0 - 0.01 * b1 - 0.01 * b2, rel=1e-12)


def test_an_optimizer_of_your_own_needs_only_its_update_rule():
    class SignSGD(optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr, weight_decay=0))  # the least an optimizer needs

        def _update(self, theta, g, group, state):
            theta.data -= group["lr"] * math.copysign(1.0, g)

    w = Value(1.0)
    optimizer = SignSGD([w])
    (w * w * 5).backward()
    optimizer.step()
    assert w.data == 0.9 and optimizer._step_count == 1
    with pytest.raises(NotImplementedError, match=r"Optimizer has no update rule: .* defines _update\(self, theta"):
        optim.Optimizer([w], dict(lr=0.1)).step()


def test_an_optimizer_of_your_own_needs_no_lr():
    """PyTorch's Optimizer takes any defaults; a rule without a learning rate is fine."""
    class HalveTheGrad(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"factor": 0.5})

        def _update(self, theta, g, group, state):
            theta.data -= group["factor"] * g

    w = Value(1.0)
    optimizer = HalveTheGrad([w])
    (w * 3).backward()
    optimizer.step()
    assert w.data == -0.5


def heavy_ball_class(module, no_grad):
    """An optimizer of your own as PyTorch's docs write one, the same code for both libraries:
    defaults without weight_decay, and a step() that walks param_groups and self.state[p]."""

    class HeavyBall(module.Optimizer):
        def __init__(self, params, lr=0.01, momentum=0.9):
            super().__init__(params, dict(lr=lr, momentum=momentum))

        @no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    if len(state) == 0:
                        state["velocity"] = 0 * p.grad
                    state["velocity"] = group["momentum"] * state["velocity"] + p.grad
                    p.data -= group["lr"] * state["velocity"]

    return HeavyBall


def heavy_ball_trajectory(module, no_grad, params, resume_at=4, steps=8):
    """HeavyBall with StepLR, saved and loaded into a new optimizer halfway: the parameters and
    learning rate after every step."""
    HeavyBall = heavy_ball_class(module, no_grad)
    optimizer = HeavyBall(params, lr=0.01)
    scheduler = module.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    history = []
    for step in range(steps):
        if step == resume_at:
            saved_optimizer, saved_scheduler = optimizer.state_dict(), scheduler.state_dict()
            optimizer = HeavyBall(params)
            optimizer.load_state_dict(saved_optimizer)
            scheduler = module.lr_scheduler.StepLR(optimizer, step_size=3)
            scheduler.load_state_dict(saved_scheduler)
        optimizer.zero_grad()
        loss_function(*params).backward()
        optimizer.step()
        scheduler.step()
        history.append([p.item() for p in params] + scheduler.get_last_lr())
    return history


def test_an_optimizer_of_your_own_written_for_pytorch_runs_and_matches_torch(torch):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # its own step() counts, so the scheduler does not warn
        ours = heavy_ball_trajectory(optim, no_grad, [Value(v) for v in START])
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in START]
    theirs = heavy_ball_trajectory(torch.optim, torch.no_grad, params)
    assert_same_trajectory(ours, theirs)


def test_a_step_of_your_own_that_calls_super_step_counts_once():
    class Logged(SGD):
        def step(self, closure=None):
            self.log.append(self.param_groups[0]["lr"])
            return super().step(closure)

    w = Value(1.0)
    optimizer = Logged([w], lr=0.5)
    optimizer.log = []
    w.grad = 1.0
    optimizer.step()
    assert (w.data, optimizer.log, optimizer._step_count) == (0.5, [0.5], 1)


def test_numpy_hyper_parameters_leave_the_parameters_plain_floats():
    import numpy as np

    w = Value(1.0)
    optimizer = Adam([w], lr=np.float32(0.1), betas=(np.float32(0.9), np.float64(0.99)))
    for _ in range(3):
        w.grad = 1.0
        optimizer.step()
    assert type(w.data) is float  # a float32 lr made every parameter a float32, which JSON cannot save
    json.dumps(optimizer.state_dict())


@pytest.mark.parametrize("kwargs, error, message", [
    ({"momentum": 0.9, "nesterov": "False"}, TypeError, "nesterov must be True or False, got str: 'False'"),
    ({"maximize": 2}, TypeError, "maximize must be True or False, got int: 2"),
    ({"lr": 10**400}, ValueError, "lr is a 401-digit number, too large for a float"),
])
def test_switches_and_huge_numbers_are_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        SGD([Value(1.0)], **kwargs)


def test_a_whole_number_that_fits_a_float_is_not_refused_as_too_large():
    """Every int above 1e308 was refused, though those up to 1.79e308 are floats like any other."""
    optimizer = SGD([Value(1.0)], lr=0.1, weight_decay=int(1.5e308))
    assert optimizer.param_groups[0]["weight_decay"] == int(1.5e308)


def momentum_state_dict(**group_changes):
    """A stepped SGD's state dict (two parameters, momentum) with its group changed."""
    params = [Value(0.0), Value(1.0)]
    optimizer = SGD(params, lr=0.1, momentum=0.9)
    for p in params:
        p.grad = 1.0
    optimizer.step()
    saved = optimizer.state_dict()
    saved["param_groups"] = [{**saved["param_groups"][0], **group_changes}]
    return saved


@pytest.mark.parametrize(
    "saved, message",
    [
        ({"state": {}, "param_groups": [[0, 1]]}, r"param_groups\[0\] must be a dict with 'params'"),
        ({"state": {}, "param_groups": [{"lr": 0.1}]}, r"param_groups\[0\] must be a dict with 'params'"),
        (momentum_state_dict(params=2), r"param_groups\[0\]\['params'\] must be a list of the parameters' positions"),
        (momentum_state_dict(params="ab"), r"must be a list of the parameters' positions \(whole numbers"),
        (momentum_state_dict(params=[0, 0.5]), r"must be a list of the parameters' positions"),
        (momentum_state_dict(params=[1, 1]), r"\['params'\] repeats the positions \[1\]"),
        (momentum_state_dict(params=[True, False]), r"must be a list of the parameters' positions"),
    ],
    ids=["a list for a group", "no params", "an int", "a str of length 2", "a float position", "a position twice",
         "bool positions"],
)
def test_load_state_dict_refuses_damaged_parameter_positions_and_changes_nothing(saved, message):
    """A group that was not a dict raised "'list' object is not a mapping", one without
    "params" a KeyError; "ab" passed as two positions, and a repeated position was blamed on
    the state of another ("state for parameter 0, but … 1 to 1")."""
    optimizer = SGD([Value(0.0), Value(1.0)], lr=0.5, momentum=0.9)
    with pytest.raises(ValueError, match=message):
        optimizer.load_state_dict(saved)
    assert optimizer.param_groups[0]["lr"] == 0.5 and not optimizer.state


def test_load_state_dict_refuses_a_position_that_two_groups_share():
    optimizer = SGD([{"params": [Value(0.0)]}, {"params": [Value(1.0)], "lr": 0.2}], lr=0.5)
    saved = optimizer.state_dict()
    saved["param_groups"][1]["params"] = [0]
    with pytest.raises(ValueError, match=r"param_groups\[1\]\['params'\] repeats the positions \[0\]"):
        optimizer.load_state_dict(saved)
    assert [group["lr"] for group in optimizer.param_groups] == [0.5, 0.2]


@pytest.mark.parametrize("saved", [{"a": 1}, [1], {"state": {}, "param_groups": "x"}])
def test_load_state_dict_says_what_it_expects(saved):
    with pytest.raises(ValueError, match="load_state_dict expects what an optimizer's state_dict\\(\\) returns"):
        SGD([Value(1.0)], lr=0.1).load_state_dict(saved)


def test_numpy_numbers_from_a_scheduler_or_a_list_of_betas_leave_the_parameters_plain_floats():
    import numpy as np

    w = Value(1.0)
    optimizer = Adam([w], lr=0.1, betas=[np.float32(0.9), np.float32(0.99)])
    schedulers = [ExponentialLR(optimizer, gamma=np.float32(0.9)), LambdaLR(optimizer, lambda e: np.float32(1.0))]
    for _ in range(3):
        w.grad = 1.0
        optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
    assert type(w.data) is float and type(optimizer.param_groups[0]["lr"]) is float
    json.dumps(optimizer.state_dict())


def test_scheduler_repr_shows_its_settings_epoch_and_rates():
    optimizer = one_param_sgd(lr=0.1)
    scheduler = StepLR(optimizer, step_size=3)
    assert repr(scheduler) == "StepLR(step_size=3, gamma=0.1, last_epoch=0, lr=[0.1])"
    for _ in range(4):
        optimizer.step()
        scheduler.step()
    assert repr(scheduler) == "StepLR(step_size=3, gamma=0.1, last_epoch=4, lr=[0.01])"
    assert repr(ExponentialLR(one_param_sgd(lr=0.1), gamma=0.9)) == "ExponentialLR(gamma=0.9, last_epoch=0, lr=[0.1])"

    def warmup(epoch):
        return min(1.0, (epoch + 1) / 5)

    groups = SGD([{"params": [Value(0.0)], "lr": 0.3}, {"params": [Value(0.0)]}], lr=1.0)
    assert repr(LambdaLR(groups, [lambda epoch: 1.0, warmup])) == (
        "LambdaLR(lr_lambda=[<lambda>, warmup], last_epoch=0, lr=[0.3, 0.2])"
    )
    assert repr(LambdaLR(one_param_sgd(lr=0.1), warmup)) == "LambdaLR(lr_lambda=warmup, last_epoch=0, lr=[0.02])"
