"""The package index client: PEP 503/691 simple API, PEP 658 metadata, find-links, auth, HTTP cache."""
