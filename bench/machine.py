#!/usr/bin/env python3
"""Prints this machine's description (CPU count and model, platform, load) as one JSON object."""
import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
print(json.dumps(benchlib.machine_info()))
