"""Open311 GeoReport v2 at /open311/v2/, its privacy allowlist, and the OpenAPI description (/openapi.json)."""
