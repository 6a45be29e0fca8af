"""The problem modules, one per problem; :mod:`npgym.registry` finds them and registers each when first asked."""
