import sys

from spasm_lib.cli import main

sys.exit(main())
