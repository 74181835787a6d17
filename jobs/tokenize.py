"""spark-submit entry for the tokenize stage: `spark-submit jobs/tokenize.py --output OUT [--input …]`."""

import sys

import _bootstrap  # noqa: F401  (puts the checkout on sys.path)

from mdfs.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "tokenize", *sys.argv[1:]]))
