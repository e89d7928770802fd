"""lm-eval output -> a run file and its evidence under results/."""
