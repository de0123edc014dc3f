"""Problem input: the model of a problem (`model`), its YAML source with line numbers
(`yamlsource`) and the loader that checks every key (`loader`). Imports nothing above it."""
