"""Administrative-procedure dossiers (hồ sơ thủ tục hành chính)."""
