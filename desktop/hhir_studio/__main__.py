import sys

from hhir_studio.app import main

sys.exit(main())
