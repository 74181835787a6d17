"""fastText quality classifier: features (text -> fastText line), data (labelled, grouped,
length-balanced splits), train (the seeded recipe behind quality_models/), score (batch scorer)."""
