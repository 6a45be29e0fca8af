"""The attack portfolio and the yes/no distinguishability audit behind ``python -m benchmarks.hardness``.

Each family module (:mod:`.sat`, :mod:`.graphs`, :mod:`.numbers`, :mod:`.sets`) defines attacks: functions
``attack(data, deadline, rng) -> answer`` that try to solve a yes-instance within a :class:`.budget.Deadline`
(the answer is graded by npgym's verifier; None or an invalid answer is a miss). :mod:`.features` computes
cheap features for telling yes- from no-instances and :mod:`.classify` measures how well they do.
:data:`.portfolio.ATTACKS` maps every problem id to its attacks.
"""
