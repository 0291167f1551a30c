"""rosterd: a self-hosted user directory that speaks the Kandji and ThousandEyes v7 Users APIs."""

__version__ = "0.1.0"
