import os
import sys
from pathlib import Path

# Test helpers (example_repo.py) are imported as plain modules.
sys.path.insert(0, str(Path(__file__).parent))

# Builds here are local builds: no published address, whatever the shell running the tests has set
# (tests that need one pass `site_url` themselves).
os.environ.pop("REPROBOARD_SITE_URL", None)
