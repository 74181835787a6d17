"""Pure stage functions: records or Arrow batches in, (kept, rejected) out. No Spark here."""
