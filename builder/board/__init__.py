"""The board: frozen values (model.py) and the rules that make them from valid files (aggregate.py)."""
