"""nprouter: router datasets from benchmark runs and public routing data, routers, and their evaluation.

Modules: ``schema`` (the record schema), ``export`` (run stores -> records), ``importers`` (public
formats), ``matrix`` (query x model matrices and splits), ``embed`` (query representations),
``routers`` (the router interface and every router), ``metrics``, ``evaluate``, ``plots``, ``cli``.
Nothing heavy is imported here: pandas and scikit-learn load only when used.
"""
