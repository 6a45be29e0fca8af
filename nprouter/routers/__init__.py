"""Routers behind one interface (:class:`Router`: ``fit(train)``, ``route(test, knob)``) and their registry."""

from nprouter.routers.base import NotApplicable, Outcome, Router, outcome_of, pick
from nprouter.routers.baselines import (
    BestSingleRouter,
    CheapestOracleRouter,
    OracleRouter,
    PerFamilyRouter,
    RandomRouter,
)
from nprouter.routers.factor import IrtRouter, MatrixFactorisationRouter
from nprouter.routers.learned import AvengersProRouter, AvengersRouter, KnnRouter, PredictorRouter
from nprouter.routers.replay import ModelSwitchRouter, VerifierCascadeRouter

ROUTERS = {cls.name: cls for cls in (
    RandomRouter, BestSingleRouter, PerFamilyRouter, OracleRouter, CheapestOracleRouter, KnnRouter, AvengersRouter,
    AvengersProRouter, PredictorRouter, MatrixFactorisationRouter, IrtRouter, ModelSwitchRouter,
    VerifierCascadeRouter)}


def make_router(name: str, seed: int = 0) -> Router:
    """A fresh router by registry name."""
    if name not in ROUTERS:
        raise ValueError(f"unknown router {name!r}; choose from {', '.join(ROUTERS)}")
    return ROUTERS[name](seed=seed)


__all__ = ["ROUTERS", "NotApplicable", "Outcome", "Router", "make_router", "outcome_of", "pick", *(
    cls.__name__ for cls in ROUTERS.values())]
