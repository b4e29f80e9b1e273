"""netaudit: audit 三層の対策 network separation from device configurations, exactly."""

__version__ = "0.1.0"
