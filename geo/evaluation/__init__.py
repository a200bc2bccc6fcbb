"""Are the targets improving? Periods, evaluation areas, effect sizes, count models, the assessment."""
