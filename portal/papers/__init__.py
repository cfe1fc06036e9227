"""Printable papers: the one-stop desk's forms 02, 03, 05 and 06 of Circular 01/2018 (form 01 is the
dossiers' receipt, form 04 their apology letter) and the small paper slips (A6, 58 mm thermal) that carry a
dossier's or a report's code and private-link QR."""
