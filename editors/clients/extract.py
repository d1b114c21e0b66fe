#!/usr/bin/env python3
"""Prints the code block of editors/README.md that follows `<!-- check: NAME -->`."""
import pathlib, re, sys

readme = pathlib.Path(__file__).resolve().parent.parent / "README.md"
name = sys.argv[1]
m = re.search(r"<!-- check: " + re.escape(name) + r" -->\s*\n```[\w-]*\n(.*?)\n```", readme.read_text(encoding="utf-8"), re.S)
if not m:
    sys.exit(f"no block marked <!-- check: {name} --> in {readme}")
sys.stdout.write(m.group(1) + "\n")
