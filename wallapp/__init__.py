"""wallapp: a social-media hub video wall."""

__version__ = "0.1.0"
