"""spark-submit entry for the dedup stage: `spark-submit jobs/dedup.py --output OUT [--input …]`."""

import sys

import _bootstrap  # noqa: F401  (puts the checkout on sys.path)

from mdfs.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "dedup", *sys.argv[1:]]))
