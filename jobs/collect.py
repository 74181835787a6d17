"""spark-submit entry for the collect stage: `spark-submit jobs/collect.py --input … --output …`."""

import sys

import _bootstrap  # noqa: F401  (puts the checkout on sys.path)

from mdfs.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "collect", *sys.argv[1:]]))
