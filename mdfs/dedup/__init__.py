"""Near-duplicate removal: character n-gram shingles, MinHash signatures, LSH bands.

The pure pieces (no Spark) live here so they can be tested bit-for-bit against `datasketch`
and run inside `mapInArrow` on whole Arrow batches: per-document Python work is the cost that
matters on a crawl, so everything below is vectorised over a batch's code points.
"""
