"""The uv.lock model, reader and byte-exact writer; pylock.toml. Pure: takes and returns data."""
