#!/usr/bin/python3
"""Reads Prometheus text exposition from stdin with the Prometheus project's own Python client
parser (Debian python3-prometheus-client) and prints one JSON line per sample:
{"family", "type", "name", "labels", "value"}. Exit status 1, with the parser's complaint, when
the text is not valid exposition format."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

try:
    for family in text_string_to_metric_families(sys.stdin.read()):
        for sample in family.samples:
            print(json.dumps({"family": family.name, "type": family.type, "name": sample.name,
                              "labels": sample.labels, "value": sample.value}))
except Exception as error:  # the parser raises ValueError and others on malformed text
    print(f"not Prometheus text: {error}", file=sys.stderr)
    sys.exit(1)
