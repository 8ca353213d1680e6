"""What worker-lint knows of DataOS: resource types, the schemas, stacks, Bundles, quantities, cron, templates.

Checks and the engine ask this layer questions about plain data; it never reads configuration
or reports anything itself.
"""
