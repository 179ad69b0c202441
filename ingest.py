"""Index the corpus folder: ``python ingest.py [FOLDER] [--rebuild]`` (same as ``python -m assistant ingest``)."""

import sys

from assistant.cli import main

if __name__ == "__main__":
    sys.exit(main(["ingest", *sys.argv[1:]]))
