"""SMS: the gateway (eSMS.vn's HTTP brandname API), the "sms" job that sends one text after the commit,
the notices texted to a citizen when their case moves, and the status look-up by text message."""
