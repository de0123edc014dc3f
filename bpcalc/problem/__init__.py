"""Problem input: the model of a problem (`model`), the activations and losses a problem
may name, one entry each (`activations`, `losses`: what each one is and computes), its
YAML source with line numbers (`yamlsource`) and the loader that checks every key
(`loader`). Imports nothing above it."""
