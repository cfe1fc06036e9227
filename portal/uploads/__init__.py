"""Safe handling of uploaded files: sniffing, re-encoding, private storage."""
