"""`worker-lint server`: the Language Server Protocol over standard input and output.

It lints through ``worker_lint.api`` exactly as the command line does (same configuration
discovery from each document's folder, same Stack definitions, same suppressions), from the
editor's unsaved text.  pygls is imported by ``worker_lint.lsp.server`` only: the other modules
here are plain Python over the linter's own types, so they are tested without a client.
"""
