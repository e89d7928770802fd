"""ReproBoard: a leaderboard of open language models where every number can be traced and re-run."""

__version__ = "0.1.0"
