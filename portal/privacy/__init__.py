"""Personal data under Law 91/2025: data-subject rights, retention, encryption keys, breach queries."""
