"""nppc: the command line that ties npgym, npsolver, npeval and the leaderboard together."""

__version__ = "0.1.0"
