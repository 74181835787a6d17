"""spark-submit entry for the coarse stage: `spark-submit jobs/coarse.py --output OUT [--input …]`."""

import sys

import _bootstrap  # noqa: F401  (puts the checkout on sys.path)

from mdfs.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "coarse", *sys.argv[1:]]))
