"""Document- and line-level rule filters: each rule a small function returning a reason or None."""
