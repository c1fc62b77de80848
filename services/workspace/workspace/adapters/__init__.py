"""What the workspace reaches outside itself: the services' APIs, the identity provider, the
session cookie."""
