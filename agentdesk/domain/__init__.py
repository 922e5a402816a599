"""Pure support-desk logic: no I/O, no Textual."""
