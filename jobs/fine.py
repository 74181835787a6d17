"""spark-submit entry for the fine stage: `spark-submit jobs/fine.py --output OUT [--input …]`."""

import sys

import _bootstrap  # noqa: F401  (puts the checkout on sys.path)

from mdfs.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "fine", *sys.argv[1:]]))
