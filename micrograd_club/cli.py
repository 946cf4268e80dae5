"""The ``micrograd-club`` command: backprop on a formula you type, training a small network
on a toy dataset, and the lesson demos, without writing any Python.

    micrograd-club graph "tanh(w*x + b)" --set x=1 w=0.4 b=0.1 --trace --out graph.svg
    micrograd-club train moons --layers 16,16 --epochs 100
    micrograd-club demo backprop_by_hand

Errors are one line on stderr. Exit status: 0 success, 1 a file could not be written or
training diverged, 2 a bad command line or expression, 130 stopped with Ctrl-C.
"""

import argparse
import contextlib
import difflib
import errno
import functools
import importlib
import importlib.util
import math
import os
import shlex
import subprocess
import sys
import tempfile
import warnings

import micrograd_club
from micrograd_club import __version__, data
from micrograd_club._io import PNG_DPI, WINDOWS, atomic_write_bytes, check_writable, plural, unicode_output
from micrograd_club.engine import Value
from micrograd_club.expression import ExpressionError, parse_assignments, parse_expression
from micrograd_club.nn import ACTIVATIONS, MLP
from micrograd_club.train import DIVERGED_ADVICE, LOSSES, OPTIMIZERS, decision_threshold, fit
from micrograd_club.viz import (
    GraphTooLargeError,
    GraphvizNotFoundError,
    save_backward_html,
    save_graph,
    trace_backward,
)
from micrograd_club.viz.graph import FORMATS, GRAPH_EXTENSIONS, MAX_DPI, MAX_NODES, RANKDIRS, missing_dot_advice
from micrograd_club.viz.notation import MAX_PRECISION, number
from micrograd_club.viz.plots import INSTALL_HINT as INSTALL_PLOTS

__all__ = ["main", "build_parser", "CommandError"]

PROG = "micrograd-club"
DEFAULT_OUT = "micrograd_club_out"
# train's limits: a scalar engine is for toy problems; these keep a typo from filling memory.
MAX_TRAIN_SAMPLES = 1_000_000  # lower than data.MAX_SAMPLES: train must finish in reasonable time
MAX_LAYER_SIZE = 10_000
MAX_PARAMETERS = 1_000_000
INSTALL_GRAPHVIZ = (
    "install Graphviz: sudo apt-get install graphviz (macOS: brew install graphviz, "
    "Windows: winget install graphviz) and run the command again"
)
PLOTS_SKIPPED = f"plots skipped: {INSTALL_PLOTS}"

MAIN_EXAMPLES = f"""\
examples:
  {PROG} graph "tanh(w*x + b)" --set x=1 w=0.4 b=0.1 --trace
  {PROG} train moons --epochs 50
  {PROG} demo --list

exit status: 0 success, 1 a file could not be written or training diverged,
2 a bad command line or expression, 130 stopped with Ctrl-C.
"""
GRAPH_EXAMPLES = f"""\
examples:
  {PROG} graph "tanh(w*x + b)" --set x=1 w=0.4 b=0.1
  {PROG} graph "sigmoid(w*x + b)" --set x=1 w=0.4 b=0.1 --trace --out graph.svg
  {PROG} graph "0.5*(y - t)**2" --set y=0.39 t=0.5 --html steps.html
  {PROG} graph "w*x + b" --set x=2 w=-3 b=1 --precision 2 --rankdir LR --out slide.png
  {PROG} graph "w*x + b" --set x=2 w=-3 b=1 --out handout.png --dpi 300

The expression may use numbers, the variables given with --set, + - * / ** and
exp, log, sqrt, tanh, sigmoid (or σ), relu, leaky_relu(x, slope), softplus, abs.
Quote it, and start one that begins with a minus with a space: " -x*x".
"""
TRAIN_EXAMPLES = f"""\
examples:
  {PROG} train moons
  {PROG} train spiral --layers 32,32 --epochs 200 --lr 0.02
  {PROG} train regression --loss huber --layers 8 --out fits/

Default losses: hinge for moons, circles and xor (labels -1/+1), cross_entropy for
spiral and blobs (3 classes), mse for regression.

Writes into --out, replacing an earlier run's: model.json (the trained weights; the
last line printed says how to load it), history.csv (the loss per epoch, and the
accuracy for classes; plot_history(PATH) of micrograd_club.viz.plots draws it), and
with matplotlib history.png and decision_boundary.png (fit.png for regression). A run
that diverges, or is stopped with Ctrl-C before its first epoch ends, leaves an
earlier run's files as they were, and so does one whose model.json or history.csv
cannot be written.
"""
DEMO_EXAMPLES = f"""\
examples:
  {PROG} demo                      run backprop_by_hand, the notes' section 4.7
  {PROG} demo --list               what demos there are
  {PROG} demo all --out lessons/   every demo, each into lessons/NAME
"""


class CommandError(Exception):
    """A failure reported as one line on stderr; ``status`` is the exit status."""

    def __init__(self, message, status=2):
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line (raised, so ``main`` returns 2)."""

    command_line = ()  # main() keeps the arguments here, for hints that depend on the command
    commands = {}  # build_parser() keeps the subparsers here, by name

    def error(self, message):
        unknown = message.partition("unrecognized arguments: ")[2].split()
        dashed = next((arg for arg in unknown if arg.startswith("-") and not arg.startswith("--")), None)
        if dashed and self.command_line[:1] == ["graph"]:  # argparse took an expression such as -x*x for an option
            message += f'; if {dashed} is the expression, start it with a space: " {dashed}"'
        # The whole command line is parsed here, so a command's own unknown option is reported
        # here too: point to that command's help, which lists its options.
        command = self.commands.get(self.command_line[0]) if unknown and self.command_line else None
        if command is not None:
            message += _closest_option(unknown, command)
        raise CommandError(f"{message} (see {(command or self).prog} --help)")


def _closest_option(unknown, parser):
    """"; did you mean --set?" for a misspelt option such as --sett, else ""."""
    options = [option for action in parser._actions if action.help != argparse.SUPPRESS
               for option in action.option_strings if option.startswith("--")]
    for arg in unknown:
        if arg.startswith("--"):
            close = difflib.get_close_matches(arg.partition("=")[0], options, n=1)
            if close:
                return f"; did you mean {close[0]}?"
    return ""


class _ReaderMayLeave:
    """sys.stdout or sys.stderr while the command runs. When the program reading it stops
    early (``micrograd-club demo all | head``), the rest of the text goes to os.devnull and
    the command carries on: it still writes all its files, with no traceback at exit."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        try:
            return self._stream.write(text)
        except OSError as error:
            self._reader_left(error)
            return len(text)

    def flush(self):
        try:
            self._stream.flush()
        except OSError as error:
            self._reader_left(error)

    def _reader_left(self, error):
        """Send the rest to os.devnull if ``error`` says the reader left, else raise it again."""
        if not _reader_has_left(error):
            raise error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self._stream.fileno())  # as the Python docs advise for a broken pipe
        os.close(devnull)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _reader_has_left(error):
    """Whether an OSError from writing to a pipe means that its reader has stopped: a
    BrokenPipeError, or on Windows an OSError(EINVAL), as Windows reports the closed pipe."""
    return isinstance(error, BrokenPipeError) or (WINDOWS and error.errno == errno.EINVAL)


def main(argv=None):
    """Run the command line ``argv`` (default: ``sys.argv[1:]``) and return the exit status."""
    streams = sys.stdout, sys.stderr
    with unicode_output(*streams):
        sys.stdout, sys.stderr = _ReaderMayLeave(sys.stdout), _ReaderMayLeave(sys.stderr)
        try:
            return _main(argv)
        finally:
            sys.stdout.flush()  # here, where a reader that left is handled, not at exit
            sys.stdout, sys.stderr = streams


def _main(argv):
    parser = build_parser()
    parser.command_line = list(sys.argv[1:] if argv is None else argv)
    try:
        try:
            args = parser.parse_args(parser.command_line)
        except SystemExit as done:  # --help and --version
            return done.code or 0
        if args.command is None:
            parser.error("choose a command: graph, train or demo")
        return args.run(args)
    except CommandError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return error.status
    except KeyboardInterrupt:
        print(f"{PROG}: stopped (Ctrl-C)", file=sys.stderr)
        return 130


def build_parser():
    """The argparse parser of the whole command, with one subparser per command."""
    parser = _Parser(
        prog=PROG,
        description="See backpropagation: compute gradients of a formula, train a small network, run the lessons.",
        epilog=MAIN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    _add_graph_command(commands)
    _add_train_command(commands)
    _add_demo_command(commands)
    parser.commands = commands.choices
    return parser


def _subparser(commands, name, summary, epilog):
    return commands.add_parser(
        name, help=summary, description=summary, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter
    )


# ----- graph -----


def _add_graph_command(commands):
    graph = _subparser(commands, "graph", "Compute a formula and its gradients, and draw the graph.", GRAPH_EXAMPLES)
    graph.usage = (f"{PROG} graph EXPRESSION [--set NAME=NUMBER ...] [--trace] [--out FILE] [--html FILE] "
                   "[--precision N] [--rankdir DIR] [--dpi N]")
    # Optional for argparse only, so that an expression typed after --set (which swallows
    # it) gets an error saying so instead of "expression is required".
    graph.add_argument("expression", nargs="?", help='the formula, in quotes, e.g. "tanh(w*x + b)"')
    graph.add_argument("--set", nargs="+", action="extend", default=[], metavar="NAME=NUMBER",
                       help="values of the variables, e.g. --set x=1 w=0.4 b=0.1")
    graph.add_argument("--out", type=_graph_path, metavar="FILE",
                       help="save the diagram: .svg, .png, .pdf (Graphviz) or .dot (text)")
    graph.add_argument("--trace", action="store_true",
                       help="print the chain rule, one line per node, the formula's inner pieces included")
    graph.add_argument("--every-node", action="store_true", dest="trace", help=argparse.SUPPRESS)  # older name
    graph.add_argument("--html", type=_html_path, metavar="FILE",
                       help="write a page that steps through the backward pass")
    graph.add_argument("--precision", type=_non_negative(int, MAX_PRECISION),
                       default=4, metavar="N", help="decimals of every number printed and drawn (default: 4)")
    graph.add_argument("--rankdir", choices=RANKDIRS, default="auto", metavar="DIR",
                       help="the diagrams' direction: LR (left to right), TB (top to bottom), RL, BT, or auto, "
                            "the one that fits a page better (default)")
    graph.add_argument("--dpi", type=_positive(int, MAX_DPI), metavar="N",
                       help=f"dots per inch of a .png --out (default: {PNG_DPI}, sharp on a slide; 300 for a printed "
                            "handout); .svg and .pdf are sharp at any size")
    graph.set_defaults(run=run_graph)


def _folder_name(text):
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty folder name: give a folder, e.g. --out results")
    return text


def _html_path(path):
    if os.path.splitext(path)[1].lower() not in (".html", ".htm"):
        raise argparse.ArgumentTypeError(f"the step-through is a web page: end {path!r} with .html")
    return path


def _graph_path(path):
    if os.path.splitext(path)[1].lower() not in GRAPH_EXTENSIONS:
        raise argparse.ArgumentTypeError(
            f"cannot tell the format of {path!r}: end it with {', '.join(GRAPH_EXTENSIONS)}"
        )
    return path


def run_graph(args):
    """Build the expression, run backward, print the value and gradients (and the trace),
    and save the diagram and step-through that were asked for."""
    inputs = _graph_inputs(args.set)
    if args.expression is None:
        raise CommandError('give the expression to compute, e.g. graph "x*x" --set x=3')
    if args.dpi is not None and (args.out is None or not args.out.lower().endswith(".png")):
        raise CommandError(f"--dpi sets the resolution of a .png picture, and --out is "
                           f"{'not given' if args.out is None else repr(args.out)}: give --out FILE.png "
                           "(.svg and .pdf are sharp at any size)")
    try:
        root = parse_expression(args.expression, inputs)
    except ExpressionError as error:
        raise CommandError(str(error)) from None
    _check_destinations(args.out, args.html)  # before anything is printed: a typo in a folder is one line
    name = _output_name(root, inputs)
    root.backward()
    formula, precision = args.expression.strip(), args.precision
    result = number(root.data, precision)
    print(f"{name} = {result}" if formula == name else f"{name} = {formula} = {result}")
    for variable, value in inputs.items():
        unused = "" if _depends_on(root, value) else f"  ({variable} is not in the expression)"
        print(f"∂{name}/∂{variable} = {number(value.grad, precision)}{unused}")
    if not all(math.isfinite(x) for x in (root.data, *(value.grad for value in inputs.values()))):
        print(f"{PROG}: warning: a result is inf or nan: a number grew past what a float holds (about 1.8e308), "
              "or is undefined; try smaller inputs", file=sys.stderr)
    if args.trace:
        _print_trace(root, precision)
    _save_pictures(root, args.out, args.html, dpi=args.dpi or PNG_DPI, precision=precision, rankdir=args.rankdir)
    return 0


def _graph_inputs(assignments):
    """{name: Value} from the --set items; an item without "=" is most likely the
    expression, typed after --set, which swallowed it."""
    for item in assignments:
        if "=" not in item:
            raise CommandError(
                f'--set expects NAME=NUMBER, got {item!r}; put the expression first: graph "x*x" --set x=3'
            )
    try:
        return {name: Value(x, label=name) for name, x in parse_assignments(assignments).items()}
    except ExpressionError as error:
        raise CommandError(str(error)) from None


def _output_name(root, inputs):
    """Call the result f in the printout, trace and pictures (or out, result, f1 …: the first
    name that is not a variable, so ∂f/∂x never reads as a variable's derivative by itself)."""
    candidates = ["f", "out", "result"] + [f"f{k}" for k in range(1, len(inputs) + 2)]
    name = next(candidate for candidate in candidates if candidate not in inputs)
    if root not in inputs.values():
        root.label = name
        return name
    return root.label


def _depends_on(root, value):
    return value in set(root.topological_order())


def _print_trace(root, precision):
    """Every node gets a line: a formula typed here names only its variables, and folding
    the unnamed pieces into one derivative (trace_backward's default) would leave no chain."""
    print()
    print("the chain rule, from the output back to the inputs:")
    print(trace_backward(root, every_node=True, precision=precision))


def _save_pictures(root, out, html, dpi, **options):
    """Write --out (a PNG at ``dpi``) and --html, drawn with ``options`` (precision, rankdir);
    without Graphviz, write the diagram's DOT text in their place (once: next to --out when
    both are given) and say in one line how to get the pictures."""
    missing_dot = False
    for path, save in ((out, functools.partial(save_graph, dpi=dpi)), (html, save_backward_html)):
        if path is None:
            continue
        try:
            with _writing(path):
                save(root, path, **options)
            print(f"wrote {path}")
        except GraphvizNotFoundError:
            missing_dot = True
            if save is save_backward_html and out is not None:  # its DOT text would repeat --out's
                print(f"skipped {path} (Graphviz's dot draws its frames)")
                continue
            dot_path = os.path.splitext(path)[0] + ".dot"
            with _writing(dot_path):
                save_graph(root, dot_path, **options)
            print(f"wrote {dot_path} (the diagram as DOT text: Graphviz's dot is needed to draw {path})")
        except GraphTooLargeError as error:  # its advice is Python's (collapse=, model(X[0])): give ours
            raise CommandError(f"{error.reason}. {_too_large_advice(error.limit, path)}") from None
    if missing_dot:
        print(missing_dot_advice(f"to get the pictures, {INSTALL_GRAPHVIZ}"), file=sys.stderr)


def _too_large_advice(limit, path):
    """What to do on the command line about a formula too large (``limit`` max_nodes or
    max_steps) or too slow (DOT_SECONDS) to draw into ``path``."""
    stem = os.path.splitext(path)[0]
    if limit == "DOT_SECONDS":
        fmt = FORMATS.get(os.path.splitext(path)[1].lower(), "svg")  # --html: its diagram as one picture
        source, picture = _shell_word(f"{stem}.dot"), _shell_word(f"{stem}.{fmt}")
        return (f"Draw a shorter formula, or write the diagram as DOT text with --out {source} and draw it "
                f"with Graphviz yourself, which has no time limit: dot -T{fmt} {source} -o {picture}")
    if limit == "max_steps":
        return (f"--html makes one frame per step: step through a shorter formula, or draw this one as a single "
                f"picture with --out {_shell_word(stem + '.svg')} (up to {MAX_NODES} value nodes)")
    return ("Split the formula into shorter ones and draw each; the value and gradients printed above, and "
            "--trace's chain rule, need no picture")


def _shell_word(path):
    """``path`` quoted for the shell if it needs it (a space, a quote, a $), so that a command
    printed as advice can be pasted as it is: POSIX quoting ('my files/f.dot'), and on Windows
    the double quotes that cmd and PowerShell both read ("my files\\f.dot")."""
    return subprocess.list2cmdline([path]) if WINDOWS else shlex.quote(path)


def _output_folder(path):
    """Make the folder ``path`` if needed and check that files can be written in it, so a
    bad --out is one line at the start rather than a loss at the end."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise CommandError(f"--out {path} is a file, not a folder: give a folder's name", status=1)
    with _writing(path):
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):  # the folder exists, but may not be writable
            pass


def _check_destinations(*paths):
    """Check that each of ``paths`` (None: not asked for) can be written, before the work that
    makes them: a missing folder or a read-only file is then one line, with nothing printed,
    trained or written (see ``_io.check_writable``)."""
    for path in paths:
        if path is not None:
            with _writing(path):
                check_writable(path)


@contextlib.contextmanager
def _writing(path):
    """Turn an OSError while writing ``path`` into one line naming the path (exit 1)."""
    try:
        yield
    except OSError as error:
        reason = error.strerror or str(error)
        raise CommandError(f"cannot write {path}: {reason}", status=1) from None


# ----- train -----

# dataset -> (what kind of task, how to make it from samples, noise and seed)
DATASETS = {
    "moons": ("binary", lambda n, noise, seed: data.make_moons(n, noise=noise, seed=seed)),
    "circles": ("binary", lambda n, noise, seed: data.make_circles(n, noise=noise, seed=seed)),
    "xor": ("binary", lambda n, noise, seed: data.make_xor(n, noise=noise, seed=seed)),
    "spiral": ("classes", lambda n, noise, seed: data.make_spiral(n, classes=3, noise=noise, seed=seed)),
    "blobs": ("classes", lambda n, noise, seed: data.make_blobs(n, centers=3, cluster_std=noise, seed=seed)),
    "regression": ("regression", lambda n, noise, seed: data.make_regression(n, noise=noise, seed=seed)),
}
DEFAULT_LOSS = {"binary": "hinge", "classes": "cross_entropy", "regression": "mse"}
# losses for two classes with one output, and losses for regression
BINARY_LOSSES = {"hinge", "binary_cross_entropy", "binary_cross_entropy_with_logits"}
REGRESSION_LOSSES = {"mse", "sse", "mae", "huber"}


def _add_train_command(commands):
    train = _subparser(commands, "train", "Train a small network (an MLP) on a toy dataset.", TRAIN_EXAMPLES)
    train.add_argument("dataset", choices=DATASETS, metavar="DATASET", help=f"one of {', '.join(DATASETS)}")
    train.add_argument("--layers", type=_layer_sizes, default=[16, 16], metavar="SIZES",
                       help="hidden layer sizes, comma-separated (default: 16,16)")
    train.add_argument("--activation", choices=ACTIVATIONS, default="relu", help="of the hidden layers (default: relu)")
    train.add_argument("--loss", choices=LOSSES, metavar="LOSS",
                       help=f"one of {', '.join(LOSSES)} (default: depends on the dataset, see below)")
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="adam", help="(default: adam)")
    train.add_argument("--lr", type=_positive(float), default=0.05, help="learning rate (default: 0.05)")
    train.add_argument("--epochs", type=_positive(int), default=100, help="passes over the data (default: 100)")
    train.add_argument("--batch-size", type=_positive(int), metavar="N",
                       help="examples per step (default: all of them, batch gradient descent)")
    train.add_argument("--seed", type=_non_negative(int), default=0,
                       help="for the data, the initial weights and shuffling (default: 0)")
    train.add_argument("--samples", type=_positive(int, MAX_TRAIN_SAMPLES), default=100,
                       help=f"size of the dataset, at most {MAX_TRAIN_SAMPLES:,} (default: 100)")
    train.add_argument("--noise", type=_non_negative(float), default=0.1,
                       help="how noisy the data is; for blobs the spread of each cluster (default: 0.1)")
    train.add_argument("--out", type=_folder_name, metavar="DIR",
                       help=f"where to write the results (default: {DEFAULT_OUT}/train-DATASET)")
    train.add_argument("--no-progress", action="store_true",
                       help="no progress bar (there is none when stderr is not a terminal, e.g. 2> log.txt)")
    train.set_defaults(run=run_train)


def _layer_sizes(text):
    sizes = [part.strip() for part in text.split(",")]
    if not all(part.isascii() and part.isdigit() and int(part) >= 1 for part in sizes):
        raise argparse.ArgumentTypeError(f"expected whole numbers >= 1 separated by commas, like 16,16; got {text!r}")
    sizes = [int(part) for part in sizes]
    if max(sizes) > MAX_LAYER_SIZE:
        raise argparse.ArgumentTypeError(
            f"a layer of {max(sizes)} neurons is more than a scalar engine trains in reasonable time "
            f"(at most {MAX_LAYER_SIZE}); got {text!r}"
        )
    return sizes


def _positive(kind, maximum=None):
    """An argparse type: a number of ``kind`` greater than 0 (and at most ``maximum``)."""
    limit = maximum if maximum is not None else sys.maxsize if kind is int else math.inf
    return _number_type(kind, lambda value: value > 0, "greater than 0", limit)


def _non_negative(kind, maximum=math.inf):
    """An argparse type: a finite number of ``kind`` that is 0 or more (--noise, --seed), and
    at most ``maximum`` (--precision)."""
    return _number_type(kind, lambda value: value >= 0, ">= 0", maximum)


def _number_type(kind, in_range, range_text, limit):
    """An argparse type: ``kind(text)``, finite, ``in_range`` and at most ``limit``, or a
    usage error that says which of these it is not."""

    def convert(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {_kind_name(kind)}, got {text!r}") from None
        if not (in_range(value) and value < math.inf):  # also refuses nan; a long int is compared exactly
            raise argparse.ArgumentTypeError(f"expected a {_kind_name(kind)} {range_text}, got {text!r}")
        if value > limit:
            raise argparse.ArgumentTypeError(f"expected a {_kind_name(kind)} up to {limit:,}, got {text!r}")
        return value

    convert.__name__ = _kind_name(kind)
    return convert


def _kind_name(kind):
    return "whole number" if kind is int else "number"


def run_train(args):
    """Make the dataset, build and train the MLP, print the result, and save the model,
    the history and the plots."""
    task, X, labels = _make_dataset(args)
    loss = args.loss or DEFAULT_LOSS[task]
    targets, outputs, output_activation = _targets_for(loss, task, labels, args.dataset)
    sizes = [*args.layers, outputs]
    parameters = sum((n_in + 1) * n_out for n_in, n_out in zip([X.shape[1], *sizes], sizes))
    if parameters > MAX_PARAMETERS:
        raise CommandError(f"--layers {','.join(map(str, args.layers))} makes {parameters:,} parameters, more than a "
                           f"scalar engine trains in reasonable time (at most {MAX_PARAMETERS:,}); use smaller layers")
    model = MLP(X.shape[1], sizes, activation=args.activation, output_activation=output_activation, seed=args.seed)
    out_dir = args.out or os.path.join(DEFAULT_OUT, f"train-{args.dataset}")
    _output_folder(out_dir)  # before training, so a bad --out is reported at once, not after it
    _check_destinations(*(os.path.join(out_dir, name) for name in ("model.json", "history.csv", *PICTURES)))
    hidden = f', activation="{args.activation}"' if args.activation != "relu" else ""  # MLP's default: left out
    print(f"training MLP({X.shape[1]}, {sizes}{hidden}{_output_activation_text(output_activation)}) on "
          f"{args.dataset} ({len(X)} samples), {loss} loss, {args.optimizer} lr={args.lr:g}, "
          f"{plural(args.epochs, 'epoch')}")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            history = fit(model, X, targets, loss=loss, optimizer=args.optimizer, lr=args.lr, epochs=args.epochs,
                          batch_size=args.batch_size, seed=args.seed,
                          progress=False if args.no_progress else None)  # None: not into a log (see fit)
    except FloatingPointError as error:
        history, message = getattr(error, "history", None), _with_option_advice(error, args.lr)
        if os.path.exists(os.path.join(out_dir, "model.json")):  # an earlier run's: keep its history beside it
            raise CommandError(f"{message} Nothing was written: {out_dir} keeps the earlier run's files; to see this "
                               "run's loss, give a new --out", status=1) from None
        saved = ""
        if history is not None and history.epochs:  # the loss up to where it diverged is the evidence
            _save_history(out_dir, model, history, X, targets, model_picture=None)
            saved = f" history.csv has the loss of the {plural(history.epochs, 'epoch')} before;"
        raise CommandError(f"{message}{saved} no model.json was written", status=1) from None
    except ValueError as error:  # the data does not fit the model or loss (one class only, say)
        raise CommandError(f"{args.dataset}: {error}") from None
    if history.interrupted and not history.epochs:  # an untrained model must not replace an earlier run's files
        print(f"{PROG}: stopped (Ctrl-C) before the first epoch finished; nothing was written to {out_dir}",
              file=sys.stderr)
        return 130
    for warning in caught:
        print(f"{PROG}: warning: {_with_option_advice(warning.message, args.lr)}", file=sys.stderr)
    _print_result(history)
    _save_training(out_dir, model, history, X, targets, _model_picture(task, loss))
    print(f'load the model with: MLP({X.shape[1]}, {sizes}, activation="{args.activation}"'
          f'{_output_activation_text(output_activation)}).load({os.path.join(out_dir, "model.json")!r})')
    if history.interrupted:
        print(f"{PROG}: stopped (Ctrl-C) after {plural(history.epochs, 'epoch')}; saved what was trained",
              file=sys.stderr)
        return 130
    return 0


def _with_option_advice(message, lr):
    """fit's message about diverging training, advising what to type here: the option --lr
    (fit's advice names its argument lr, and to scale the inputs, which train makes itself)."""
    return str(message).replace(DIVERGED_ADVICE, f"Lower the learning rate, e.g. --lr {lr / 10:g} (this run had "
                                                 f"--lr {lr:g}).")


def _make_dataset(args):
    task, make = DATASETS[args.dataset]
    try:
        X, labels = make(args.samples, args.noise, args.seed)
    except ValueError as error:
        raise CommandError(f"{args.dataset}: {error}") from None
    return task, X, labels


def _targets_for(loss, task, labels, dataset):
    """(targets, number of outputs, output activation) for training ``loss`` on ``labels``,
    or a CommandError if the loss does not fit the task."""
    if task == "regression":
        if loss not in REGRESSION_LOSSES:
            fits = ", ".join(sorted(REGRESSION_LOSSES))
            raise CommandError(f"--loss {loss} does not fit {dataset}: use one of {fits}")
        return labels, 1, None
    classes = int(labels.max()) + 1
    if len(set(labels.tolist())) < 2:
        raise CommandError(f"{dataset}: all {len(labels)} samples are of one class, so there is nothing to tell "
                           "apart; use more --samples")
    if loss == "cross_entropy":
        return labels, classes, None
    if loss not in BINARY_LOSSES or task != "binary":
        fits = sorted(BINARY_LOSSES | {"cross_entropy"}) if task == "binary" else ["cross_entropy"]
        raise CommandError(f"--loss {loss} does not fit {dataset} ({classes} classes): use {' or '.join(fits)}")
    if loss == "hinge":
        return 2 * labels - 1, 1, None  # hinge wants labels -1 / +1
    return labels, 1, "sigmoid" if loss == "binary_cross_entropy" else None


def _output_activation_text(output_activation):
    return f', output_activation="{output_activation}"' if output_activation else ""


def _print_result(history):
    scores = ", ".join(f"{name} {number(values[-1])}" for name, values in history.items())
    print(f"after {plural(history.epochs, 'epoch')}: {scores}")


PICTURES = ("history.png", "decision_boundary.png", "fit.png")  # what train may draw into its folder


def _model_picture(task, loss):
    """What train draws of the trained model: (file name, function of viz.plots, its options).
    A regression model as a curve through the data; a classifier by its decision boundary,
    drawn where a single output's classes meet for this loss."""
    if task == "regression":
        return "fit.png", "plot_regression", {}
    return "decision_boundary.png", "plot_decision_boundary", {"threshold": decision_threshold(loss)}


def _save_training(out_dir, model, history, X, targets, model_picture):
    """model.json and history.csv, then the plots (see ``_save_pictures_of_training``). The two go together:
    if history.csv cannot be written after model.json was (the checks before training passed, but
    the disk filled up, or on Windows a spreadsheet holds the file open), model.json is put back as
    it was, so no folder holds one run's model beside another run's history."""
    model_path = os.path.join(out_dir, "model.json")
    with _writing(model_path):
        earlier_model = _read_if_there(model_path)
        model.save(model_path)
    try:
        history_path = _write_history(out_dir, history)
    except CommandError as error:
        raise CommandError(f"{error}; {_put_back(model_path, earlier_model)}", status=1) from None
    print(f"wrote {model_path}")
    print(f"wrote {history_path}")
    _save_pictures_of_training(out_dir, model, history, X, targets, model_picture)


def _read_if_there(path):
    """The bytes of the file ``path``, or None if there is none."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def _put_back(path, earlier):
    """Put the file ``path`` back as it was (``earlier``: its bytes, or None if there was none)
    and say so, for an error message."""
    try:
        if earlier is None:
            os.remove(path)
        else:
            atomic_write_bytes(path, earlier)
    except OSError as error:
        return (f"and {path} could not be put back as it was ({error.strerror or error}): it is this run's model, "
                "beside an earlier run's history.csv (or none); delete it or train again")
    if earlier is None:
        return f"so {path} was removed again: nothing of this run was saved"
    return f"so {path} was put back as it was: the folder keeps the earlier run's model and history together"


def _save_history(out_dir, model, history, X, targets, model_picture):
    """history.csv, and (with matplotlib) history.png and the ``model_picture`` (see
    ``_model_picture``; None draws none)."""
    print(f"wrote {_write_history(out_dir, history)}")
    _save_pictures_of_training(out_dir, model, history, X, targets, model_picture)


def _write_history(out_dir, history):
    """Write history.csv into ``out_dir``; its path."""
    history_path = os.path.join(out_dir, "history.csv")
    with _writing(history_path):
        history.to_csv(history_path)
    return history_path


def _save_pictures_of_training(out_dir, model, history, X, targets, model_picture):
    """The plots (see ``_save_plots``), and no earlier run's picture that this run did not redraw."""
    written = _save_plots(out_dir, model, history, X, targets, model_picture)
    for name in PICTURES:  # an earlier run's picture would sit beside this run's model as if it were its own
        path = os.path.join(out_dir, name)
        if name not in written and os.path.isfile(path):
            os.remove(path)
            print(f"removed {path} (an earlier run's; this run has no such picture)")


def _save_plots(out_dir, model, history, X, targets, model_picture):
    """The plots, or one line saying how to get matplotlib if it is missing; the names of
    the pictures written."""
    written = []
    try:
        from micrograd_club.viz import plots

        pictures = [("history.png", plots.plot_history, (history,), {})]
        if model_picture is not None:
            name, plot_name, options = model_picture
            pictures.append((name, getattr(plots, plot_name), (model, X, targets), options))
        for name, plot, plot_args, options in pictures:
            path = os.path.join(out_dir, name)
            with _writing(path):
                plot(*plot_args, path=path, **options)
            written.append(name)
            print(f"wrote {path}")
    except ImportError as error:
        if error.name and error.name.partition(".")[0] != "matplotlib":
            raise  # a broken install, not the missing plots extra
        print(PLOTS_SKIPPED)
    return written


# ----- demo -----


def _add_demo_command(commands):
    demo = _subparser(commands, "demo", "Run the lesson demos: they print the numbers and save pictures.",
                      DEMO_EXAMPLES)
    demo.add_argument("name", nargs="?", default="backprop_by_hand", metavar="NAME",
                      help="a demo (see --list), or all (default: backprop_by_hand)")
    demo.add_argument("--out", type=_folder_name, metavar="DIR",
                      help=f"where the pictures go (default: {DEFAULT_OUT}/NAME; with all, DIR/NAME for each demo)")
    demo.add_argument("--list", action="store_true", help="list the demos and stop")
    demo.set_defaults(run=run_demo)


def run_demo(args):
    """Run one demo (or all of them, in lesson order) with its output folder."""
    registry = _demo_registry()
    if args.list:
        for name, module in registry.items():
            print(f"{name:24} {_summary(importlib.import_module(module))}")
        return 0
    if args.name == "all":
        base = args.out or DEFAULT_OUT
        for name in registry:
            print(f"== {name} ==")
            _run_one_demo(registry[name], os.path.join(base, name))
        return 0
    if args.name not in registry:
        raise CommandError(f"unknown demo {args.name!r}: choose one of {', '.join(registry)}, or all")
    _run_one_demo(registry[args.name], args.out or os.path.join(DEFAULT_OUT, args.name))
    return 0


def _demo_registry():
    """The demos' names and modules. In the repository the demos are the folder demos/, which
    pip installs as micrograd_club.demos: after ``pip install .``, ``python -m micrograd_club``
    run in the repository imports the package from there, and finds no demos in it."""
    if importlib.util.find_spec("micrograd_club.demos") is None:
        source = os.path.dirname(os.path.dirname(os.path.abspath(micrograd_club.__file__)))
        raise CommandError(
            f"the demos cannot be imported: Python took micrograd_club from the source folder {source}, "
            "where they are demos/, not micrograd_club/demos/ as pip installs them; run micrograd-club "
            "instead of python -m micrograd_club, run it from another folder, or install with pip install -e .",
            status=1,
        )
    from micrograd_club import demos

    return demos.DEMOS


def _run_one_demo(module_name, out_dir):
    _output_folder(out_dir)
    importlib.import_module(module_name).main(out_dir)


def _summary(module):
    """The first line of a module's docstring."""
    return (module.__doc__ or "").strip().split("\n")[0]
