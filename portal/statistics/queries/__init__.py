"""The dashboard's SQL: one module per kind of fact, sharing the range, scope and SQL helpers of `sql`."""
