"""spark-submit entry for the whole pipeline: `spark-submit jobs/pipeline.py --input CRAWL --output OUT`.

Runs collect → coarse → quality → dedup → fine → tokenize → shard on one Spark session; a stage whose
`_SUCCESS` exists is skipped, so a failed run is resumed by running it again.
"""

import sys

import _bootstrap  # noqa: F401  (puts the checkout on sys.path)

from mdfs.cli import main

if __name__ == "__main__":
    sys.exit(main(["pipeline", *sys.argv[1:]]))
