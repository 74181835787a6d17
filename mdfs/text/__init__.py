"""Text-level pieces: charset decoding, main-text extraction, language id, CJK statistics."""
