"""Application functions behind the screens: plain values in (the services' client, the
visitor's session, the filters), a page's context out, with its tables for export."""
