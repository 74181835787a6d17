"""Training shards: Megatron-LM indexed datasets (.bin + .idx), written without torch."""

from mdfs.shard.indexed import (
    IndexedFormatError,
    IndexedReader,
    IndexedWriter,
    dtype_for_vocab,
    verify,
)

__all__ = ["IndexedFormatError", "IndexedReader", "IndexedWriter", "dtype_for_vocab", "verify"]
