"""Readers for every input format; each yields RawRecord and never raises on bad input."""
