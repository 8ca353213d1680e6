"""worker-lint: a position-exact linter for DataOS Worker and Bundle manifests."""

from __future__ import annotations

__version__ = "0.1.0"
