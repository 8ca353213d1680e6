"""Running the linter: one file end to end (engine, suppressions), many files (runner, pool, cache), baselines."""
