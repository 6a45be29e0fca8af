"""Named problem suites: the reference's 12 core problems and its 13 extension problems."""

CORE = ("three_sat", "vertex_cover", "shortest_common_superstring", "quadratic_diophantine",
        "three_dimensional_matching", "tsp", "hamiltonian_cycle", "bin_packing", "three_colouring",
        "minimum_sum_of_squares", "bandwidth", "max_leaf_spanning_tree")
EXTENSION = ("clique", "independent_set", "partition", "subset_sum", "set_packing", "set_splitting",
             "quadratic_congruences", "dominating_set", "hitting_string", "exact_cover_by_3_sets",
             "minimum_cover", "clustering", "betweenness")
