"""spark-submit entry for the shard stage: `spark-submit jobs/shard.py --output OUT [--input …]`."""

import sys

import _bootstrap  # noqa: F401  (puts the checkout on sys.path)

from mdfs.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "shard", *sys.argv[1:]]))
