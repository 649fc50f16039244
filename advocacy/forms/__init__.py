"""Flask-WTF forms, one module per area. Labels go through lazy gettext."""
