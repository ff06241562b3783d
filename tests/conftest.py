"""Settings for the whole suite."""

from hypothesis import HealthCheck, settings

# Property tests check results, not speed: on a busy 2-core machine a single example can
# take longer than Hypothesis' default 200 ms deadline without anything being wrong.
settings.register_profile(
    "kmeans-explorer", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("kmeans-explorer")
