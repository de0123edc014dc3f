"""Problem input: the model of a problem (`model`), its YAML source with line numbers
(`yamlsource`) and the loader that checks every key (`loader`). Imports nothing above it
but the activation and loss registries (`bpcalc.engine.activations`, `.losses`), which
import nothing of bpcalc."""
