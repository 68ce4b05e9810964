"""``python -m chatbot …``: the command line lives in :mod:`chatbot.cli`."""
import sys

from chatbot.cli import main

if __name__ == "__main__":
    sys.exit(main())
