"""mdfs: a Spark pipeline from raw Chinese web crawl to clean, deduplicated pretraining shards."""

__version__ = "0.1.0"
