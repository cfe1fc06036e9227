"""The one-stop-shop staff workspace."""
