"""The old name of the benchmark script: ``python benchmarks/bench_engine.py [options]`` runs
``benchmarks/run.py`` with the same options (see ``python benchmarks/run.py --help``)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from run import main  # noqa: E402 (after the path is set)

if __name__ == "__main__":
    sys.exit(main())
