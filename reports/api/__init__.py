"""The open data API: approved results as read-only JSON, with an OpenAPI schema."""
