import sys

from desktop_tracker.launcher import main

sys.exit(main())
