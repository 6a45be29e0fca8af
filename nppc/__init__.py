"""nppc: the command line that ties npgym, npsolver, npeval, the leaderboard and nprouter together."""

from npgym.cliargs import package_version

__version__ = package_version()
