"""Administrative units of Sơn La (communes and wards since 1 July 2025)."""
