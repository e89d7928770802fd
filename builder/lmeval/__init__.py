"""lm-eval's output as data (never code): results, samples and the evidence made from them."""
