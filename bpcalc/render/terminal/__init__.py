"""The terminal: rich tables of a trace, the chain-rule view and the check report."""
