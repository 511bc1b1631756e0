"""tvclient."""
