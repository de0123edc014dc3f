"""The terminal: the solution's tables (rich_renderer.py, one more renderer of the document
model, laid out by layout.py), the chain-rule view and the check report."""
