"""spark-submit entry for the tokenize stage: `spark-submit jobs/tokenizer.py --output OUT [--input …]`.

Not `jobs/tokenize.py`: spark-submit puts jobs/ first on sys.path, and a file named tokenize.py
would shadow the standard library's `tokenize` module for every job (linecache imports it).
"""

import sys

import _bootstrap  # noqa: F401  (puts the checkout on sys.path)

from mdfs.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", "tokenize", *sys.argv[1:]]))
