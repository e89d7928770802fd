"""Re-running a sample of a submitted run with lm-eval and comparing it with the evidence."""
