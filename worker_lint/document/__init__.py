"""Bytes to positioned plain data: decoding, the pre-parse guard, the YAML parser, JSON paths to positions.

This layer knows YAML and nothing of DataOS: it turns a file's bytes into documents whose
every node keeps its line and column, and turns a JSON path back into a span.
"""
