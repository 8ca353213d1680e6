"""The leaf of the package: value types, settings, the typed rule contract, and small utilities.

Nothing here imports from another part of worker-lint; every other layer may import from here.
"""
