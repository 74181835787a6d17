"""The only package that imports pyspark: session, batch-stage application, stage runner."""
