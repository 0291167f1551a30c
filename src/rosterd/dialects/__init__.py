"""API dialects: each folder speaks one vendor's wire format on top of the same core."""
