"""Results kept in the formats the field already uses, brought onto the board (and written back out).

- `opencompass`: an OpenCompass run folder (summary CSV, dumped config, per-sample
  details) -> runs under results/.
- `eee`: reads Every Eval Ever records (evaleval/every_eval_ever; schema 0.0.x to 0.3.x),
  every value checked, into plain records.
- `eee_board`: those records -> model records and reported runs (one source table per
  EEE leaderboard), records of one evaluation retrieved more than once merged, and the
  import manifest (`seeds/imports.yaml`) that says where they came from.
- `eee_export`: the board's runs -> EEE 0.3.0 records, checked against EEE's published
  schema (`eee_schema/`, copied from the `every-eval-ever` package).
"""
