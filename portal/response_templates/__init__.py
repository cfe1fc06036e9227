"""Response templates, one rule for every feature that keeps them: the ready-made texts officers start an
answer from (feedback) or a request for documents, a refusal or a result note (dossiers). The province
administrator writes them for every agency or one, an agency administrator for their own agency, and reads
the province-wide ones. operations.py checks and audits the changes, forms.py and views.py give the
/staff/admin pages; each feature declares its kind (model, event subject, purposes) and mounts the pages on
its own admin blueprint. Imports portal.admin and portal.agencies, never a feature."""
