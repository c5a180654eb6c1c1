"""``python -m llmtap``: the llmtap command."""

import sys

from .cli import main

sys.exit(main())
