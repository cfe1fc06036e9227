"""Public lookup of a feedback item or a dossier by its code and the phone's last four digits."""
