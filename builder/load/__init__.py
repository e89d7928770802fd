"""Reading the repository safely: where files are, strict YAML, the benchmark registry."""
