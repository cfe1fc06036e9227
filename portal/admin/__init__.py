"""Administration: agencies, feedback categories, procedures, staff accounts, the calendar of announced
days, response templates and the VietQR bank account. Every change writes an Event."""
