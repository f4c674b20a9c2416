import sys

from hhir.cli import main

sys.exit(main())
