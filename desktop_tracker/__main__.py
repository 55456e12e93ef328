import sys

from desktop_tracker.cli import main

sys.exit(main())
