"""Fees paid by VietQR bank transfer or at the counter; bank notifications and statements."""
