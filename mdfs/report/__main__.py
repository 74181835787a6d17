import sys

from mdfs.report.cli import main

sys.exit(main())
